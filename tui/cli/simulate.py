"""``switchboard simulate``: run the loopback provider simulator in the foreground."""

from __future__ import annotations

import argparse

from tui.domain.errors import InvalidParameterValue


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "simulate",
        help="run the provider simulator on 127.0.0.1 (OpenAI, Azure, Anthropic, Databricks wire formats)",
        description=(
            "Serve simulated provider APIs on 127.0.0.1 with deterministic text, for trying endpoints "
            "without keys. Point an endpoint's base URL (e.g. openai_api_base http://127.0.0.1:PORT/v1) at it. "
            "Knobs go on the model name: 'gpt-4o-mini@ttft=0.5,tps=40,tokens=300' or "
            "'gpt-4o-mini@fault=429,retry_after=5'."
        ),
    )
    p.add_argument("--port", type=port, default=8765, help="port to listen on (default 8765; 0 picks a free one)")
    p.add_argument("--api-key", default="sim-key", help="the key the simulator accepts (default sim-key)")
    p.set_defaults(run=simulate, needs_workspace=False)


def port(text: str) -> int:
    number = int(text)  # a ValueError becomes argparse's "invalid port value"
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{number} is not a port (0 to 65535)")
    return number


def simulate(args: argparse.Namespace) -> None:
    from tui.simulator import serve_forever

    try:
        serve_forever(args.port, args.api_key)
    except OSError as err:  # the port is taken, or below 1024 without the right
        raise InvalidParameterValue(f"Cannot listen on 127.0.0.1:{args.port}: {err.strerror or err}") from None
