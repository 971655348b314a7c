"""``switchboard secrets ...``: scopes and secrets, as ``databricks secrets ...``."""

from __future__ import annotations

import argparse
import base64
import binascii
import getpass
import sys
from typing import Any

from tui.cli.io import read_stdin
from tui.domain.errors import InvalidParameterValue
from tui.workspace.protocol import Workspace

BINARY_HINT = "; for a binary secret, give it as base64 with --bytes-value"
"""Ends the message refusing a value that is not UTF-8 text."""


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
    if args.bytes_value is not None:
        value = _base64(args.bytes_value)
    elif args.string_value is not None:
        value = args.string_value.encode("utf-8")  # main() has refused a value that is not UTF-8
    else:
        value = _prompted_or_piped(args)
    if not value:
        raise InvalidParameterValue("The secret value is empty; nothing was stored")
    return value


def _base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameterValue("--bytes-value must be base64") from None


def _prompted_or_piped(args: argparse.Namespace) -> bytes:
    """The value typed at a hidden prompt, or standard input less one trailing newline; UTF-8 only."""
    if sys.stdin.isatty():
        try:
            return getpass.getpass(f"Value for {args.scope}/{args.key} (hidden): ").encode("utf-8")
        except UnicodeDecodeError:
            raise _not_utf8("The typed value") from None
    data = read_stdin()
    data = data[:-2] if data.endswith(b"\r\n") else data[:-1] if data.endswith(b"\n") else data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise _not_utf8("The value on standard input") from None
    return data


def _not_utf8(what: str) -> InvalidParameterValue:
    return InvalidParameterValue(f"{what} is not valid UTF-8{BINARY_HINT}")
