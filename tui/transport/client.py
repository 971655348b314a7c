"""The shared HTTP client: one pooled ``httpx.AsyncClient`` per workspace, and the only code that sends.

Failures become typed errors (see ``tui.domain.errors``) whose text is passed through a
:class:`~tui.transport.redact.Redactor`, so a secret value never reaches a message.
"""

from __future__ import annotations

import asyncio
import functools
import json
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx

from tui.domain.errors import (
    ProviderError,
    ProviderProtocolError,
    ProviderTimeout,
    ProviderUnreachable,
    StreamInterrupted,
)
from tui.transport.errors import error_from_response
from tui.transport.eventstream import EventMessage, EventStreamError, EventStreamTruncated, aiter_eventstream
from tui.transport.messages import HttpRequest, HttpResponse, TokenCache
from tui.transport.network import NO_CONTEXT, http_transport
from tui.transport.redact import Redactor, credentials_in
from tui.transport.sse import SseEvent, aiter_sse
from tui.transport.timeouts import Timeouts

__all__ = ["HttpRequest", "HttpResponse", "TokenCache", "Transport"]


def no_cookies() -> CookieJar:
    """A cookie jar that keeps nothing. A provider's cookies must not go with later calls: under
    ``switchboard serve`` one client makes every user's calls, so one user's cookie would reach another's."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


class _IdleWatchdog:
    """Cancels the current task when nothing arrived for ``seconds``; one timer, re-armed lazily.

    ``touch()`` costs one float assignment, so it can run on every event of a fast stream.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False
        self.waiting = False  # only a wait on the network counts, not a slow consumer
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._last = self._loop.time()
        self._handle = self._loop.call_at(self._last + seconds, self._check, context=NO_CONTEXT)

    def touch(self) -> None:
        self._last = self._loop.time()

    def _check(self) -> None:
        now = self._loop.time()
        if not self.waiting:
            self._last = now
        due = self._last + self.seconds
        if now >= due:
            self.fired = True
            if self._task is not None:
                self._task.cancel()
        else:
            self._handle = self._loop.call_at(due, self._check, context=NO_CONTEXT)

    def stop(self) -> None:
        self._handle.cancel()
        if self.fired and self._task is not None and hasattr(self._task, "uncancel"):
            self._task.uncancel()


