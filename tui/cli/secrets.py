"""``switchboard secrets ...``: scopes and secrets, as ``databricks secrets ...``."""

from __future__ import annotations

import argparse
import base64
import binascii
import getpass
import sys
from typing import Any

from tui.domain.errors import InvalidParameterValue
from tui.workspace.protocol import Workspace


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    group = commands.add_parser(
        "secrets",
        help="secret scopes and secrets (values go in, never come out)",
        description="Manage secret scopes and secrets. Secret values are write-only.",
    )
    sub = group.add_subparsers(dest="action", metavar="COMMAND", required=True)

    p = sub.add_parser("create-scope", parents=[common], help="create a secret scope")
    p.add_argument("scope", metavar="SCOPE")
    p.add_argument("--initial-manage-principal", help="accepted for compatibility (local scopes have one owner)")
    p.set_defaults(run=create_scope)

    p = sub.add_parser("delete-scope", parents=[common], help="delete a secret scope and its secrets")
    p.add_argument("scope", metavar="SCOPE")
    p.set_defaults(run=delete_scope)

    p = sub.add_parser("list-scopes", parents=[common], help="list secret scopes")
    p.set_defaults(run=list_scopes)

    p = sub.add_parser(
        "put-secret",
        parents=[common],
        help="store a secret (hidden prompt, standard input or --string-value)",
        description=(
            "Store a secret. Without --string-value or --bytes-value the value is read from a hidden "
            "prompt, or from standard input when it is not a terminal (one trailing newline is dropped)."
        ),
    )
    p.add_argument("scope", metavar="SCOPE")
    p.add_argument("key", metavar="KEY")
    value = p.add_mutually_exclusive_group()
    value.add_argument("--string-value", help="the value (visible in shell history; prefer the prompt)")
    value.add_argument("--bytes-value", help="the value as base64")
    p.set_defaults(run=put_secret)

    p = sub.add_parser("list-secrets", parents=[common], help="list the keys of a scope (never values)")
    p.add_argument("scope", metavar="SCOPE")
    p.set_defaults(run=list_secrets)

    p = sub.add_parser("delete-secret", parents=[common], help="delete a secret")
    p.add_argument("scope", metavar="SCOPE")
    p.add_argument("key", metavar="KEY")
    p.set_defaults(run=delete_secret)


async def create_scope(args: argparse.Namespace, ws: Workspace) -> None:
    await ws.create_scope(args.scope)


async def delete_scope(args: argparse.Namespace, ws: Workspace) -> None:
    await ws.delete_scope(args.scope)


async def list_scopes(args: argparse.Namespace, ws: Workspace) -> list[dict[str, Any]]:
    return [s.to_json() for s in await ws.list_scopes()]


async def list_secrets(args: argparse.Namespace, ws: Workspace) -> list[dict[str, Any]]:
    return [s.to_json() for s in await ws.list_secrets(args.scope)]


async def delete_secret(args: argparse.Namespace, ws: Workspace) -> None:
    await ws.delete_secret(args.scope, args.key)


async def put_secret(args: argparse.Namespace, ws: Workspace) -> None:
    await ws.put_secret(args.scope, args.key, _secret_value(args))


def _secret_value(args: argparse.Namespace) -> bytes:
    if args.string_value is not None:
        return str(args.string_value).encode("utf-8")
    if args.bytes_value is not None:
        try:
            return base64.b64decode(args.bytes_value, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidParameterValue("--bytes-value must be base64") from None
    if sys.stdin.isatty():
        text = getpass.getpass(f"Value for {args.scope}/{args.key} (hidden): ")
    else:
        text = sys.stdin.read()
        text = text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith("\n") else text
    if not text:
        raise InvalidParameterValue("The secret value is empty; nothing was stored")
    return text.encode("utf-8")
