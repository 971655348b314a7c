"""Querying an endpoint of the local workspace.

For each call: look the endpoint up, check the request against its task, pick a served entity by
the traffic split, reserve against every rate limit that applies, resolve the secrets, obtain the
access tokens the provider declares (see ``credentials``), translate, send, translate back, and
record usage. With AI-gateway fallback enabled, a 429 or 5xx from one served entity moves on to the
next (for a stream: only before its first chunk).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from tui.domain.base import format_validation_error, parse_stored
from tui.domain.endpoints import (
    TASK_CHAT,
    TASK_COMPLETIONS,
    TASK_EMBEDDINGS,
    ServedEntityOutput,
    ServingEndpointDetailed,
)
from tui.domain.errors import (
    InvalidParameterValue,
    ProviderError,
    ProviderOverloaded,
    ProviderRateLimited,
    ProviderTimeout,
    ProviderUnreachable,
    RequestLimitExceeded,
    SwitchboardError,
)
from tui.domain.schemas import ChatRequest, CompletionsRequest, EmbeddingsRequest
from tui.domain.secret_refs import SecretRef, plaintext_credentials, resolve_secret_refs, secret_refs_in
from tui.providers import get_provider, provider_key
from tui.providers.base import Call, Chunk, Provider
from tui.transport.client import Transport
from tui.transport.redact import Redactor
from tui.workspace.local.credentials import Credentials
from tui.workspace.local.endpoints_repo import EndpointsRepo
from tui.workspace.local.limits import Caller, applicable_limits
from tui.workspace.local.ratelimit import Decision, RateLimiter
from tui.workspace.local.secrets_repo import SecretsRepo
from tui.workspace.local.usage_repo import UsageRepo

T = TypeVar("T")

REQUEST_SCHEMAS: dict[str, type[BaseModel]] = {
    TASK_CHAT: ChatRequest,
    TASK_COMPLETIONS: CompletionsRequest,
    TASK_EMBEDDINGS: EmbeddingsRequest,
}
FALLBACK_ERRORS = (ProviderRateLimited, ProviderOverloaded, ProviderTimeout, ProviderUnreachable)


def _fallback_worthy(err: ProviderError) -> bool:
    return isinstance(err, FALLBACK_ERRORS) or (err.provider_status or 0) >= 500 or type(err) is ProviderError


@dataclass
class _Plan:
    endpoint: ServingEndpointDetailed
    task: str
    request: dict[str, Any]
    order: list[ServedEntityOutput]
    fallback: bool
    decision: Decision
    caller: Caller


@dataclass
class _Target:
    """One served entity, ready to call."""

    entity: ServedEntityOutput
    provider: Provider
    call: Call


class Invoker:
    def __init__(
        self,
        endpoints: EndpointsRepo,
        secrets: SecretsRepo,
        limiter: RateLimiter,
        usage: UsageRepo,
        transport: Transport,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self._endpoints = endpoints
        self._secrets = secrets
        self._limiter = limiter
        self._usage = usage
        self.transport = transport
        self._credentials = Credentials(transport)
        self._rng = rng or random.Random()

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    # -- planning --------------------------------------------------------------------------------
    async def _plan(self, name: str, body: Any, caller: Caller) -> _Plan:
        # reads run inline: in WAL mode they never wait for a writer (see Store)
        endpoint = self._endpoints.for_query(name)
        config = endpoint.config
        task = config.task if config else None
        if config is None or task is None:
            raise InvalidParameterValue(f"Endpoint '{name}' has no served external model to query")
        request = _check_request(body, task)
        entities = list(config.served_entities)
        order = self._pick_order(entities, endpoint)
        gateway = endpoint.ai_gateway
        fallback = bool(gateway and gateway.fallback_config and gateway.fallback_config.enabled)
        limits = applicable_limits(name, caller, endpoint.rate_limits, gateway.rate_limits if gateway else None)
        decision = await self._run(self._limiter.reserve, limits) if limits else Decision(admitted=True)
        if not decision.admitted:
            limit = decision.refused_by
            # when to retry travels as retry_after: each face says it once, its own way
            raise RequestLimitExceeded(
                f"Rate limit reached on endpoint '{name}': {limit.label if limit else 'limit'}.",
                retry_after=decision.retry_after,
            )
        return _Plan(endpoint, task, request, order, fallback, decision, caller)

    def _pick_order(
        self, entities: list[ServedEntityOutput], endpoint: ServingEndpointDetailed
    ) -> list[ServedEntityOutput]:
        """The entity the traffic split picks, then the others in list order (the fallback order)."""
        routes = endpoint.config.traffic_config.routes if endpoint.config and endpoint.config.traffic_config else []
        weights = {r.target: r.traffic_percentage for r in routes}
        names = [e.effective_name for e in entities]
        chosen_weights = [weights.get(n, 0) for n in names]
        if sum(chosen_weights) <= 0:
            chosen_weights = [1] * len(entities)
        first = self._rng.choices(range(len(entities)), weights=chosen_weights)[0]
        return [entities[first]] + [e for i, e in enumerate(entities) if i != first]

    def _target(
        self, plan: _Plan, entity: ServedEntityOutput, stream: bool, request: dict[str, Any] | None = None
    ) -> _Target:
        """Resolve the entity's secrets and provider (inline: secret reads never wait, see Store)."""
        model = entity.external_model
        if model is None:
            raise InvalidParameterValue(f"Served entity '{entity.effective_name}' is not an external model")
        config = model.provider_config()
        if config is None:
            raise InvalidParameterValue(f"Served entity '{entity.effective_name}' has no {model.config_key}")
        stored = config.to_json()
        values = {ref: self._secret_text(ref) for ref in secret_refs_in(stored)}
        resolved = parse_stored(type(config), resolve_secret_refs(stored, lambda ref: values[ref]))
        redact = Redactor([*values.values(), *plaintext_credentials(stored)])
        provider = get_provider(provider_key(model.provider, config))
        call = Call(plan.task, request or plan.request, stream, model.name, resolved, redact)
        return _Target(entity, provider, call)

    def _secret_text(self, ref: SecretRef) -> str:
        try:
            return self._secrets.read_value(ref).decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidParameterValue(
                f"Secret {ref} holds bytes that are not UTF-8 text, so it cannot be sent as a key; "
                "store the key as text (put-secret --string-value or standard input)"
            ) from None

    # -- one call --------------------------------------------------------------------------------
    async def _send(self, target: _Target) -> dict[str, Any]:
        provider, call = target.provider, target.call
        try:
            call = await self._credentials.attach(provider, call)
            http = provider.build(call)
            response = await self.transport.send(http, provider=provider.label, redact=call.redact)
            return provider.parse(call, response.body)
        except SwitchboardError as err:
            raise _redacted(err, call.redact) from None

    async def _stream(self, target: _Target) -> AsyncIterator[Chunk]:
        provider, call = target.provider, target.call
        try:
            call = await self._credentials.attach(provider, call)
            http = provider.build(call)
            mapper = provider.stream_mapper(call)
            async for event in self.transport.stream(http, provider=provider.label, redact=call.redact):
                for chunk in mapper.feed(event):
                    yield chunk
            for chunk in mapper.finish():
                yield chunk
        except SwitchboardError as err:
            raise _redacted(err, call.redact) from None

    def _fan_out_count(self, target: _Target) -> int:
        """How many parallel calls stand for one request (n > 1 on a provider without native n)."""
        n = int(target.call.request.get("n") or 1)
        if n <= 1 or target.provider.native_n:
            return 1
        model = target.entity.external_model
        if model is None or model.n_strategy != "fan_out":
            raise InvalidParameterValue(
                f"{target.provider.label} cannot return n={n} choices in one call. Send n=1, or let this "
                'endpoint fan out n parallel calls: set "n_strategy": "fan_out" on its external_model'
            )
        if target.call.request.get("temperature") == 0:
            raise InvalidParameterValue(
                "n > 1 with temperature 0 would return n identical answers; raise the temperature"
            )
        return n

    def _single(self, plan: _Plan, target: _Target, stream: bool) -> _Target:
        request = {k: v for k, v in plan.request.items() if k != "n"}
        return self._target(plan, target.entity, stream, request)

    async def _query_entity(self, plan: _Plan, entity: ServedEntityOutput) -> dict[str, Any]:
        target = self._target(plan, entity, False)
        n = self._fan_out_count(target)
        if n == 1:
            return await self._send(target)
        single = self._single(plan, target, False)
        answers = await asyncio.gather(*(self._send(single) for _ in range(n)))
        return _merge_answers(answers)

    async def _stream_entity(self, plan: _Plan, entity: ServedEntityOutput) -> AsyncIterator[Chunk]:
        target = self._target(plan, entity, True)
        n = self._fan_out_count(target)
        if n == 1:
            async for chunk in self._stream(target):
                yield chunk
            return
        single = self._single(plan, target, True)
        async for chunk in _multiplex([self._stream(single) for _ in range(n)]):
            yield chunk

    # -- the public calls ------------------------------------------------------------------------
    async def query(self, name: str, body: Any, caller: Caller) -> dict[str, Any]:
        plan = await self._plan(name, body, caller)
        candidates = plan.order if plan.fallback else plan.order[:1]
        for i, entity in enumerate(candidates):
            try:
                answer = await self._query_entity(plan, entity)
            except ProviderError as err:
                await self._record(plan, entity, error=True)
                if i + 1 < len(candidates) and _fallback_worthy(err):
                    continue
                raise
            usage = answer.get("usage") or {}
            await self._record(plan, entity, usage=usage)
            return answer
        raise AssertionError("unreachable: at least one served entity is tried")

    async def stream(self, name: str, body: Any, caller: Caller) -> AsyncIterator[Chunk]:
        plan = await self._plan(name, body, caller)
        candidates = plan.order if plan.fallback else plan.order[:1]
        for i, entity in enumerate(candidates):
            started = False
            usage: dict[str, int] = {}
            try:
                async for chunk in self._stream_entity(plan, entity):
                    started = True
                    if chunk.get("usage"):
                        usage = chunk["usage"]
                    yield chunk
            except ProviderError as err:
                await self._record(plan, entity, error=True, usage=usage)
                if not started and i + 1 < len(candidates) and _fallback_worthy(err):
                    continue
                raise
            await self._record(plan, entity, usage=usage)
            return

    async def _record(
        self, plan: _Plan, entity: ServedEntityOutput, *, usage: dict[str, Any] | None = None, error: bool = False
    ) -> None:
        usage = usage or {}
        prompt = int(usage.get("prompt_tokens") or 0)
        completion = int(usage.get("completion_tokens") or 0)
        total = int(usage.get("total_tokens") or prompt + completion)

        def write() -> None:
            self._limiter.settle_tokens(plan.decision, total)
            self._usage.record(
                plan.endpoint.name,
                entity.effective_name,
                plan.caller.user,
                prompt_tokens=prompt,
                completion_tokens=completion,
                error=error,
            )

        await self._run(write)


