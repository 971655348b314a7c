"""A pane's state classes may style the pane itself only: a state change restyles the pane and not its
descendants (see ``Pane.watch_state``), so a rule that used them for a descendant would never apply."""

from __future__ import annotations

from textual.css.model import CombinatorType, SelectorType

from tests.helpers.app import pane, send, wait_until
from tests.helpers.demo_app import AppFactory
from tui.app.playground.pane import STATE_CLASSES


async def test_state_classes_select_the_pane_itself_only(make_app: AppFactory) -> None:
    async with make_app() as (app, _pilot):
        offending = []
        checked = 0
        for rule in app.stylesheet.rules:
            for selector_set in rule.selector_set:
                selectors = selector_set.selectors
                for index, selector in enumerate(selectors):
                    if selector.type == SelectorType.CLASS and selector.name in STATE_CLASSES:
                        checked += 1
                        later = selectors[index + 1 :]
                        if any(s.combinator != CombinatorType.SAME for s in later):
                            offending.append(rule.css)
        assert checked >= 5  # the pane's own border rules were found
        assert offending == []


async def test_the_border_follows_the_state(make_app: AppFactory) -> None:
    async with make_app() as (app, pilot):
        first = pane(app, "azure-gpt-4o")
        idle_border = first.styles.border_top[1]
        await send(app, pilot)
        await wait_until(pilot, lambda: first.state == "done")
        await wait_until(pilot, lambda: first.styles.border_top[1] != idle_border)
        assert first.has_class("-done") and not first.has_class("-streaming")
        done_border = first.styles.border_top[1]
        first.state = "error"
        assert first.has_class("-error") and not first.has_class("-done")
        assert first.styles.border_top[1] not in (idle_border, done_border)
