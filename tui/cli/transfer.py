"""``switchboard import mlflow-gateway|endpoints`` and ``switchboard export``: endpoints between workspaces."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from tui.cli.io import decode_utf8, read_json_arg, warn
from tui.domain.errors import InvalidParameterValue, SwitchboardError
from tui.domain.text import printable
from tui.manage.mlflow_gateway import DEFAULT_SCOPE, SecretFromEnv, parse_gateway_config
from tui.manage.transfer import export_endpoints, import_endpoints, parse_bodies, plan_import
from tui.workspace.protocol import Workspace


class Cancelled(SwitchboardError):
    """The user answered no: a choice, not a failure of the workspace."""

    error_code = "CANCELLED"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("import", help="create endpoints from an MLflow AI Gateway config or an export file")
    sub = group.add_subparsers(dest="action", metavar="SOURCE", required=True)

    p = sub.add_parser("mlflow-gateway", parents=[common], help="endpoints from an MLflow AI Gateway config.yaml")
    p.add_argument("config", metavar="CONFIG", help="the gateway's YAML file")
    p.add_argument("--scope", default=DEFAULT_SCOPE, help=f"secret scope for $ENV_VAR keys (default {DEFAULT_SCOPE})")
    p.add_argument("--dry-run", action="store_true", help="say what would be created; read no variable")
    p.add_argument("--yes", action="store_true", help="read the environment variables without asking")
    p.set_defaults(run=import_gateway)

    p = sub.add_parser("endpoints", parents=[common], help="endpoints from a `switchboard export` file")
    p.add_argument("file", metavar="FILE", help="JSON list of create bodies (- for standard input)")
    p.add_argument("--dry-run", action="store_true", help="say what would be created or updated; change nothing")
    p.add_argument("--replace", action="store_true", help="update the config of endpoints that already exist")
    p.set_defaults(run=import_file)

    p = commands.add_parser("export", parents=[common], help="every endpoint as Databricks create bodies (JSON)")
    p.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(run=export)


def _read_text(name: str) -> str:
    try:
        return decode_utf8(Path(name).expanduser().read_bytes(), f"file '{name}'")
    except OSError as err:
        raise InvalidParameterValue(f"Cannot read '{name}': {err.strerror or err}") from None


async def import_gateway(args: argparse.Namespace, ws: Workspace) -> dict[str, Any]:
    plan = parse_gateway_config(_read_text(args.config), args.scope)
    names = [e.name for e in plan.endpoints]
    reads = [f"${s.env} -> {s.reference}" for s in plan.secrets]
    if args.dry_run:
        await plan_import(ws, plan.endpoints, replace=False)
        return {"would_create": names, "would_read_env": reads}
    missing = [s.env for s in plan.secrets if not os.environ.get(s.env)]
    if missing:
        raise InvalidParameterValue(f"Environment variables not set: {', '.join(missing)}")
    await plan_import(ws, plan.endpoints, replace=False)  # refuse existing names before storing anything
    if plan.secrets:
        await _store_secrets(ws, args, plan.secrets, reads)
    await import_endpoints(ws, plan.endpoints)
    return {"created": names, "secrets": [f"{s.scope}/{s.key}" for s in plan.secrets]}


async def _store_secrets(
    ws: Workspace, args: argparse.Namespace, secrets: list[SecretFromEnv], reads: list[str]
) -> None:
    """Each variable into its secret, after asking (unless --yes), saying which existing secrets it replaces."""
    scope_exists = args.scope in {s.name for s in await ws.list_scopes()}
    existing = {m.key for m in await ws.list_secrets(args.scope)} if scope_exists else set()
    replaced = [f"{args.scope}/{s.key}" for s in secrets if s.key in existing]
    question = f"Store {', '.join(reads)} as secrets" + (f", replacing {', '.join(replaced)}" if replaced else "")
    if not args.yes and not _confirm(question + "?"):
        raise Cancelled("Cancelled: nothing stored or created")
    if not scope_exists:
        await ws.create_scope(args.scope)
    for secret in secrets:
        await ws.put_secret(secret.scope, secret.key, os.environ[secret.env].encode())


def _confirm(question: str) -> bool:
    sys.stderr.write(printable(question) + " [y/N] ")
    sys.stderr.flush()
    reply = sys.stdin.readline()
    if not sys.stdin.isatty():  # the answer was not echoed: end the question's line
        sys.stderr.write("\n")
    return reply.strip().lower() in {"y", "yes"}


async def import_file(args: argparse.Namespace, ws: Workspace) -> dict[str, Any]:
    requests = parse_bodies(read_json_arg("@" + args.file, "FILE"))
    plan = await import_endpoints(ws, requests, replace=args.replace, dry_run=args.dry_run)
    key = "would" if args.dry_run else "done"
    return {key: [{"action": action, "name": name} for action, name in plan]}


async def export(args: argparse.Namespace, ws: Workspace) -> list[dict[str, Any]] | None:
    result = await export_endpoints(ws)
    for note in result.notes:
        warn(note)
    if not args.output:
        return result.bodies
    try:
        Path(args.output).expanduser().write_text(json.dumps(result.bodies, indent=2) + "\n", encoding="utf-8")
    except OSError as err:
        raise InvalidParameterValue(f"Cannot write '{args.output}': {err.strerror or err}") from None
    return None