class Transport:
    def __init__(self, timeouts: Timeouts | None = None, *, client: httpx.AsyncClient | None = None) -> None:
        self.timeouts = timeouts or Timeouts()
        self.tokens = TokenCache()
        # Direct routes go through the asyncio-native backend (tui.transport.network). A proxy from the
        # environment (HTTPS_PROXY, ALL_PROXY, ... with trust_env) and NO_PROXY hosts match more specific
        # patterns than "all://" and keep httpx's default transport.
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(self.timeouts.read, connect=self.timeouts.connect),
            limits=limits,
            mounts={"all://": http_transport(limits)},
            follow_redirects=False,
            cookies=no_cookies(),
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    def _build(self, req: HttpRequest, provider: str) -> httpx.Request:
        _check_url(req.url, provider)
        if req.form is not None:
            return self._client.build_request(
                req.method, req.url, headers=req.headers, data=req.form, params=req.params
            )
        content = req.content
        if content is None and req.json is not None:
            content = json.dumps(req.json, separators=(",", ":")).encode()
        headers = dict(req.headers)
        if content is not None:
            headers.setdefault("content-type", "application/json")
        return self._client.build_request(req.method, req.url, headers=headers, content=content, params=req.params)

    @contextmanager
    def _mapped(self, provider: str, url: str, redact: Redactor) -> Iterator[None]:
        """Turns httpx failures into typed errors and redacts every message."""
        try:
            yield
        except ProviderError as err:
            err.message = redact(err.message)
            err.args = (err.message,)
            raise
        except httpx.TimeoutException as err:
            phase = "connect" if isinstance(err, httpx.ConnectTimeout) else "answer"
            limit = self.timeouts.connect if phase == "connect" else self.timeouts.read
            raise ProviderTimeout(
                redact(f"{provider} did not {phase} within {limit:g} s ({_origin(url)})"), provider=provider
            ) from None
        except (httpx.ConnectError, httpx.UnsupportedProtocol, httpx.InvalidURL) as err:
            raise ProviderUnreachable(
                redact(f"Cannot reach {provider} at {_origin(url)}: {_reason(err)}"), provider=provider
            ) from None
        except httpx.HTTPError as err:
            raise ProviderProtocolError(
                redact(f"{provider} connection failed ({_origin(url)}): {_reason(err)}"), provider=provider
            ) from None

    async def send(self, req: HttpRequest, *, provider: str, redact: Redactor | None = None) -> HttpResponse:
        """Send and read a JSON answer (credentials blanked out of it); HTTP errors raise typed errors."""
        redact = _for_request(redact, req)
        with self._mapped(provider, req.url, redact):
            try:
                resp = await self._client.send(self._build(req, provider))
            except httpx.RemoteProtocolError as err:
                raise ProviderProtocolError(
                    f"{provider} closed the connection before the whole answer arrived ({_reason(err)})",
                    provider=provider,
                ) from None
            if resp.status_code >= 400:
                raise error_from_response(provider, resp.status_code, resp.headers, resp.content)
            try:
                body = json.loads(redact(resp.text)) if redact else resp.json()
            except ValueError:
                kind = resp.headers.get("content-type", "no content type")
                raise ProviderProtocolError(
                    f"{provider} answered {resp.status_code} with a body that is not JSON ({kind})",
                    provider=provider,
                    provider_status=resp.status_code,
                ) from None
            return HttpResponse(resp.status_code, resp.headers, body)

    async def stream(
        self, req: HttpRequest, *, provider: str, redact: Redactor | None = None
    ) -> AsyncIterator[SseEvent | EventMessage]:
        """Send and yield the events of the answer as they arrive, credentials blanked out: server-sent
        events, or AWS event-stream messages when ``req.framing`` is ``"eventstream"``."""
        redact = _for_request(redact, req)
        events = 0
        with self._mapped(provider, req.url, redact):
            resp = await self._client.send(self._build(req, provider), stream=True)
            try:
                if resp.status_code >= 400:
                    body = await resp.aread()
                    raise error_from_response(provider, resp.status_code, resp.headers, body)
                watchdog = _IdleWatchdog(self.timeouts.idle)
                binary = req.framing == "eventstream"
                source: AsyncIterator[SseEvent | EventMessage] = (
                    aiter_eventstream(resp.aiter_bytes()) if binary else aiter_sse(resp.aiter_bytes())
                )
                try:
                    while True:
                        watchdog.waiting = True
                        try:
                            event = await source.__anext__()
                        except StopAsyncIteration:
                            break
                        finally:
                            watchdog.waiting = False
                            watchdog.touch()
                        events += 1
                        if redact:
                            _scrub(event, redact)
                        yield event
                except asyncio.CancelledError:
                    if watchdog.fired:
                        raise ProviderTimeout(
                            f"The {provider} stream stalled: nothing arrived for {self.timeouts.idle:g} s "
                            f"after {events} event(s)",
                            provider=provider,
                        ) from None
                    raise
                except (httpx.RemoteProtocolError, httpx.ReadError, EventStreamTruncated) as err:
                    raise StreamInterrupted(
                        f"The {provider} stream was cut after {events} event(s) ({_reason(err)})",
                        provider=provider,
                    ) from None
                except EventStreamError as err:
                    raise ProviderProtocolError(
                        f"{provider} sent a malformed stream frame after {events} event(s): {err}",
                        provider=provider,
                    ) from None
                finally:
                    watchdog.stop()
            finally:
                await resp.aclose()


def _scrub(event: SseEvent | EventMessage, redact: Redactor) -> None:
    """Blank the request's credentials out of an event's text."""
    if isinstance(event, SseEvent):
        event.data = redact(event.data)
    else:
        event.payload = redact(event.payload.decode("utf-8", "replace")).encode("utf-8")


def _for_request(redact: Redactor | None, req: HttpRequest) -> Redactor:
    """The call's redactor plus the credentials this request carries in headers, parameters or form."""
    return (redact or Redactor()).extended(credentials_in(req.headers, req.params, req.form))


def _check_url(url: str, provider: str) -> None:
    """Refuses a URL no connection can be made to with a clear error (httpx would raise an
    ``OverflowError`` inside an exception group for a port of 99999)."""
    problem = _url_problem(url)
    if problem:
        raise ProviderUnreachable(f"Cannot reach {provider} at '{url[:200]}': {problem}", provider=provider)


@functools.lru_cache(maxsize=256)  # parsing costs ~20 us a call, and a workspace sends to a handful of URLs
def _url_problem(url: str) -> str | None:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as err:
        return str(err)
    if parsed.scheme not in ("http", "https"):
        return f"the scheme must be http or https, not '{parsed.scheme}'"
    if not parsed.host:
        return "it has no host"
    if parsed.port is not None and not 0 < parsed.port < 65536:
        return f"port {parsed.port} is out of range (1-65535)"
    return None


def _origin(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except Exception:
        return url[:80]
    return f"{parsed.scheme}://{parsed.host}{':' + str(parsed.port) if parsed.port else ''}"


def _reason(err: BaseException) -> str:
    """A short human reason, looking through the chain of causes for the OS-level one."""
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, socket.gaierror):
            return "unknown host"
        seen = seen.__cause__ or seen.__context__
    text = str(err) or type(err).__name__
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "unknown host"
    return text[:200]
