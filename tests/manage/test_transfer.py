"""Export every endpoint and import it into another workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.domain.endpoints import CreateServingEndpoint
from tui.domain.errors import InvalidParameterValue, ResourceAlreadyExists, ResourceDoesNotExist
from tui.manage.transfer import export_endpoints, import_endpoints, parse_bodies
from tui.workspace.local.workspace import LocalWorkspace


def _body(name: str, openai_config: dict[str, str]) -> dict[str, object]:
    return {
        "name": name,
        "config": {
            "served_entities": [
                {
                    "name": name,
                    "external_model": {
                        "name": "gpt-4o",
                        "provider": "openai",
                        "task": "llm/v1/chat",
                        "openai_config": openai_config,
                    },
                }
            ]
        },
        "rate_limits": [{"key": "user", "renewal_period": "minute", "calls": 5}],
        "tags": [{"key": "team", "value": "ml"}],
        "description": "d",
        "ai_gateway": {
            "usage_tracking_config": {"enabled": True},
            "rate_limits": [{"key": "endpoint", "renewal_period": "minute", "tokens": 1000}],
        },
    }


async def _with_secret(ws: LocalWorkspace) -> LocalWorkspace:
    await ws.create_scope("s")
    await ws.put_secret("s", "k", b"sk-test")
    return ws


async def test_export_then_import_gives_the_same_endpoints(workspace: LocalWorkspace, tmp_path: Path) -> None:
    await _with_secret(workspace)
    await workspace.create_endpoint(
        CreateServingEndpoint.model_validate(_body("a", {"openai_api_key": "{{secrets/s/k}}"}))
    )
    exported = await export_endpoints(workspace)
    assert exported.notes == []
    assert set(exported.bodies[0]) == {"name", "config", "rate_limits", "ai_gateway", "tags", "description"}
    assert "state" not in exported.bodies[0]["config"]["served_entities"][0]
    other = await _with_secret(LocalWorkspace(tmp_path / "other.db", user="tester"))
    try:
        assert await import_endpoints(other, parse_bodies(json.loads(json.dumps(exported.bodies)))) == [("create", "a")]
        assert (await export_endpoints(other)).bodies == exported.bodies
    finally:
        await other.aclose()


async def test_plaintext_is_never_exported_and_the_body_is_then_refused(workspace: LocalWorkspace) -> None:
    await workspace.create_endpoint(
        CreateServingEndpoint.model_validate(_body("p", {"openai_api_key_plaintext": "sk-secret"}))
    )
    exported = await export_endpoints(workspace)
    assert "sk-secret" not in json.dumps(exported.bodies)
    assert "plaintext" in exported.notes[0] and "'p'" in exported.notes[0]
    with pytest.raises(InvalidParameterValue):
        parse_bodies(exported.bodies)


async def test_dry_run_changes_nothing_and_existing_needs_replace(workspace: LocalWorkspace) -> None:
    await _with_secret(workspace)
    requests = parse_bodies([_body("a", {"openai_api_key": "{{secrets/s/k}}"})])
    assert await import_endpoints(workspace, requests, dry_run=True) == [("create", "a")]
    assert await workspace.list_endpoints() == []
    await import_endpoints(workspace, requests)
    with pytest.raises(ResourceAlreadyExists):
        await import_endpoints(workspace, requests)
    assert await import_endpoints(workspace, requests, replace=True) == [("update", "a")]


async def test_one_invalid_body_creates_nothing(workspace: LocalWorkspace) -> None:
    bad = _body("b", {"openai_api_key": "{{secrets/s/k}}"})
    bad["config"]["served_entities"][0]["external_model"]["task"] = "llm/v9"  # type: ignore[index]
    with pytest.raises(InvalidParameterValue) as caught:
        parse_bodies([_body("a", {"openai_api_key": "{{secrets/s/k}}"}), bad])
    assert "endpoint 'b'" in caught.value.message
    assert await workspace.list_endpoints() == []


async def test_missing_secrets_are_named_before_anything_changes(workspace: LocalWorkspace) -> None:
    await _with_secret(workspace)
    requests = parse_bodies(
        [
            _body("a", {"openai_api_key": "{{secrets/s/k}}"}),
            _body("b", {"openai_api_key": "{{secrets/S/gone}}"}),
            _body("c", {"openai_api_key": "{{secrets/nowhere/k}}"}),
        ]
    )
    for dry_run in (True, False):
        with pytest.raises(ResourceDoesNotExist) as caught:
            await import_endpoints(workspace, requests, dry_run=dry_run)
        assert caught.value.message == (
            "Secrets the endpoints refer to are not in this workspace: S/gone (endpoint 'b'), "
            "nowhere/k (endpoint 'c'). Store them first (secrets put-secret); nothing was changed"
        )
    assert await workspace.list_endpoints() == []


async def test_a_refusal_midway_deletes_what_this_import_created_and_names_what_stays_updated(
    workspace: LocalWorkspace,
) -> None:
    await _with_secret(workspace)
    await workspace.create_endpoint(parse_bodies([_body("kept", {"openai_api_key": "{{secrets/s/k}}"})])[0])
    changed = _body("kept", {"openai_api_key": "{{secrets/s/k}}"})
    changed["description"] = "changed"
    changed["tags"] = [{"key": "stage", "value": "new"}]
    served_elsewhere = _body("z-foundation", {"openai_api_key": "{{secrets/s/k}}"})
    served_elsewhere["config"] = {"served_entities": [{"name": "llama", "entity_name": "system.ai.llama"}]}
    requests = parse_bodies([_body("a", {"openai_api_key": "{{secrets/s/k}}"}), changed, served_elsewhere])

    with pytest.raises(InvalidParameterValue) as caught:
        await import_endpoints(workspace, requests, replace=True)
    assert caught.value.message == (
        "Import stopped at endpoint 'z-foundation': The local workspace serves external models only; served entity "
        "'llama' has no 'external_model'. Undone: a (created by this import) deleted again. "
        "Still updated: kept (run the import again with --replace once it is fixed)"
    )
    assert [e.name for e in await workspace.list_endpoints()] == ["kept"]
    kept = await workspace.get_endpoint("kept")
    assert {t.key for t in kept.tags or []} == {"team", "stage"}


async def test_a_refusal_at_the_first_endpoint_says_nothing_was_changed(workspace: LocalWorkspace) -> None:
    await _with_secret(workspace)
    first = _body("z-foundation", {"openai_api_key": "{{secrets/s/k}}"})
    first["config"] = {"served_entities": [{"name": "llama", "entity_name": "system.ai.llama"}]}
    with pytest.raises(
        InvalidParameterValue, match=r"^Import stopped at endpoint 'z-foundation': .*Nothing was changed$"
    ):
        await import_endpoints(workspace, parse_bodies([first]))
