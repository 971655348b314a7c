"""``switchboard serving-endpoints ...``: endpoints, as ``databricks serving-endpoints ...``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from tui.cli.io import read_json_arg, warn
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint, EndpointCoreConfigInput, plaintext_fields
from tui.domain.errors import InvalidParameterValue
from tui.domain.gateway import AiGatewayConfig, PatchTagsRequest, RateLimitsRequest
from tui.workspace.protocol import Workspace

JSON_HELP = "request body: inline JSON, or @FILE to read it from a file (@- for standard input)"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    group = commands.add_parser(
        "serving-endpoints",
        help="serving endpoints backed by external models",
        description="Create, inspect, change and delete serving endpoints.",
    )
    sub = group.add_subparsers(dest="action", metavar="COMMAND", required=True)

    p = sub.add_parser("create", parents=[common], help="create an endpoint from a JSON body")
    p.add_argument("name", metavar="NAME", nargs="?", help="endpoint name (else taken from the JSON)")
    p.add_argument("--json", required=True, help=JSON_HELP)
    p.add_argument(
        "--no-wait", action="store_true", help="accepted for compatibility: local endpoints are ready at once"
    )
    p.set_defaults(run=create)

    p = sub.add_parser("get", parents=[common], help="show an endpoint")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(run=get)

    p = sub.add_parser("list", parents=[common], help="list endpoints")
    p.set_defaults(run=list_endpoints)

    p = sub.add_parser("update-config", parents=[common], help="replace an endpoint's served entities and traffic")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--json", required=True, help=JSON_HELP)
    p.add_argument("--no-wait", action="store_true", help="accepted for compatibility")
    p.set_defaults(run=update_config)

    p = sub.add_parser("put", parents=[common], help='set legacy rate limits: {"rate_limits": [...]}')
    p.add_argument("name", metavar="NAME")
    p.add_argument("--json", required=True, help=JSON_HELP)
    p.set_defaults(run=put_rate_limits)

    p = sub.add_parser("put-ai-gateway", parents=[common], help="set AI gateway rate limits, guardrails, fallback")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--json", required=True, help=JSON_HELP)
    p.set_defaults(run=put_ai_gateway)

    p = sub.add_parser("patch", parents=[common], help='add or delete tags: {"add_tags": [...], "delete_tags": [...]}')
    p.add_argument("name", metavar="NAME")
    p.add_argument("--json", required=True, help=JSON_HELP)
    p.set_defaults(run=patch_tags)

    p = sub.add_parser(
        "query",
        parents=[common],
        help="query an endpoint with a standard chat/completions/embeddings request",
        description=(
            "Send a standard request to an endpoint and print the standard response. With --stream "
            '(or "stream": true in the JSON) each chunk is printed as one JSON line as it arrives.'
        ),
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--json", required=True, help=JSON_HELP)
    p.add_argument("--stream", action="store_true", help="stream the answer, one chunk per line")
    p.set_defaults(run=query, uses_network=True)

    p = sub.add_parser("delete", parents=[common], help="delete an endpoint")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(run=delete)


def _warn_plaintext(config: EndpointCoreConfigInput | None) -> None:
    if config is None:
        return
    for field in plaintext_fields(config):
        warn(
            f"{field} holds a key in plaintext. It is stored write-only, but a secret reference is safer: "
            "`switchboard secrets put-secret SCOPE KEY`, then use {{secrets/SCOPE/KEY}}."
        )


async def create(args: argparse.Namespace, ws: Workspace) -> dict[str, Any]:
    body = read_json_arg(args.json)
    if isinstance(body, dict) and args.name:
        if body.get("name") not in (None, args.name):
            raise InvalidParameterValue(f"NAME '{args.name}' differs from the JSON's name '{body['name']}'")
        body = {**body, "name": args.name}
    request = parse_user_input(CreateServingEndpoint, body, "endpoint")
    endpoint = await ws.create_endpoint(request)
    _warn_plaintext(request.config)
    return endpoint.to_json()


async def get(args: argparse.Namespace, ws: Workspace) -> dict[str, Any]:
    return (await ws.get_endpoint(args.name)).to_json()


async def list_endpoints(args: argparse.Namespace, ws: Workspace) -> list[dict[str, Any]]:
    return [e.to_json() for e in await ws.list_endpoints()]


async def update_config(args: argparse.Namespace, ws: Workspace) -> dict[str, Any]:
    config = parse_user_input(EndpointCoreConfigInput, read_json_arg(args.json), "config")
    endpoint = await ws.update_config(args.name, config)
    _warn_plaintext(config)
    return endpoint.to_json()


async def put_rate_limits(args: argparse.Namespace, ws: Workspace) -> dict[str, Any]:
    body = parse_user_input(RateLimitsRequest, read_json_arg(args.json), "rate limits")
    limits = await ws.put_rate_limits(args.name, body.rate_limits)
    return {"rate_limits": [r.to_json() for r in limits]}


async def put_ai_gateway(args: argparse.Namespace, ws: Workspace) -> dict[str, Any]:
    gateway = parse_user_input(AiGatewayConfig, read_json_arg(args.json), "AI gateway config")
    return (await ws.put_ai_gateway(args.name, gateway)).to_json()


async def patch_tags(args: argparse.Namespace, ws: Workspace) -> dict[str, Any]:
    patch = parse_user_input(PatchTagsRequest, read_json_arg(args.json), "tags patch")
    return {"tags": [t.to_json() for t in await ws.patch_tags(args.name, patch)]}


async def query(args: argparse.Namespace, ws: Workspace) -> dict[str, Any] | None:
    body = read_json_arg(args.json)
    if not (args.stream or (isinstance(body, dict) and body.get("stream") is True)):
        return await ws.query(args.name, body)
    async for chunk in ws.stream(args.name, body):
        sys.stdout.write(json.dumps(chunk, separators=(",", ":")) + "\n")
        sys.stdout.flush()
    return None


async def delete(args: argparse.Namespace, ws: Workspace) -> None:
    await ws.delete_endpoint(args.name)
