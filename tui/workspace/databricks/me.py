"""Who the profile's token stands for: ``GET /api/2.0/preview/scim/v2/Me``, asked once, when first needed.

A Databricks workspace and ``switchboard serve`` both answer it. The user name is what per-user rate
limits count and the header shows; membership of the ``admins`` group is what lets the token manage
other users' tokens (``serve`` puts an admin token's user there).
"""

from __future__ import annotations

import threading
from typing import Any

from tui.domain.errors import SwitchboardError, error_from_code
from tui.workspace.databricks.rest import RestClient
from tui.workspace.tokens import Identity

ME = "/api/2.0/preview/scim/v2/Me"
ADMINS = "admins"
REFUSED = frozenset({401, 403})


def identity_of(host: str, answer: Any) -> Identity:
    """The identity in a SCIM ``User`` answer; one without a ``userName`` is the server's mistake."""
    name = answer.get("userName") if isinstance(answer, dict) else None
    if not isinstance(name, str) or not name:
        raise SwitchboardError(f"{host} answered {ME} without a userName")
    groups = answer.get("groups")
    admin = isinstance(groups, list) and any(isinstance(g, dict) and g.get("display") == ADMINS for g in groups)
    return Identity(name, admin)


class CurrentUser:
    """The identity of ``rest``'s own token, kept once known (from a coroutine or a thread alike)."""

    def __init__(self, rest: RestClient, profile: str) -> None:
        self._rest = rest
        self._profile = profile
        self._known: Identity | None = None
        self._lock = threading.Lock()

    @property
    def known(self) -> Identity | None:
        """The identity if already learnt; never asks."""
        return self._known

    async def get(self) -> Identity:
        if self._known is None:
            try:
                answer = await self._rest.call("GET", ME)
            except SwitchboardError as err:
                raise self._explained(err) from None
            self._known = identity_of(self._rest.host, answer)
        return self._known

    def get_sync(self) -> Identity:
        """:meth:`get`, blocking (the protocol's ``user`` is a plain property)."""
        with self._lock:
            if self._known is None:
                try:
                    answer = self._rest.call_sync("GET", ME)
                except SwitchboardError as err:
                    raise self._explained(err) from None
                self._known = identity_of(self._rest.host, answer)
            return self._known

    def _explained(self, err: SwitchboardError) -> SwitchboardError:
        """A refused token said as such, naming the profile; any other failure as it is."""
        if not is_refusal(err):
            return err
        refused = error_from_code(
            err.error_code,
            f"{self._rest.host} refused the token of profile '{self._profile}' when asked whose it is "
            f"({err.message}); it may be mistyped, revoked or expired: put a valid one in the profile",
        )
        refused.http_status = err.http_status
        return refused


def is_refusal(err: SwitchboardError) -> bool:
    """The server refused the token itself (401/403), as opposed to failing otherwise."""
    return err.http_status in REFUSED or err.error_code in ("UNAUTHENTICATED", "PERMISSION_DENIED")
