"""The endpoint editor: a form built from the domain models, or the same endpoint as JSON (F6).

It edits a draft (:mod:`tui.manage.form_draft`); every change is checked with the domain's rules and each
problem is shown under its field once that field was touched (all of them after ctrl+s). ctrl+s shows what
will change and saves after a yes; while anything is wrong it refuses and says why. Esc leaves, asking
first when there are unsaved changes. Dismisses with the saved endpoint's name, or None.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Static, TabbedContent, TabPane, TextArea

from tui.app.manage.editor_entity import EntitySection, RemoveEntity
from tui.app.manage.editor_fields import FieldEdited, FieldRow, Keyed, ProblemNote
from tui.app.manage.editor_secret import SecretEdited, SecretPicker, SecretRow, SecretWanted
from tui.app.manage.editor_tags import TagsEdited, TagsEditor
from tui.app.manage.json_editor import JsonEditor
from tui.app.workspace_of import workspace_of
from tui.domain.endpoints import ServingEndpointDetailed
from tui.domain.errors import SwitchboardError
from tui.domain.secret_refs import SecretRef
from tui.manage.form import FieldSpec, variant_of
from tui.manage.form_check import FormProblem, check_draft, problems_of_error
from tui.manage.form_draft import (
    EndpointDraft,
    add_entity,
    body_of,
    body_of_endpoint,
    draft_of,
    new_draft,
    parent_key,
    remove_entity,
    set_field,
    set_secret,
)
from tui.manage.form_save import SavePlan, plan_save, save
from tui.widgets.confirm import ConfirmDialog

NAME = FieldSpec("name", "text", True, help="letters, digits, '-' and '_'; it cannot change once saved")
DESCRIPTION = FieldSpec("description", "text", help="what the endpoint is for (set when it is created)")


class EndpointEditorScreen(Screen[str | None]):
    CSS_PATH = "editor.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # help moves under the field below 110 columns
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="editor-save", priority=True),
        Binding("escape", "leave", "Leave", id="editor-leave"),
        # priority: the JSON text area has f6 (select line) of its own
        Binding("f6", "toggle_json", "Form/JSON", id="editor-json", priority=True),
        Binding("f7", "add_entity", "Add entity", id="editor-add-entity"),
    ]

    def __init__(self, endpoint: ServingEndpointDetailed | None = None, *, duplicate: bool = False) -> None:
        super().__init__()
        self._original = endpoint if endpoint is not None and not duplicate else None
        if endpoint is None:
            self._draft = new_draft()
            self._title = "New endpoint"
        else:
            body = body_of_endpoint(endpoint)
            if duplicate:
                body["name"] = f"{endpoint.name}-copy"
            self._draft = draft_of(body)
            self._title = f"Duplicate of {endpoint.name}" if duplicate else f"Edit endpoint {endpoint.name}"
        self._initial = body_of(self._draft)
        self._refs: set[SecretRef] | None = None  # the workspace's secrets, once loaded
        self._touched: set[str] = set()
        self._show_all = False
        self._refused: list[FormProblem] = []  # what the workspace said to the last save, until the next edit

    @property
    def fixed_name(self) -> str | None:
        return self._original.name if self._original is not None else None

    # ---- layout

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._title, id="editor-title", classes="section-title", markup=False)
        with TabbedContent(initial="editor-form-tab", id="editor-tabs"):
            with TabPane("Form", id="editor-form-tab"):
                yield VerticalScroll(*self._form_widgets(), id="editor-form")
            with TabPane("JSON", id="editor-json-tab"):
                yield JsonEditor(body_of(self._draft), id="editor-json")
        yield Static("", id="editor-status", markup=False)
        yield Footer()

    def _form_widgets(self) -> list[Widget]:
        draft, existing = self._draft, self._original is not None
        count = len(draft.entities)
        return [
            ProblemNote("endpoint"),
            FieldRow("name", NAME, draft.top.get("name"), disabled=self.fixed_name is not None),
            FieldRow("description", DESCRIPTION, draft.top.get("description"), disabled=existing),
            TagsEditor(draft.tags),
            *(EntitySection(i, entity, count=count) for i, entity in enumerate(draft.entities)),
            ProblemNote("traffic"),
            ProblemNote("entities"),
            Button("Add served entity (F7)", id="editor-add-entity", compact=True),
        ]

    async def _rebuild_form(self, focus: str | None = None) -> None:
        form = self.query_one("#editor-form", VerticalScroll)
        await form.remove_children()
        await form.mount_all(self._form_widgets())
        self._refresh_problems()
        if focus is not None:
            self._focus_key(focus)

    def on_mount(self) -> None:
        self.load_secrets()
        self._refresh_problems()
        self.call_after_refresh(self._focus_key, self._first_key)

    @property
    def _first_key(self) -> str:
        """The first field one can edit: the name of a new endpoint, else the first model's name."""
        return "name" if self.fixed_name is None else "entities.0.model.name"

    @work(exclusive=True, group="editor-secrets")
    async def load_secrets(self) -> None:
        """The references the workspace can resolve: for the picker, and to flag one it cannot."""
        ws = workspace_of(self)
        try:
            refs = {
                SecretRef(scope.name, s.key)
                for scope in await ws.list_scopes()
                for s in await ws.list_secrets(scope.name)
            }
        except SwitchboardError as err:
            self.notify(f"Secrets not loaded: {err.message}", severity="warning", markup=False)
            return
        self._refs = refs
        self._refresh_problems()

    # ---- edits

    async def on_field_edited(self, event: FieldEdited) -> None:
        set_field(self._draft, event.key, event.value)
        await self._edited(event.key)

    async def on_secret_edited(self, event: SecretEdited) -> None:
        set_secret(self._draft, event.key, event.text, plaintext=event.plaintext)
        await self._edited(event.key)

    async def on_tags_edited(self, event: TagsEdited) -> None:
        self._draft.tags = event.tags or None
        await self._edited("tags")

    async def _edited(self, key: str) -> None:
        self._touched.add(key)
        self._refused = []
        if _changes_provider_fields(self._draft, key):
            index = int(key.split(".")[1])
            await self.query_one(f"#entity-{index}", EntitySection).rebuild_provider()
        self._refresh_problems()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Entities are added in the form (in the JSON view, the text is the place to do it)."""
        if action == "add_entity":
            tabs = self.query(TabbedContent)
            return bool(tabs) and tabs.first().active == "editor-form-tab"
        return True

    async def action_add_entity(self) -> None:
        add_entity(self._draft)
        await self._rebuild_form(focus=f"entities.{len(self._draft.entities) - 1}.model.name")

    async def on_remove_entity(self, event: RemoveEntity) -> None:
        remove_entity(self._draft, event.index)
        self._touched = {k for k in self._touched if not k.startswith("entities.")}
        await self._rebuild_form(focus=f"entities.{max(0, event.index - 1)}.model.name")

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "editor-add-entity":
            event.stop()
            await self.action_add_entity()

    # ---- secrets for a credential field

    def on_secret_wanted(self, event: SecretWanted) -> None:
        row = next((r for r in self.query(SecretRow) if r.key == event.key), None)
        if row is None:
            return

        def use(ref: SecretRef | None) -> None:
            if ref is not None:
                if self._refs is not None:
                    self._refs.add(ref)
                row.use(ref)
                self._refresh_problems()  # the same reference may be there already: it exists now

        if event.create:
            from tui.app.manage.secret_dialogs import PutSecretDialog

            self.app.push_screen(PutSecretDialog(suggested=row.reference), use)
        elif self._refs is None:
            self.notify("The workspace's secrets are still loading", severity="warning")
        else:
            self.app.push_screen(SecretPicker(sorted(self._refs), row.spec.name), use)

    # ---- the JSON view

    def action_toggle_json(self) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = "editor-form-tab" if tabs.active == "editor-json-tab" else "editor-json-tab"

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        if event.pane.id == "editor-json-tab":
            editor = self.query_one(JsonEditor)
            editor.load(body_of(self._draft))
            editor.query_one(TextArea).focus()
        elif await self._take_json():
            self._focus_key(self._first_key)  # out of the hidden JSON, which would take its tab back

    async def _take_json(self) -> bool:
        """Carries the JSON view's object over to the draft; False (and back to the JSON) when it is unreadable."""
        data = self.query_one(JsonEditor).check.data
        if not isinstance(data, dict):
            self.notify(
                "The JSON cannot be read as an object: fix it first (its problems are listed under it)",
                severity="error",
            )
            self.query_one(TabbedContent).active = "editor-json-tab"
            return False
        if data != body_of(self._draft):
            self._draft = draft_of(data)
            self._show_all = True
            await self._rebuild_form()
        return True

    def on_json_editor_changed(self, event: JsonEditor.Changed) -> None:
        event.stop()
        self._refused = []
        dirty = event.data is not None and event.data != self._initial
        self._show_status(len(event.problems), dirty=dirty, where=" in the JSON (F8 goes to each)")

    # ---- problems

    def _problems(self) -> list[FormProblem]:
        return check_draft(self._draft, fixed_name=self.fixed_name, known_refs=self._refs) + self._refused

    def _refresh_problems(self) -> None:
        problems = self._problems()
        targets = {t.key: t for t in self.query(Keyed)}
        shown: dict[str, list[str]] = {key: [] for key in targets}
        for problem in problems:
            if not self._is_shown(problem.key):
                continue
            key = problem.key
            while key not in targets and key != "endpoint":
                key = parent_key(key)
            shown.setdefault(key, []).append(problem.message)
        for key, target in targets.items():
            target.show_problems(shown[key])
        self._show_status(len(problems), dirty=self._dirty)

    def _is_shown(self, key: str) -> bool:
        """A field's problems show once it was edited; a section's once one of its fields was (all after ctrl+s)."""
        touched = self._touched
        if self._show_all or key in touched:
            return True
        if key == "endpoint":
            return bool(touched)
        if key == "traffic":
            return any(t.endswith(".traffic") for t in touched)
        return any(t.startswith(key + ".") for t in touched)

    def _show_status(self, problems: int, *, dirty: bool, where: str = "") -> None:
        """The line under the editor: how many problems (``where``, when not in the form), or ready, or unchanged."""
        status = self.query_one("#editor-status", Static)
        status.set_class(bool(problems), "-invalid")
        if problems:
            count = "1 problem" if problems == 1 else f"{problems} problems"
            status.update(f"✗ {count}{where} · saving is refused until they are fixed · ctrl+s shows them all")
        elif dirty:
            status.update("✓ Ready · ctrl+s shows what will change, then saves")
        else:
            status.update("No changes yet · Esc leaves")

    @property
    def _dirty(self) -> bool:
        return body_of(self._draft) != self._initial

    def _focus_key(self, key: str) -> None:
        for target in self.query(Keyed):
            if target.key == key and (widget := target.focus_target) is not None:
                widget.focus()
                return

    # ---- save and leave

    async def action_save(self) -> None:
        if self.query_one(TabbedContent).active == "editor-json-tab" and not await self._take_json():
            return
        problems = self._problems()
        plan = plan_save(self._draft, self._original) if not problems else None
        if plan is None:
            self._refuse(problems)
            return
        if plan.existing and not plan.changes:
            self.notify("Nothing to save: the endpoint is as stored", timeout=3)
            return
        verb = "Update" if plan.existing else "Create"
        lines = [*plan.changes, "", "Rate limits and the AI gateway stay as they are (F5 edits them)."]

        def answered(yes: bool | None) -> None:
            if yes:
                self._save(plan)

        self.app.push_screen(
            ConfirmDialog(f"{verb} endpoint {plan.request.name}?", lines, confirm="Save", danger=False), answered
        )

    def _refuse(self, problems: list[FormProblem]) -> None:
        self._show_all = True
        if self.query_one(TabbedContent).active != "editor-form-tab":
            self.query_one(TabbedContent).active = "editor-form-tab"
        self._refresh_problems()
        first = problems[0] if problems else FormProblem("endpoint", "the endpoint is not valid")
        self.notify(
            f"Not saved: {len(problems)} problem(s). {first.key}: {first.message}", severity="error", markup=False
        )
        self._focus_key(first.key)

    @work(exclusive=True, group="editor-save")
    async def _save(self, plan: SavePlan) -> None:
        try:
            name = await save(workspace_of(self), plan)
        except SwitchboardError as err:
            self._refused = problems_of_error(self._draft, err)
            self._show_all = True
            self._refresh_problems()
            self.notify(f"Not saved: {err.message}", severity="error", markup=False)
            return
        self.notify(f"Saved endpoint {name}", markup=False)
        self.dismiss(name)

    def action_leave(self) -> None:
        if not self._dirty:
            self.dismiss(None)
            return
        self.app.push_screen(
            ConfirmDialog(
                "Leave without saving?",
                [f"Your changes to {self._draft.name or 'the new endpoint'} are not saved."],
                confirm="Leave",
            ),
            self._leave_if,
        )

    def _leave_if(self, yes: bool | None) -> None:
        if yes:
            self.dismiss(None)


def _changes_provider_fields(draft: EndpointDraft, key: str) -> bool:
    """True when the edit at ``key`` changes which provider fields are shown (the provider, its api type)."""
    parts = key.split(".")
    if len(parts) != 4 or parts[0] != "entities":
        return False
    entity = draft.entities[int(parts[1])]
    variant = variant_of(entity.provider)
    return (parts[2], parts[3]) == ("model", "provider") or (
        variant is not None and (parts[2], parts[3]) == ("config", variant.field)
    )
