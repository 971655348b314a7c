"""The official Databricks SDK (``WorkspaceClient``) against the server on 127.0.0.1, as a user's script would call it."""

from __future__ import annotations

import logging

import pytest

from tests.payloads import OPENAI_COMPLETIONS
from tests.server.conftest import SCOPE, SECRET_VALUE

sdk = pytest.importorskip("databricks.sdk")
errors = pytest.importorskip("databricks.sdk.errors")


def client(url: str, token: str):  # type: ignore[no-untyped-def]
    """No retries worth waiting for: a failure shows at once."""
    config = sdk.config.Config(host=url, token=token, auth_type="pat", retry_timeout_seconds=5)
    return sdk.WorkspaceClient(config=config)


def test_secrets_and_endpoints_through_the_sdk(server_url: str, token: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "databricks.sdk"):
        w = client(server_url, token)
    assert "host metadata" not in caplog.text  # the probe was answered as the SDK expects
    w.secrets.create_scope(scope=SCOPE)
    w.secrets.put_secret(scope=SCOPE, key="openai_api_key", string_value=SECRET_VALUE)
    assert [s.key for s in w.secrets.list_secrets(scope=SCOPE)] == ["openai_api_key"]
    assert [s.name for s in w.secrets.list_scopes()] == [SCOPE]

    w.api_client.do("POST", "/api/2.0/serving-endpoints", body=OPENAI_COMPLETIONS)  # the SDK's own HTTP path
    [listed] = list(w.serving_endpoints.list())
    assert listed.name == OPENAI_COMPLETIONS["name"]
    got = w.serving_endpoints.get(OPENAI_COMPLETIONS["name"])
    assert got.config is not None and got.config.served_entities is not None
    assert got.config.served_entities[0].external_model.name == "gpt-3.5-turbo-instruct"


def test_sdk_errors_are_its_typed_exceptions(server_url: str, token: str) -> None:
    w = client(server_url, token)
    with pytest.raises(errors.ResourceDoesNotExist, match="Endpoint 'nope' does not exist"):
        w.serving_endpoints.get("nope")
    w.secrets.create_scope(scope="team")
    with pytest.raises(errors.ResourceAlreadyExists, match="already exists"):
        w.secrets.create_scope(scope="team")
    with pytest.raises(errors.Unauthenticated, match="Invalid access token"):
        list(client(server_url, "sb-wrong").secrets.list_scopes())
