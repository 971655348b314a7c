"""The app puts each of its fixes to Textual in place at mount, on the Textual versions they were checked against
(`tui.widgets.strip_cycles`, `tui.widgets.strip_caches`, `tui.widgets.inner_outer_cache`,
`tui.widgets.dirty_renders`, `tui.widgets.single_reflow`)."""

from __future__ import annotations

from types import ModuleType

import pytest
from textual._compositor import Compositor
from textual._styles_cache import StylesCache
from textual.strip import Strip
from textual.widget import Widget

from tests.helpers.demo_app import AppFactory
from tui.widgets import dirty_renders, inner_outer_cache, single_reflow, strip_caches, strip_cycles

FIXES = [
    (dirty_renders, Compositor, "_get_renders", dirty_renders.TEXTUAL_GET_RENDERS, dirty_renders.get_renders),
    (strip_cycles, Strip, "divide", strip_cycles.TEXTUAL_DIVIDE, strip_cycles.divide),
    (strip_caches, Strip, "__init__", strip_caches.TEXTUAL_INIT, strip_caches.strip_init),
    (single_reflow, Widget, "_size_updated", single_reflow.TEXTUAL_SIZE_UPDATED, single_reflow.size_updated),
    (
        inner_outer_cache,
        StylesCache,
        "get_inner_outer",
        inner_outer_cache.TEXTUAL_GET_INNER_OUTER,
        inner_outer_cache.get_inner_outer,
    ),
]


@pytest.mark.parametrize(
    ("fix", "owner", "name", "textual_s", "ours"),
    FIXES,
    ids=["dirty_renders", "strip_cycles", "strip_caches", "single_reflow", "inner_outer"],
)
async def test_the_app_puts_it_in_place_on_the_checked_textual(
    make_app: AppFactory,
    monkeypatch: pytest.MonkeyPatch,
    fix: ModuleType,
    owner: type,
    name: str,
    textual_s: object,
    ours: object,
) -> None:
    from textual import __version__

    assert __version__.startswith(fix.CHECKED), f"a new Textual: check its {owner.__name__}.{name} against ours"
    monkeypatch.setattr(owner, name, textual_s)
    async with make_app():
        assert getattr(owner, name) is ours
    assert fix.install(), "idempotent"
    assert getattr(owner, name) is ours
