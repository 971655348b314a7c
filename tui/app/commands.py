"""Command palette: every action key binding (one with an id) that is active right now, as a command.

Because it reads the screen's active bindings, it follows context on its own: the playground's
commands appear on the playground, a pane's commands when a pane is focused, and so on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from textual.command import DiscoveryHit, Hit, Hits, Provider


class SwitchboardCommands(Provider):
    def _commands(self) -> list[tuple[str, str, object]]:
        seen: set[str] = set()
        found: list[tuple[str, str, object]] = []
        screen = self.screen
        for _key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.id or not binding.description or not active.enabled:
                continue  # no id: a widget's own editing key (cursor moves and the like), not an action
            title = binding.tooltip or binding.description
            if title in seen:
                continue
            seen.add(title)
            node = active.node

            async def run(action: str = binding.action, node: object = node) -> None:
                await self.app.run_action(action, node)  # type: ignore[arg-type]

            found.append((title, f"key: {self.app.get_key_display(binding)}", run))
        return found

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> AsyncIterator[Hit]:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)  # type: ignore[arg-type]
