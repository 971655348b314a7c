"""Typed errors carrying the Databricks error code and the HTTP status a server answers with.

Every layer raises these; the CLI prints ``Error: <message> (<CODE>)`` and the server turns them
into ``{"error_code", "message"}`` bodies. Messages are written for a person, not a log parser.
"""

from __future__ import annotations

from tui.domain.text import printable


class SwitchboardError(Exception):
    """Base of every error Switchboard reports to a user.

    Its message often quotes what came from outside (a provider's error body, a name someone typed),
    so it is made printable whenever it is set: no error can carry an escape sequence to a terminal.
    """

    error_code: str = "INTERNAL_ERROR"
    http_status: int = 500

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__()
        self.message = message
        self.retry_after = retry_after

    @property
    def message(self) -> str:
        return self._message

    @message.setter
    def message(self, value: str) -> None:
        self._message = printable(value)
        self.args = (self._message,)

    def to_json(self) -> dict[str, str]:
        return {"error_code": self.error_code, "message": self.message}

    def __str__(self) -> str:
        return self.message


class InvalidParameterValue(SwitchboardError):
    error_code = "INVALID_PARAMETER_VALUE"
    http_status = 400


class InvalidState(SwitchboardError):
    """The resource exists but cannot do this now (an endpoint whose first configuration is still rolling out)."""

    error_code = "INVALID_STATE"
    http_status = 400


class ResourceDoesNotExist(SwitchboardError):
    error_code = "RESOURCE_DOES_NOT_EXIST"
    http_status = 404


class ResourceAlreadyExists(SwitchboardError):
    error_code = "RESOURCE_ALREADY_EXISTS"
    http_status = 400


class ResourceLimitExceeded(SwitchboardError):
    error_code = "RESOURCE_LIMIT_EXCEEDED"
    http_status = 400


class ResourceConflict(SwitchboardError):
    error_code = "RESOURCE_CONFLICT"
    http_status = 409


class RequestLimitExceeded(SwitchboardError):
    """A rate limit refused the call; ``retry_after`` says in how many seconds it would pass."""

    error_code = "REQUEST_LIMIT_EXCEEDED"
    http_status = 429


class WorkspaceUnavailable(SwitchboardError):
    """The workspace store cannot be opened or read (bad path, newer schema, corrupt file)."""

    error_code = "TEMPORARILY_UNAVAILABLE"
    http_status = 503


_BY_CODE: dict[str, type[SwitchboardError]] = {
    cls.error_code: cls
    for cls in (
        InvalidParameterValue,
        InvalidState,
        ResourceDoesNotExist,
        ResourceAlreadyExists,
        ResourceLimitExceeded,
        ResourceConflict,
        RequestLimitExceeded,
        WorkspaceUnavailable,
    )
}


def error_from_code(error_code: str, message: str, *, retry_after: float | None = None) -> SwitchboardError:
    """Rebuild a typed error from a Databricks ``{"error_code", "message"}`` body."""
    cls = _BY_CODE.get(error_code)
    if cls is None:
        err = SwitchboardError(message, retry_after=retry_after)
        err.error_code = error_code
        return err
    return cls(message, retry_after=retry_after)


class ProviderError(SwitchboardError):
    """A provider (OpenAI, Anthropic, ...) failed the call. ``error_type`` is the unified type."""

    error_code = "BAD_GATEWAY"
    http_status = 502
    error_type = "provider_error"

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        provider_status: int | None = None,
        provider_request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, retry_after=retry_after)
        self.provider = provider
        self.provider_status = provider_status
        self.provider_request_id = provider_request_id

    def unified_json(self) -> dict[str, object]:
        """The unified error body of providers.md §0.5."""
        return {
            "error": {
                "message": self.message,
                "type": self.error_type,
                "code": self.error_code,
                "param": None,
                "provider": self.provider,
                "provider_status": self.provider_status,
                "provider_request_id": self.provider_request_id,
            }
        }


class ProviderRequestError(ProviderError):
    """The provider refused the request itself (400, 404 model, 413, 422)."""

    error_code = "INVALID_PARAMETER_VALUE"
    http_status = 400
    error_type = "invalid_request_error"


class ProviderAuthError(ProviderError):
    """The stored credential was refused (401/403): the caller cannot fix it, the endpoint's owner can."""

    error_code = "PERMISSION_DENIED"
    error_type = "provider_auth_error"


class ProviderRateLimited(ProviderError):
    error_code = "REQUEST_LIMIT_EXCEEDED"
    http_status = 429
    error_type = "rate_limit_error"


class ProviderOverloaded(ProviderError):
    error_code = "TEMPORARILY_UNAVAILABLE"
    http_status = 503
    error_type = "overloaded"


class ProviderTimeout(ProviderError):
    error_code = "DEADLINE_EXCEEDED"
    http_status = 504
    error_type = "timeout"


class ProviderUnreachable(ProviderError):
    """No connection could be made (refused, DNS, TLS)."""

    error_code = "TEMPORARILY_UNAVAILABLE"
    error_type = "provider_unreachable"


class ProviderProtocolError(ProviderError):
    """The provider answered something we cannot read (not JSON, a malformed chunk)."""

    error_type = "provider_error"


class StreamInterrupted(ProviderError):
    """A stream ended before it was complete (connection cut, no end marker).

    The chunks yielded before it are valid: a consumer keeps them and marks the answer incomplete.
    """

    error_type = "stream_interrupted"
