"""One served entity of the editor: its name, its external model (name, provider, task, ...), its traffic share
when the endpoint has more than one, and the chosen provider's section, re-built when the provider or its
api type changes (every field comes from :func:`tui.manage.form.provider_fields`)."""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Label, Static

from tui.app.manage.editor_fields import FieldRow, ProblemNote
from tui.app.manage.editor_secret import SecretRow
from tui.manage.form import FieldSpec, entity_name_field, group_help, model_fields, provider_fields
from tui.manage.form_draft import EntityDraft, entity_key, value_at

TRAFFIC = FieldSpec("traffic", "number", help="percent of the requests this entity serves (all blank: an even split)")


class RemoveEntity(Message):
    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index


class EntitySection(Vertical):
    DEFAULT_CSS = """
    EntitySection {
        height: auto;
        border: round $panel-lighten-2;
        border-title-color: $accent;
        padding: 0 1;
        margin: 0 0 1 0;
        & > .entity-head { height: auto; align-horizontal: right; }
        & .provider-title { color: $accent; padding: 1 1 0 1; text-style: bold; }
        & .group-help { color: $text-muted; padding: 0 1; }
        & > .provider-fields { height: auto; }
    }
    """

    BINDINGS = [Binding("f8", "remove", "Remove entity", id="editor-remove-entity")]

    def __init__(self, index: int, entity: EntityDraft, *, count: int) -> None:
        super().__init__(id=f"entity-{index}")
        self.index = index
        self.entity = entity
        self.count = count
        self.border_title = f"Served entity {index + 1}"

    def compose(self) -> ComposeResult:
        if self.count > 1:
            with Horizontal(classes="entity-head"):
                yield Button("Remove entity (F8)", id=f"remove-entity-{self.index}", variant="error", compact=True)
        yield ProblemNote(entity_key(self.index))
        entity = self.entity
        yield FieldRow(
            entity_key(self.index, "entity", "name"),
            entity_name_field(),
            entity.entity.get("name"),
            label="served entity name",
        )
        for spec in model_fields():
            label = "model name" if spec.name == "name" else None
            yield FieldRow(entity_key(self.index, "model", spec.name), spec, entity.model.get(spec.name), label=label)
        if self.count > 1:
            yield FieldRow(entity_key(self.index, "traffic"), TRAFFIC, entity.traffic)
        with Vertical(classes="provider-fields"):
            yield from self.provider_widgets()

    def provider_widgets(self) -> Iterator[Widget]:
        """The provider section for the entity as it is now: a title, then a row per field, a nested group's
        fields under the group's own title and problems."""
        entity, i = self.entity, self.index
        key = entity.config_key
        if key is None:
            yield Static(f"No provider '{entity.provider}': choose one above.", classes="group-help", markup=False)
            return
        yield Label(key, classes="provider-title", markup=False)
        yield ProblemNote(entity_key(i, "config"))
        group: str | None = None
        for spec in provider_fields(entity.provider, entity.config):
            if spec.group != group and spec.group is not None:
                yield Label(spec.group, classes="provider-title", markup=False)
                yield Static(group_help(entity.provider, spec.group), classes="group-help", markup=False)
                yield ProblemNote(entity_key(i, "config", spec.group))
            group = spec.group
            field_key = entity_key(i, "config", spec.name)
            if spec.kind == "secret":
                plain = value_at(entity.config, spec.plaintext_name)
                text = plain if plain else value_at(entity.config, spec.name)
                yield SecretRow(field_key, spec, str(text or ""), plaintext=bool(plain))
            else:
                yield FieldRow(field_key, spec, value_at(entity.config, spec.name))

    async def rebuild_provider(self) -> None:
        """Shows the fields of the provider (and api type) chosen now."""
        box = self.query_one(".provider-fields", Vertical)
        await box.remove_children()
        await box.mount_all(list(self.provider_widgets()))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == f"remove-entity-{self.index}":
            event.stop()
            self.action_remove()

    def action_remove(self) -> None:
        if self.count > 1:
            self.post_message(RemoveEntity(self.index))
        else:
            self.notify("An endpoint serves at least one entity", severity="warning")
