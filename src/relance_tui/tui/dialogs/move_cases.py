"""`t` on an agent's cases (supervisor screen, workload tab): to whom the case, or the marked
cases, go.

`1`…`9` pick one of the first nine agents (`j`/`k` and the arrows reach the others), `Enter`
confirms, `Esc` cancels. Dismisses with the chosen login, or None. The dialog only asks: the
screen underneath does the write, in a worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from relance_tui.domain.text import inert
from relance_tui.i18n import t, tn
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.dialogs.reassign import HOTKEYS, AgentList, AgentOption
from relance_tui.tui.plain import plain
from relance_tui.tui.widgets.bindings_footer import BindingsFooter


class MoveCasesDialog(TranslatedBindings, ModalScreen[str | None]):
    CSS_PATH: ClassVar = ["dialogs.tcss", "reassign.tcss", "supervisor_reassign.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel", id="move_cases.cancel"),
    ]

    def __init__(self, *, source: str, what: str, count: int, agents: Sequence[AgentOption]):
        """`what`: the case's reference and name when one moves; `count`: how many move."""
        super().__init__(id="move-cases")
        self.source = source
        self.what = what
        self.count = count
        self.agents = [agent for agent in agents if agent.login != source]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="move-cases-dialog"):
            yield Static(Text(t("supervisor_reassign.move_title")), classes="dialog-title")
            body = (
                t("supervisor_reassign.move_one", what=self.what, login=self.source)
                if self.count == 1
                else tn("supervisor_reassign.move_many", self.count, login=self.source)
            )
            yield Static(plain(body), classes="dialog-body")
            yield Static(Text(t("reassign.agents")), classes="hint")
            yield AgentList(*self._options(), id="reassign-agents")
            yield Static(id="reassign-summary")
        yield BindingsFooter()

    def _options(self) -> list[Option]:
        width = max((len(agent.login) for agent in self.agents), default=0) + 2
        options = []
        for index, agent in enumerate(self.agents):
            hotkey = HOTKEYS[index] if index < len(HOTKEYS) else " "
            prompt = Text.assemble((f"{hotkey} ", "bold"), inert(agent.login).ljust(width))
            if agent.display_name != agent.login:
                prompt.append(inert(agent.display_name), style="dim")
            options.append(Option(prompt, id=agent.login))
        return options

    def on_mount(self) -> None:
        agents = self.query_one(AgentList)
        if self.agents:
            agents.highlighted = 0
        agents.focus()
        self._describe()

    def _describe(self) -> None:
        agents = self.query_one(AgentList)
        index = agents.highlighted
        login = agents.get_option_at_index(index).id if index is not None else None
        summary = tn("supervisor_reassign.move_summary", self.count, login=login or "?")
        self.query_one("#reassign-summary", Static).update(plain(summary))

    @on(OptionList.OptionHighlighted, "#reassign-agents")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if self.is_mounted:
            self._describe()

    @on(OptionList.OptionSelected, "#reassign-agents")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
