"""Benchmark: launch time to the first screen, as a whole process in a pseudo-terminal (target <= 0.5 s).

Run by hand (not collected by pytest):

    python tests/bench/launch_time.py                        # every case, 10 runs each
    python tests/bench/launch_time.py --case demo --runs 20

Each run spawns the installed ``switchboard`` command on the slave side of a fresh pty (160x45,
TERM=xterm-256color) with a throwaway HOME, XDG config/data/cache dirs and TMPDIR, so the user's
config and data are never read or written. The clock runs from just before the spawn until the read
from the pty's master that completes the case's marker (escape sequences stripped):

  empty  ``switchboard --workspace <tmp>/w.db``: an empty local workspace; the marker is the playground's
         empty state, "No endpoints in this workspace yet", which is in the app's first frame
  demo-first  ``switchboard --demo``: the marker is the header's "simulated endpoints", in the first frame
  demo   ``switchboard --demo``: simulated endpoints; the marker is "· ready" in the status line of both
         chat panes, which are mounted (after the first frame) by the playground's default selection

Then ctrl+q is sent and the app gets 5 s to quit before it is terminated (and killed if need be); the
"forced" column counts those. The first run of a case (it also creates the empty case's workspace file)
is reported on its own; min, median, p90 and max are over the other runs.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import platform
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from _common import pct

COLUMNS, LINES = 160, 45
RUN_TIMEOUT_S = 10.0
QUIT_TIMEOUT_S = 5.0
CTRL_Q = b"\x11"
TARGET_S = 0.5

# CSI sequences, OSC strings (ended by BEL or ST), DCS strings, and the other escapes (ESC, intermediates, a final)
_ESCAPES = re.compile(
    rb"\x1b\[[0-9;:?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1bP.*?\x1b\\|\x1b[ -/]*[0-~]", re.S
)


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    marker: str
    count: int  # how many times the marker must have been drawn (both demo panes are mounted together)


@dataclass(frozen=True)
class Run:
    seconds: float
    forced: bool  # the app did not quit on ctrl+q and had to be terminated


def make_cases(tmp: Path) -> dict[str, Case]:
    return {
        "empty": Case("empty", ("--workspace", str(tmp / "w.db")), "No endpoints in this workspace yet", 1),
        "demo-first": Case("demo-first", ("--demo",), "simulated endpoints", 1),
        "demo": Case("demo", ("--demo",), "· ready", 2),
    }


def switchboard_command() -> str:
    return shutil.which("switchboard") or str(Path(sys.executable).parent / "switchboard")


def throwaway_env(tmp: Path) -> dict[str, str]:
    """The user's environment with everything the app reads from disk redirected into ``tmp``."""
    # SWITCHBOARD_* could point at the user's workspace, TEXTUAL* could turn on devtools or other drivers
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SWITCHBOARD", "TEXTUAL"))}
    dirs = {
        "HOME": "home",
        "XDG_CONFIG_HOME": "config",
        "XDG_DATA_HOME": "data",
        "XDG_CACHE_HOME": "cache",
        "XDG_STATE_HOME": "state",
        "TMPDIR": "tmp",
    }
    for var, name in dirs.items():
        (tmp / name).mkdir(exist_ok=True)
        env[var] = str(tmp / name)
    env.update(TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(LINES))
    return env


def screen_text(output: bytes) -> str:
    return _ESCAPES.sub(b"", output).decode("utf-8", "replace")


def spawn(argv: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """``argv`` on the slave side of a new pty of COLUMNS x LINES; returns the process and the master fd."""
    master, slave = os.openpty()
    try:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    except BaseException:
        os.close(master)
        raise
    finally:
        os.close(slave)
    os.set_blocking(master, False)
    return proc, master


def read_chunk(master: int, timeout: float) -> bytes | None:
    """What the pty has within ``timeout`` (b"" if nothing yet); None once the child side is closed."""
    ready, _, _ = select.select([master], [], [], max(timeout, 0.0))
    if not ready:
        return b""
    try:
        return os.read(master, 65536) or None
    except BlockingIOError:
        return b""
    except OSError:  # EIO: every slave fd is closed
        return None


def wait_for_marker(master: int, case: Case, start: float) -> float:
    """Seconds from ``start`` to the read that puts the marker on screen ``case.count`` times."""
    output = b""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while (left := deadline - time.monotonic()) > 0:
        chunk = read_chunk(master, left)
        now = time.perf_counter()
        if chunk is None:
            break
        output += chunk
        if chunk and screen_text(output).count(case.marker) >= case.count:
            return now - start
    tail = screen_text(output)[-800:]
    raise RuntimeError(
        f"{case.name}: {case.marker!r} x{case.count} not seen within {RUN_TIMEOUT_S:.0f} s; last output:\n{tail}"
    )


def stop(proc: subprocess.Popen[bytes], master: int) -> bool:
    """Quit with ctrl+q (draining the pty meanwhile); terminate, then kill, if it will not. True if forced."""
    with contextlib.suppress(OSError):
        os.write(master, CTRL_Q)
    deadline = time.monotonic() + QUIT_TIMEOUT_S
    while proc.poll() is None and (left := deadline - time.monotonic()) > 0:
        if read_chunk(master, min(left, 0.05)) is None:
            break
    try:
        proc.wait(timeout=max(deadline - time.monotonic(), 0.0))
        return False
    except subprocess.TimeoutExpired:
        proc.terminate()
    try:
        proc.wait(timeout=QUIT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=QUIT_TIMEOUT_S)
    return True


def launch_once(case: Case, env: dict[str, str]) -> Run:
    start = time.perf_counter()
    proc, master = spawn([switchboard_command(), *case.args], env)
    try:
        try:
            seconds = wait_for_marker(master, case, start)
        finally:
            forced = stop(proc, master)
    finally:
        os.close(master)
    return Run(seconds, forced)


def print_row(case: str, runs: list[Run]) -> None:
    first, rest = runs[0].seconds * 1000, [r.seconds * 1000 for r in runs[1:]]
    print(
        f"{case:<10} {len(runs):>4} {first:>7.0f} {min(rest):>7.0f} {pct(rest, 0.5):>7.0f} "
        f"{pct(rest, 0.9):>7.0f} {max(rest):>7.0f} {sum(r.forced for r in runs):>6}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", choices=("empty", "demo-first", "demo", "all"), default="all")
    parser.add_argument("--runs", type=int, default=10, help="runs per case (at least 2; the first is reported apart)")
    args = parser.parse_args()
    if args.runs < 2:
        parser.error("--runs must be at least 2")
    print(
        f"python {platform.python_version()}, textual {version('textual')}, {switchboard_command()}, "
        f"pty {COLUMNS}x{LINES}; times in ms, target median <= {TARGET_S * 1000:.0f}"
    )
    header = f"{'case':<10} {'runs':>4} {'first':>7} {'min':>7} {'median':>7} {'p90':>7} {'max':>7} {'forced':>6}"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="switchboard-launch-") as tmp:
        env = throwaway_env(Path(tmp))
        cases = make_cases(Path(tmp))
        for name in ("empty", "demo-first", "demo") if args.case == "all" else (args.case,):
            print_row(name, [launch_once(cases[name], env) for _ in range(args.runs)])


if __name__ == "__main__":
    main()
