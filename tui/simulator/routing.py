"""From a request to an answer: which dialect serves it, then access, body, knobs, injected status
faults, validation and the dialect's reply (errors rendered in the dialect's shape)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import parse_qsl

from tui.simulator.dialects.base import (
    ApiError,
    Call,
    Dialect,
    RecordedRequest,
    Reply,
    SimulatorState,
    StreamReply,
    json_reply,
)
from tui.simulator.framing import parse_body
from tui.simulator.knobs import KnobError, describe, parse_knobs


def dispatch(
    dialects: Sequence[Dialect], sim: SimulatorState, request: RecordedRequest
) -> tuple[Dialect | None, Call | None, Reply | StreamReply]:
    """The dialect that answered (if any), the routed call (if it got that far) and the answer."""
    if request.method == "GET" and request.path == "/":
        return None, None, json_reply(200, _index(dialects))
    for dialect in dialects:
        found = dialect.resolve(request)
        if found is not None:
            break
    else:
        message = f"The simulator has no route for {request.method} {request.path}. GET / lists the routes."
        body = {"error": {"message": message, "type": "not_found_error", "param": None, "code": "unknown_route"}}
        return None, None, json_reply(404, body)
    route, params = found
    if route is None:
        return dialect, None, dialect.render_error(dialect.not_found(request), None)
    call = Call(request=request, route=route, params=params, sim=sim, op=route.op)
    try:
        if route.op == "method_not_allowed":
            raise ApiError(405, f"Method {request.method} is not allowed for {request.path}")
        if route.auth:
            dialect.check_access(call)
        if route.body == "form":
            call.body = dict(parse_qsl(request.raw_body.decode("utf-8", "replace"), keep_blank_values=True))
        else:
            parsed, ok = parse_body(request.raw_body, "application/json")
            if not ok:
                raise dialect.bad_json()
            call.body = parsed or {}
        call.op = dialect.operation(call)
        if route.knobs:
            try:
                call.model, call.knobs = parse_knobs(dialect.model_spec(call), request.headers)
            except KnobError as err:
                raise ApiError(400, str(err)) from None
            status = call.knobs.status_fault
            if status is not None:
                raise dialect.fault_error(status, call)
        dialect.validate(call)
        reply = dialect.respond(call)
    except ApiError as err:
        reply = dialect.render_error(err, call)
    reply.headers = {**dialect.response_headers(call), **reply.headers}
    return dialect, call, reply


def route_lines(dialects: Sequence[Dialect]) -> list[str]:
    """One line per route: method, path template, provider."""
    return [
        f"{route.method:<5} {route.template:<52} {dialect.title}" for dialect in dialects for route in dialect.routes
    ]


def _index(dialects: Sequence[Dialect]) -> dict[str, object]:
    return {
        "simulator": "switchboard",
        "routes": route_lines(dialects),
        "knobs": "model suffix '@k=v,k=v' or headers 'x-sim-<knob>: value'",
        "knob_list": describe().splitlines(),
    }
