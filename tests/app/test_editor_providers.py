"""Every provider the domain knows has its section in the endpoint editor: choosing it shows each of its
config fields (the form builds them from the config model, so a provider added there appears here)."""

from __future__ import annotations

from tests.app.test_editor import choose, keys_shown, open_editor
from tests.helpers.app import wait_until
from tests.helpers.demo_app import AppFactory
from tui.domain.provider_configs import PROVIDERS
from tui.manage.form import provider_fields


async def test_choosing_each_provider_shows_all_of_its_fields(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        await open_editor(app, pilot)
        for provider in PROVIDERS:
            await choose(pilot, app, "entities.0.model.provider", provider)
            expected = {f"entities.0.config.{spec.name}" for spec in provider_fields(provider, {})}
            await wait_until(pilot, lambda expected=expected: expected <= keys_shown(app))
            shown = {key.split(".")[3] for key in keys_shown(app) if key.startswith("entities.0.config.")}
            assert shown == {spec.name.split(".")[0] for spec in provider_fields(provider, {})}, (
                provider
            )  # no leftovers
