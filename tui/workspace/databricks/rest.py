"""The backend's own HTTP client: Databricks REST calls with a bearer token, errors as our typed errors.

Not the official clients' behaviour on purpose: a 429 is raised at once with its ``Retry-After``
(the app shows it) instead of being retried silently for minutes. Error bodies ``{"error_code",
"message"}`` become the matching :class:`~tui.domain.errors.SwitchboardError`; the token is never
quoted in a message.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tui.domain.errors import (
    ProviderTimeout,
    ProviderUnreachable,
    StreamInterrupted,
    SwitchboardError,
    error_from_code,
)
from tui.transport.errors import provider_message, retry_after_seconds
from tui.transport.redact import Redactor
from tui.transport.sse import aiter_sse
from tui.transport.timeouts import Timeouts

_STATUS_CODES = {
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "ENDPOINT_NOT_FOUND",
    429: "REQUEST_LIMIT_EXCEEDED",
    501: "NOT_IMPLEMENTED",
    503: "TEMPORARILY_UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
"""The code of an error answer without one, by status (as the Databricks SDK falls back)."""
_SYNONYMS = {"ALREADY_EXISTS": "RESOURCE_ALREADY_EXISTS", "RESOURCE_EXHAUSTED": "REQUEST_LIMIT_EXCEEDED"}
"""Codes the SDK treats as one of ours."""


class RestClient:
    """One pooled httpx client for one host; every answer is JSON or a typed error.

    A second, synchronous client is built on first use, for the few reads the protocol makes
    synchronous (who the token's user is, usage); its callers keep it off an event loop.
    """

    def __init__(self, host: str, token: str, timeouts: Timeouts | None = None) -> None:
        self.host = host.rstrip("/")
        self.timeouts = timeouts or Timeouts()
        self._redact = Redactor().extended([token])
        self._options: dict[str, Any] = {
            "base_url": self.host,
            "headers": {"Authorization": f"Bearer {token}", "User-Agent": "switchboard"},
            "timeout": httpx.Timeout(self.timeouts.read, connect=self.timeouts.connect),
            "follow_redirects": False,
        }
        self._client = httpx.AsyncClient(**self._options)
        self._sync: httpx.Client | None = None
        self._sync_lock = threading.Lock()

    async def aclose(self) -> None:
        await self._client.aclose()
        with self._sync_lock:
            if self._sync is not None:
                self._sync.close()

    async def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, str] | None = None,
        bearer: str | None = None,
    ) -> Any:
        """Send one request and return its JSON answer (``{}`` for an empty one).

        ``bearer``: send this token instead of the client's own (to ask whose it is); it is kept out of
        messages as the client's own is.
        """
        headers = None if bearer is None else {"Authorization": f"Bearer {bearer}"}
        with self._mapped(bearer):
            resp = await self._client.request(method, path, json=body, params=params, headers=headers)
            return self._answer(resp, method, path, bearer)

    def call_sync(self, method: str, path: str, *, params: dict[str, str] | None = None) -> Any:
        """:meth:`call`, blocking: for the synchronous parts of the protocol (never on an event loop)."""
        with self._sync_lock:
            if self._sync is None:
                self._sync = httpx.Client(**self._options)
            client = self._sync
        with self._mapped(None):
            return self._answer(client.request(method, path, params=params), method, path, None)

    def _answer(self, resp: httpx.Response, method: str, path: str, bearer: str | None) -> Any:
        if resp.status_code >= 400:
            raise self.error(resp.status_code, resp.headers, resp.content, also_secret=bearer)
        if not resp.content:
            return {}
        try:
            return resp.json()
        except ValueError:
            raise SwitchboardError(f"{self.host} answered {method} {path} with a body that is not JSON") from None

    async def stream(self, path: str, body: Any) -> AsyncIterator[dict[str, Any]]:
        """POST ``body`` and yield each ``data:`` JSON object of the SSE answer until ``data: [DONE]``.

        A ``data:`` line holding an error body (what ``serve`` sends when the provider fails mid-stream)
        raises that error; an answer without ``[DONE]`` is incomplete. Each network read is bounded by
        the read timeout, so a stalled stream ends too.
        """
        chunks = 0
        with self._mapped():
            async with self._client.stream("POST", path, json=body) as resp:
                if resp.status_code >= 400:
                    raise self.error(resp.status_code, resp.headers, await resp.aread())
                try:
                    async for event in aiter_sse(resp.aiter_bytes()):
                        if event.data == "[DONE]":
                            return
                        chunk = json.loads(event.data)
                        if isinstance(chunk, dict) and "error_code" in chunk:
                            raise self.error(502, {}, chunk)
                        chunks += 1
                        yield chunk
                except (httpx.RemoteProtocolError, httpx.ReadError) as err:
                    raise StreamInterrupted(
                        f"The stream from {self.host} was cut after {chunks} chunk(s): {err}"
                    ) from None
                except ValueError:
                    raise StreamInterrupted(f"The stream from {self.host} sent a chunk that is not JSON") from None
        raise StreamInterrupted(f"The stream from {self.host} ended after {chunks} chunk(s) without [DONE]")

    def error(self, status: int, headers: Any, body: Any, *, also_secret: str | None = None) -> SwitchboardError:
        """The typed error for an error answer: its ``error_code`` when it has one, else one from the status.

        ``also_secret``: another value to keep out of the message (a token being checked)."""
        data = body
        if isinstance(body, (bytes, str)):
            try:
                data = json.loads(body)
            except ValueError:
                data = None
        retry = retry_after_seconds(headers) if status in (429, 503) else None
        message = self._redactor(also_secret)(provider_message(body if data is None else data))
        code = data.get("error_code") if isinstance(data, dict) else None
        if isinstance(code, str) and code:
            code = "REQUEST_LIMIT_EXCEEDED" if status == 429 else _SYNONYMS.get(code, code)
            err = error_from_code(code, message, retry_after=retry)
        else:
            code = _STATUS_CODES.get(status, "INTERNAL_ERROR")
            err = error_from_code(code, f"{self.host} answered {status}: {message}", retry_after=retry)
        if type(err) is SwitchboardError:
            err.http_status = status
        return err

    def _redactor(self, also_secret: str | None) -> Redactor:
        return self._redact if also_secret is None else self._redact.extended([also_secret])

    @contextmanager
    def _mapped(self, also_secret: str | None = None) -> Iterator[None]:
        redact = self._redactor(also_secret)
        try:
            yield
        except httpx.TimeoutException:
            raise ProviderTimeout(f"{self.host} did not answer in time", provider="Databricks") from None
        except (httpx.ConnectError, httpx.UnsupportedProtocol, httpx.InvalidURL) as err:
            raise ProviderUnreachable(f"Cannot reach {self.host}: {redact(str(err))}", provider="Databricks") from None
        except httpx.HTTPError as err:
            raise SwitchboardError(f"The connection to {self.host} failed: {redact(str(err))}") from None
