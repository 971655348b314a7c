"""``switchboard tokens ...``: access tokens of ``switchboard serve``, as ``databricks tokens ...``."""

from __future__ import annotations

import argparse
from typing import Any

from tui.workspace.protocol import Workspace


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    group = commands.add_parser(
        "tokens",
        help="access tokens for `switchboard serve` (each stands for a user)",
        description="Manage the bearer tokens `switchboard serve` accepts. A token's value is shown once, at creation. "
        "An admin token (--admin) may also manage other users' tokens through serve's token-management API.",
    )
    sub = group.add_subparsers(dest="action", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "create",
        parents=[common],
        help="create a token and print its value (once: only a hash is kept)",
        description="Create a token for USER and print it as JSON; its value is not shown again.",
        epilog="Who is an admin: only a token made here with --admin, by whoever can write the workspace file. "
        "Through `switchboard serve` an admin token may list every token, revoke anyone's, create one for "
        "another user (POST /api/2.0/token-management/on-behalf-of/tokens, application_id = the user's name) "
        "and read every user's usage; every other token manages only its own user's tokens, so no one can "
        "mint a token as someone else or escape their per-user rate limits. Serve itself never makes an "
        "admin token. On a Databricks workspace (--profile) admins are its admins group, and --admin is refused.",
    )
    p.add_argument("--user", required=True, help="who calls with this token (the `user` key of rate limits)")
    p.add_argument("--comment", default="", help="what the token is for")
    p.add_argument(
        "--lifetime-seconds", type=int, metavar="N", help="seconds until it expires (default: it never expires)"
    )
    p.add_argument(
        "--admin",
        action="store_true",
        help="the token may also manage other users' tokens through `switchboard serve` (see below)",
    )
    p.set_defaults(run=create)

    p = sub.add_parser("list", parents=[common], help="list tokens (ids, users and times, never values)")
    p.set_defaults(run=list_tokens)

    p = sub.add_parser("revoke", parents=[common], help="revoke a token: it is refused from now on")
    p.add_argument("token_id", metavar="TOKEN_ID", help="the id `tokens list` shows (not the token's value)")
    p.set_defaults(run=revoke)


async def create(args: argparse.Namespace, ws: Workspace) -> dict[str, Any]:
    token = await ws.tokens.create(
        args.user, comment=args.comment, lifetime_seconds=args.lifetime_seconds, admin=args.admin
    )
    return token.to_json()


async def list_tokens(args: argparse.Namespace, ws: Workspace) -> list[dict[str, Any]]:
    return [info.to_json() for info in await ws.tokens.list()]


async def revoke(args: argparse.Namespace, ws: Workspace) -> None:
    await ws.tokens.revoke(args.token_id)
