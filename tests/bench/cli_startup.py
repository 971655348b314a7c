"""Benchmark: wall time of `switchboard secrets list-scopes` as a whole process (target <= 0.25 s).

Run by hand:  python tests/bench/cli_startup.py [runs]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main(runs: int = 20) -> None:
    script = shutil.which("switchboard") or str(Path(sys.executable).parent / "switchboard")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SWITCHBOARD_WORKSPACE": str(Path(tmp) / "w.db")}
        subprocess.run([script, "secrets", "create-scope", "bench"], env=env, check=True)
        subprocess.run([script, "secrets", "list-scopes"], env=env, check=True, capture_output=True)  # warm .pyc
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([script, "secrets", "list-scopes"], env=env, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    times.sort()
    print(
        f"switchboard secrets list-scopes, {runs} runs: "
        f"min {times[0] * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms, "
        f"p90 {times[int(runs * 0.9) - 1] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