def _check_request(body: Any, task: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidParameterValue(f"The request must be a JSON object, not {type(body).__name__}")
    schema = REQUEST_SCHEMAS[task]
    try:
        schema.model_validate(body)
    except ValidationError as err:
        hint = {
            TASK_CHAT: " (a chat endpoint takes 'messages')",
            TASK_COMPLETIONS: " (a completions endpoint takes 'prompt')",
            TASK_EMBEDDINGS: " (an embeddings endpoint takes 'input')",
        }[task]
        raise InvalidParameterValue(format_validation_error(err, "request") + hint) from None
    return {k: v for k, v in body.items() if k != "stream"}


def _merge_answers(answers: list[dict[str, Any]]) -> dict[str, Any]:
    """n single-choice answers -> one answer with choices 0..n-1 and summed usage."""
    merged = dict(answers[0])
    choices = []
    totals = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    for i, answer in enumerate(answers):
        for choice in answer.get("choices", [])[:1]:
            choices.append({**choice, "index": i})
        for key in totals:
            totals[key] += int((answer.get("usage") or {}).get(key) or 0)
    merged["choices"] = choices
    merged["usage"] = totals
    return merged


async def _multiplex(streams: list[AsyncIterator[Chunk]]) -> AsyncIterator[Chunk]:
    """Interleave n single-choice streams as one stream with choice index i; one summed usage chunk last."""
    queue: asyncio.Queue[tuple[int, Chunk | BaseException | None]] = asyncio.Queue()
    totals = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}

    async def pump(i: int, source: AsyncIterator[Chunk]) -> None:
        try:
            async for chunk in source:
                await queue.put((i, chunk))
        except BaseException as err:  # handed to the consumer, which re-raises it
            await queue.put((i, err))
            return
        await queue.put((i, None))

    tasks = [asyncio.create_task(pump(i, s)) for i, s in enumerate(streams)]
    last: Chunk = {}
    try:
        running = len(tasks)
        while running:
            i, item = await queue.get()
            if item is None:
                running -= 1
                continue
            if isinstance(item, BaseException):
                raise item
            if item.get("usage"):
                for key in totals:
                    totals[key] += int(item["usage"].get(key) or 0)
            if not item.get("choices"):
                continue
            last = item
            yield {**item, "choices": [{**c, "index": i} for c in item["choices"]]}
        if last:
            yield {**last, "choices": [], "usage": totals}
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _redacted(err: SwitchboardError, redact: Redactor) -> SwitchboardError:
    """The error with every secret value blanked out of its message (provider text may echo a key)."""
    err.message = redact(err.message)
    err.args = (err.message,)
    return err
