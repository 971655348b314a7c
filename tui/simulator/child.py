"""The simulator's child process (see :mod:`tui.simulator.process`): ``main([FD])``.

Serves on the listening socket inherited as file descriptor ``FD`` with the API key read from the first
line of stdin, writes ``ready`` to stdout, and exits when stdin closes (its parent stopped it or is gone).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket

from tui.simulator.process import READY, read_line
from tui.simulator.server import Simulator


async def serve(listener: socket.socket, api_key: str) -> None:
    """Serve until stdin reaches its end; nothing is recorded (nobody reads this simulator's requests)."""
    async with Simulator(api_key=api_key, sock=listener, record=0):
        gone = asyncio.Event()

        def on_stdin() -> None:
            if not os.read(0, 4096):
                gone.set()

        loop = asyncio.get_running_loop()
        loop.add_reader(0, on_stdin)
        os.write(1, READY)
        await gone.wait()
        loop.remove_reader(0)


def main(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when this process ends
    listener = socket.socket(fileno=int(argv[0]))
    api_key = (read_line(0, None) or b"").decode().strip()
    asyncio.run(serve(listener, api_key))
