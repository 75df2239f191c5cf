"""`t` on the queue (supervisors and admins): give the selected case, or the whole view, to
another agent.

`1`…`9` pick an agent (`j`/`k` reach the others), `v` switches the scope between this case
(the default) and every case of the current view (at most `cap`), `Enter` confirms, `Esc`
cancels. Dismisses with a `ReassignChoice`, or None. The dialog only asks: the queue screen
does the write, in a worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from relance_tui.domain.text import inert
from relance_tui.formatting import number
from relance_tui.i18n import t, tn
from relance_tui.tui.bindings import TranslatedBindings, translate_bindings
from relance_tui.tui.plain import plain
from relance_tui.tui.widgets.bindings_footer import BindingsFooter

HOTKEYS = "123456789"


@dataclass(frozen=True, slots=True)
class AgentOption:
    login: str
    display_name: str


@dataclass(frozen=True, slots=True)
class ReassignChoice:
    to_login: str
    whole_view: bool  # False: the selected case only


class AgentList(OptionList):
    """Agents to choose from: a digit highlights one of the first nine, Enter chooses."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "key.reassign_confirm", id="reassign.confirm"),
        Binding("j", "cursor_down", id="reassign.down", show=False),
        Binding("k", "cursor_up", id="reassign.up", show=False),
    ]

    def __init__(self, *options: Option, id: str | None = None) -> None:
        super().__init__(*options, id=id)
        translate_bindings(self)

    async def _on_key(self, event: events.Key) -> None:
        character = event.character or ""
        if character and character in HOTKEYS:
            event.stop()
            event.prevent_default()
            index = HOTKEYS.index(character)
            if index < self.option_count:
                self.highlighted = index


class ReassignDialog(TranslatedBindings, ModalScreen[ReassignChoice | None]):
    CSS_PATH: ClassVar = ["dialogs.tcss", "reassign.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "toggle_scope", "key.reassign_scope", id="reassign.scope"),
        Binding("escape", "cancel", "key.cancel", id="reassign.cancel"),
    ]

    def __init__(
        self,
        *,
        case_name: str,
        case_reference: str,
        current_login: str | None,
        agents: Sequence[AgentOption],
        view_count: int,
        cap: int,
    ) -> None:
        super().__init__()
        self.case_name = case_name
        self.case_reference = case_reference
        self.current_login = current_login
        self.agents = list(agents)
        self.view_count = view_count
        self.cap = cap
        self.whole_view = False

    @property
    def moved_in_view(self) -> int:
        return min(self.view_count, self.cap)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="reassign-dialog"):
            yield Static(Text(t("reassign.title")), classes="dialog-title")
            yield Static(
                Text(
                    t(
                        "reassign.case",
                        name=self.case_name,
                        reference=self.case_reference,
                        login=self.current_login or t("reassign.unassigned"),
                    )
                ),
                classes="dialog-body",
            )
            yield Static(Text(t("reassign.agents")), classes="hint")
            yield AgentList(*self._options(), id="reassign-agents")
            yield Static(id="reassign-scope")
            yield Static(Text(tn("reassign.cap", self.cap)), classes="hint", id="reassign-cap")
            yield Static(id="reassign-summary")
        yield BindingsFooter()

    def _options(self) -> list[Option]:
        options = []
        width = max((len(agent.login) for agent in self.agents), default=0) + 2
        for index, agent in enumerate(self.agents):
            hotkey = HOTKEYS[index] if index < len(HOTKEYS) else " "
            name = agent.display_name if agent.display_name != agent.login else ""
            prompt = Text.assemble((f"{hotkey} ", "bold"), inert(agent.login).ljust(width))
            if name:
                prompt.append(inert(name) + "  ", style="dim")
            if agent.login == self.current_login:
                prompt.append(t("reassign.current"), style="italic")
            options.append(Option(prompt, id=agent.login))
        return options

    def on_mount(self) -> None:
        agents = self.query_one(AgentList)
        default = next(
            (i for i, agent in enumerate(self.agents) if agent.login != self.current_login), 0
        )
        if self.agents:
            agents.highlighted = default
        agents.focus()
        self._describe()

    @property
    def target(self) -> str | None:
        agents = self.query_one(AgentList)
        if agents.highlighted is None:
            return None
        return agents.get_option_at_index(agents.highlighted).id

    def _describe(self) -> None:
        if self.view_count > self.cap:
            view = tn("reassign.scope_view_capped", self.cap, total=number(self.view_count))
        else:
            view = tn("reassign.scope_view", self.view_count)
        scope = Text(t("reassign.scope") + "\n")
        for chosen, label in (
            (not self.whole_view, t("reassign.scope_case")),
            (self.whole_view, view),
        ):
            scope.append("● " if chosen else "○ ", style="bold" if chosen else "")
            scope.append(label + "\n", style="bold" if chosen else "")
        self.query_one("#reassign-scope", Static).update(scope)
        login = self.target or "?"
        summary = (
            tn("reassign.summary_view", self.moved_in_view, login=login)
            if self.whole_view
            else t("reassign.summary_case", login=login)
        )
        self.query_one("#reassign-summary", Static).update(plain(summary))

    @on(OptionList.OptionHighlighted, "#reassign-agents")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if self.is_mounted:
            self._describe()

    @on(OptionList.OptionSelected, "#reassign-agents")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(ReassignChoice(to_login=event.option.id, whole_view=self.whole_view))

    def action_toggle_scope(self) -> None:
        self.whole_view = not self.whole_view
        self._describe()

    def action_cancel(self) -> None:
        self.dismiss(None)
