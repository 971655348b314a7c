"""A configuration rolling out on the local workspace (``rollout_seconds``), in the states Databricks shows.

The repository's clock is a variable here, so a rollout's end is a step of the test, not a wait.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.payloads import OPENAI_COMPLETIONS, OPENAI_SCOPE
from tui.domain.base import parse_user_input
from tui.domain.endpoints import CreateServingEndpoint, EndpointCoreConfigInput, ServingEndpointDetailed
from tui.domain.errors import InvalidState, ResourceConflict
from tui.domain.gateway import RateLimit
from tui.workspace.local.endpoints_repo import EndpointsRepo
from tui.workspace.local.secrets_repo import SecretsRepo
from tui.workspace.local.store import Store
from tui.workspace.local.workspace import LocalWorkspace

NAME = OPENAI_COMPLETIONS["name"]
ROLLOUT_S = 30.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "ws.db")
    secrets = SecretsRepo(store)
    secrets.create_scope(OPENAI_SCOPE)
    secrets.put_secret(OPENAI_SCOPE, "openai_api_key", b"sk-test")
    secrets.put_secret(OPENAI_SCOPE, "other_key", b"sk-other")
    return store


@pytest.fixture
def repo(store: Store, clock: Clock) -> EndpointsRepo:
    return EndpointsRepo(store, "tester", rollout_seconds=ROLLOUT_S, clock=clock)


def create(repo: EndpointsRepo) -> ServingEndpointDetailed:
    return repo.create(parse_user_input(CreateServingEndpoint, copy.deepcopy(OPENAI_COMPLETIONS), "endpoint"))


def config_using(key: str) -> EndpointCoreConfigInput:
    config: dict[str, Any] = copy.deepcopy(OPENAI_COMPLETIONS["config"])
    config["served_entities"][0]["external_model"]["openai_config"]["openai_api_key"] = (
        f"{{{{secrets/{OPENAI_SCOPE}/{key}}}}}"
    )
    return parse_user_input(EndpointCoreConfigInput, config, "config")


def states(endpoint: ServingEndpointDetailed) -> tuple[str | None, str | None]:
    assert endpoint.state is not None
    return endpoint.state.ready, endpoint.state.config_update


def deployments(config: Any) -> list[tuple[str | None, str | None]]:
    return [(e.state.deployment, e.state.deployment_state_message) for e in config.served_entities]


def test_a_new_endpoint_is_not_ready_until_its_first_config_has_rolled_out(repo: EndpointsRepo, clock: Clock) -> None:
    created = create(repo)
    assert states(created) == ("NOT_READY", "IN_PROGRESS")
    assert created.config is None
    assert created.pending_config is not None and created.pending_config.config_version == 1
    assert created.pending_config.start_time == int(clock.now * 1000)
    assert deployments(created.pending_config) == [("DEPLOYMENT_CREATING", "Config version 1 is rolling out")]
    assert "_rollout" not in json.dumps(created.to_json())  # the bookkeeping is never handed out

    clock.now += ROLLOUT_S - 1
    assert states(repo.get(NAME)) == ("NOT_READY", "IN_PROGRESS")
    clock.now += 1
    ready = repo.get(NAME)
    assert states(ready) == ("READY", "NOT_UPDATING")
    assert ready.pending_config is None
    assert ready.config is not None and ready.config.config_version == 1
    assert deployments(ready.config) == [("DEPLOYMENT_READY", "")]
    assert "_rollout" not in json.dumps(ready.to_json())


def test_the_old_config_serves_while_an_update_rolls_out_and_a_second_update_is_refused(
    repo: EndpointsRepo, clock: Clock
) -> None:
    create(repo)
    clock.now += ROLLOUT_S
    updating = repo.update_config(NAME, config_using("other_key"))
    assert states(updating) == ("READY", "IN_PROGRESS")
    assert updating.config is not None and updating.config.config_version == 1
    assert updating.pending_config is not None and updating.pending_config.config_version == 2
    assert repo.for_query(NAME).config == updating.config  # queries still reach version 1

    with pytest.raises(ResourceConflict, match=r"being updated \(config version 2 is rolling out\)") as refused:
        repo.update_config(NAME, config_using("openai_api_key"))
    assert refused.value.http_status == 409
    assert repo.get(NAME).pending_config == updating.pending_config  # the refused one changed nothing

    clock.now += ROLLOUT_S
    done = repo.get(NAME)
    assert states(done) == ("READY", "NOT_UPDATING")
    assert done.config is not None and done.config.config_version == 2
    entity = done.config.served_entities[0].external_model
    assert entity is not None and "other_key" in json.dumps(entity.to_json())
    assert repo.update_config(NAME, config_using("openai_api_key")).pending_config is not None  # free again


def test_querying_a_new_endpoint_before_it_is_ready_says_so(repo: EndpointsRepo, clock: Clock) -> None:
    create(repo)
    with pytest.raises(InvalidState, match="not ready yet: its first configuration is still rolling out") as refused:
        repo.for_query(NAME)
    assert refused.value.to_json()["error_code"] == "INVALID_STATE"
    clock.now += ROLLOUT_S
    assert repo.for_query(NAME).config is not None


def test_an_update_fails_when_its_secret_is_deleted_before_it_is_in_and_the_old_config_stays(
    repo: EndpointsRepo, store: Store, clock: Clock
) -> None:
    create(repo)
    clock.now += ROLLOUT_S
    repo.update_config(NAME, config_using("other_key"))
    SecretsRepo(store).delete_secret(OPENAI_SCOPE, "other_key")
    clock.now += ROLLOUT_S

    failed = repo.get(NAME)
    assert states(failed) == ("READY", "UPDATE_FAILED")
    assert failed.config is not None and failed.config.config_version == 1
    assert failed.pending_config is not None
    [(deployment, message)] = deployments(failed.pending_config)
    assert deployment == "DEPLOYMENT_FAILED"
    assert message is not None and "other_key" in message and OPENAI_SCOPE in message
    assert repo.for_query(NAME).config == failed.config  # version 1 still answers

    retried = repo.update_config(NAME, config_using("openai_api_key"))
    assert states(retried) == ("READY", "IN_PROGRESS")
    assert retried.pending_config is not None and retried.pending_config.config_version == 3


def test_a_new_endpoint_whose_first_config_failed_cannot_be_queried(
    repo: EndpointsRepo, store: Store, clock: Clock
) -> None:
    create(repo)
    SecretsRepo(store).delete_secret(OPENAI_SCOPE, "openai_api_key")
    clock.now += ROLLOUT_S
    assert states(repo.get(NAME)) == ("NOT_READY", "UPDATE_FAILED")
    with pytest.raises(InvalidState, match="failed to roll out"):
        repo.for_query(NAME)


def test_the_first_reader_finishes_a_rollout_once_for_everyone(repo: EndpointsRepo, store: Store, clock: Clock) -> None:
    create(repo)
    clock.now += ROLLOUT_S
    [listed] = repo.list()
    assert states(listed) == ("READY", "NOT_UPDATING")
    # another process's repository, with a clock before the end, reads the stored outcome
    other = EndpointsRepo(Store(store.path), "other", rollout_seconds=ROLLOUT_S, clock=lambda: 0.0)
    assert other.get(NAME).to_json() == listed.to_json()


def test_rate_limits_and_tags_can_change_while_a_config_rolls_out(repo: EndpointsRepo) -> None:
    from tui.domain.gateway import PatchTagsRequest, RateLimit, Tag

    create(repo)
    assert repo.put_rate_limits(NAME, [RateLimit(calls=5, renewal_period="minute")])[0].calls == 5
    assert repo.patch_tags(NAME, PatchTagsRequest(add_tags=[Tag(key="k", value="v")]))[-1].key == "k"
    assert states(repo.get(NAME)) == ("NOT_READY", "IN_PROGRESS")


async def test_the_workspace_passes_its_rollout_time_to_every_user(tmp_path: Path) -> None:
    ws = LocalWorkspace(tmp_path / "ws.db", user="owner", rollout_seconds=ROLLOUT_S)
    try:
        await ws.create_scope(OPENAI_SCOPE)
        await ws.put_secret(OPENAI_SCOPE, "openai_api_key", b"sk-test")
        alice = ws.as_user("alice")
        created = await alice.create_endpoint(
            parse_user_input(CreateServingEndpoint, copy.deepcopy(OPENAI_COMPLETIONS), "endpoint")
        )
        assert states(created) == ("NOT_READY", "IN_PROGRESS")
        with pytest.raises(InvalidState, match="not ready yet"):
            await ws.query(NAME, {"prompt": "hi"})
    finally:
        await ws.aclose()


def test_a_query_sees_each_change_to_its_endpoint_whoever_made_it(tmp_path: Path, store: Store, clock: Clock) -> None:
    """Queries of an unchanged endpoint share one parsed copy; a change, here or by another process (another
    repository on the same file), is seen by the next query."""
    mine = EndpointsRepo(store, "tester", clock=clock)
    other = EndpointsRepo(Store(tmp_path / "ws.db"), "someone", clock=clock)
    create(mine)
    first = mine.for_query(NAME)
    assert mine.for_query(NAME) == first

    other.update_config(NAME, config_using("other_key"))
    changed = mine.for_query(NAME)
    assert changed.config is not None and changed.config.config_version == 2
    assert "other_key" in json.dumps(changed.to_json())

    other.put_rate_limits(NAME, [RateLimit(calls=5, key="user")])
    assert [r.calls for r in mine.for_query(NAME).rate_limits or []] == [5]
    assert first.config is not None and first.config.config_version == 1  # what a query got is never changed
