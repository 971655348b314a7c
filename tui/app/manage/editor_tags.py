"""The endpoint's tags in the editor: a key and an optional value per row, rows added and removed."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from tui.app.manage.editor_fields import LabelledRow


class TagsEdited(Message):
    """The tags are now ``tags`` (``[{"key", "value"?}]``, as the create body has them)."""

    def __init__(self, tags: list[dict[str, Any]]) -> None:
        super().__init__()
        self.tags = tags


class TagsEditor(LabelledRow):
    DEFAULT_CSS = """
    TagsEditor {
        & .tag-key { width: 1fr; margin: 0 1 0 0; }
        & .tag-value { width: 1fr; }
        & Button { min-width: 5; margin: 0 0 0 1; }
    }
    """

    def __init__(self, tags: list[dict[str, Any]] | None) -> None:
        super().__init__("tags", id="tags")
        self._tags = [dict(t) for t in tags or [] if isinstance(t, dict)]

    def compose(self) -> ComposeResult:
        for index, tag in enumerate(self._tags):
            yield self._row(index, tag)
        with Horizontal():
            yield Label("" if self._tags else "tags", classes="field-label", markup=False)
            yield Button("Add tag", id="tag-add", compact=True)
        yield Static(
            "tags are kept with the endpoint and shown on F3 (a key, and a value if you like)",
            classes="field-help",
            markup=False,
        )
        yield Static("", classes="field-problems", markup=False)

    def _row(self, index: int, tag: dict[str, Any]) -> Horizontal:
        return Horizontal(
            Label("tags" if index == 0 else "", classes="field-label", markup=False),
            Input(str(tag.get("key") or ""), placeholder="key", classes="tag-key", name=str(index), compact=True),
            Input(
                str(tag.get("value") or ""),
                placeholder="value (optional)",
                classes="tag-value",
                name=str(index),
                compact=True,
            ),
            Button("✕", classes="tag-remove", name=str(index), compact=True, tooltip="Remove this tag"),
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        tag = self._tags[int(event.input.name or 0)]
        field = "key" if event.input.has_class("tag-key") else "value"
        if (tag.get(field) or "") == event.value:
            return  # an input announcing the value it was given
        if event.value:
            tag[field] = event.value
        else:
            tag.pop(field, None)
        self._post()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "tag-add":
            self._tags.append({"key": ""})
        else:
            del self._tags[int(event.button.name or 0)]
        self._post()
        await self.recompose()
        if event.button.id == "tag-add":
            self.query(".tag-key").last().focus()

    def _post(self) -> None:
        self.post_message(TagsEdited([dict(t) for t in self._tags]))
