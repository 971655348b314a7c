"""Following an update: when it looks, what it reports, how it ends (deleted, failed, workspace down, too long)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tui.domain.base import parse_stored
from tui.domain.endpoints import ServingEndpointDetailed
from tui.domain.errors import ResourceDoesNotExist, SwitchboardError, WorkspaceUnavailable
from tui.manage.rollout_watch import FIRST_DELAYS, MAX_FAILURES, MAX_LOOKS, STEADY_DELAY, follow, outcome


def endpoint(update: str, *, serving: int | None = 1, pending: int | None = 2, message: str = "") -> Any:
    doc: dict[str, Any] = {
        "name": "ep",
        "state": {"ready": "READY" if serving else "NOT_READY", "config_update": update},
    }
    if serving:
        doc["config"] = {"served_entities": [], "config_version": serving}
    if pending:
        entity = {"name": "a", "state": {"deployment": "DEPLOYMENT_FAILED", "deployment_state_message": message}}
        doc["pending_config"] = {"served_entities": [entity], "config_version": pending}
    return parse_stored(ServingEndpointDetailed, doc)


class Workspace:
    """Answers ``get`` from a script: endpoints to return or errors to raise, one per look."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers: Iterator[Any] = iter(answers)
        self.looks = 0

    async def get(self) -> ServingEndpointDetailed:
        self.looks += 1
        answer = next(self.answers)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[no-any-return]


class Sleeps(list[float]):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


async def test_it_looks_often_at_first_then_steadily_and_reports_each_new_state_once() -> None:
    updating = endpoint("IN_PROGRESS")
    done = endpoint("NOT_UPDATING", serving=2, pending=None)
    answers = [updating] * (len(FIRST_DELAYS) + 2) + [done]
    workspace, sleeps, seen = Workspace(answers), Sleeps(), []
    ended = await follow(workspace.get, seen.append, sleep=sleeps)
    assert ended == done
    assert seen == [updating, done]  # the same state again is not news
    assert sleeps == [*FIRST_DELAYS, STEADY_DELAY, STEADY_DELAY, STEADY_DELAY]


async def test_a_deleted_endpoint_ends_the_watch_quietly() -> None:
    workspace = Workspace([endpoint("IN_PROGRESS"), ResourceDoesNotExist("Endpoint 'ep' does not exist")])
    assert await follow(workspace.get, lambda _e: None, sleep=Sleeps()) is None
    assert workspace.looks == 2


async def test_a_blip_is_retried_but_an_outage_is_reported() -> None:
    blip = WorkspaceUnavailable("down")
    recovered = Workspace([blip] * (MAX_FAILURES - 1) + [endpoint("NOT_UPDATING", pending=None)])
    assert await follow(recovered.get, lambda _e: None, sleep=Sleeps()) is not None

    down = Workspace([endpoint("IN_PROGRESS")] + [blip] * MAX_FAILURES)
    with pytest.raises(SwitchboardError, match="down"):
        await follow(down.get, lambda _e: None, sleep=Sleeps())
    assert down.looks == 1 + MAX_FAILURES


async def test_an_update_that_never_ends_is_given_up_after_a_bounded_number_of_looks() -> None:
    workspace = Workspace([endpoint("IN_PROGRESS")] * (MAX_LOOKS + 1))
    assert await follow(workspace.get, lambda _e: None, sleep=Sleeps()) is None
    assert workspace.looks == MAX_LOOKS


@pytest.mark.parametrize(
    ("ended", "sentence", "failed"),
    [
        (endpoint("NOT_UPDATING", serving=3, pending=None), "Endpoint ep is ready: config version 3 serves", False),
        (
            endpoint("UPDATE_FAILED", message="Secret key 'k' does not exist in scope 's'"),
            "Endpoint ep: the update failed: Secret key 'k' does not exist in scope 's' "
            "(the previous configuration still serves)",
            True,
        ),
        (
            endpoint("UPDATE_FAILED", serving=None, pending=1),
            "Endpoint ep: the update failed (it serves nothing yet)",
            True,
        ),
        (endpoint("UPDATE_CANCELED", pending=None), "Endpoint ep: the update was cancelled", True),
    ],
)
def test_how_an_update_ended_is_said_plainly(ended: Any, sentence: str, failed: bool) -> None:
    assert outcome(ended) == (sentence, failed)
