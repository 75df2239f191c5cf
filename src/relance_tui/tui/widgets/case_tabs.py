"""The case file's tabs: the summary and one table per tab (invoices, contacts, contracts,
history, disputes, commitments).

A tab's table is filled when the tab is shown, so opening a case fills the summary and one table,
not seven. The invoices and history are paged (`PagedTable`); the other tables show at most
`MAX_ROWS` rows. The labels and the line under them are one widget (`CaseTabBar`) over a
`ContentSwitcher`: Textual's `TabbedContent` laid out a dozen widgets again on every case
opened, for the counts in the labels.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, Static

from relance_tui.i18n import t
from relance_tui.services.casefile import CaseFile
from relance_tui.tui.widgets import case_views as views
from relance_tui.tui.widgets.case_tab_bar import CaseTabBar
from relance_tui.tui.widgets.fitted_table import ColumnFit, FittedTable
from relance_tui.tui.widgets.laid_out_once import (
    LaidOutOnce,
    OnceContentSwitcher,
    OnceStatic,
    OnceVerticalScroll,
)
from relance_tui.tui.widgets.paged_table import PagedTable
from relance_tui.tui.widgets.width_aware import WidthAware

TABS = ("summary", "invoices", "contacts", "contracts", "history", "disputes", "commitments")
TABLE_TABS = TABS[1:]  # one table each, filled when the tab is shown
TAB_KEYS: dict[str, str] = {
    "summary": "casefile.tab.summary",
    "invoices": "casefile.tab.invoices",
    "contacts": "casefile.tab.contacts",
    "contracts": "casefile.tab.contracts",
    "history": "casefile.tab.history",
    "disputes": "casefile.tab.disputes",
    "commitments": "casefile.tab.commitments",
}
# When the tab bar is too narrow for the names (beside the call checklist, 52 columns at 120).
TAB_SHORT_KEYS: dict[str, str] = {
    "summary": "casefile.tab_short.summary",
    "invoices": "casefile.tab_short.invoices",
    "contacts": "casefile.tab_short.contacts",
    "contracts": "casefile.tab_short.contracts",
    "history": "casefile.tab_short.history",
    "disputes": "casefile.tab_short.disputes",
    "commitments": "casefile.tab_short.commitments",
}
# The widget each tab shows, in the `ContentSwitcher` under the bar.
PANE_IDS: dict[str, str] = {"summary": "summary-scroll"} | {f: f"case-{f}" for f in TABLE_TABS}
PAGE_SIZE = 50
MAX_ROWS = 500


class HistoryTable(PagedTable):
    """The case's history: Enter opens the entry under the cursor, whole."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "key.open_entry", id="case.open_entry"),
    ]


def _labelled(columns: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(c, t(views.CASE_COLUMN_KEYS[c])) for c in columns]


def _table(table_id: str, columns: tuple[str, ...], fit: ColumnFit) -> FittedTable:
    return FittedTable(_labelled(columns), fit, id=table_id)


class CaseTabs(WidthAware, LaidOutOnce, Vertical):
    """The tab bar over the shown tab's content (a `ContentSwitcher` of the summary and the
    tables). `active` is the shown tab's pane id ("tab-invoices")."""

    active: reactive[str] = reactive("tab-summary", init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.case_file: CaseFile | None = None  # the case shown (None: loading)
        # The case file each tab's table shows (None: empty).
        self._table_case: dict[str, CaseFile | None] = dict.fromkeys(TABLE_TABS)
        self._counts: dict[str, int] = {}  # the counted tabs' counts (none while loading)
        self._labelled_width = -1

    def compose(self) -> ComposeResult:
        yield CaseTabBar([t(TAB_KEYS[name]) for name in TABS], id="case-tab-bar")
        with OnceContentSwitcher(initial=PANE_IDS["summary"], id="case-panes"):
            yield OnceVerticalScroll(OnceStatic(id="case-summary"), id=PANE_IDS["summary"])
            yield PagedTable(
                _labelled(views.INVOICE_COLUMNS),
                views.INVOICE_FIT,
                page_size=PAGE_SIZE,
                id=PANE_IDS["invoices"],
            )
            yield _table(PANE_IDS["contacts"], views.CONTACT_COLUMNS, views.CONTACT_FIT)
            yield _table(PANE_IDS["contracts"], views.CONTRACT_COLUMNS, views.CONTRACT_FIT)
            yield HistoryTable(
                _labelled(views.HISTORY_COLUMNS),
                views.HISTORY_FIT,
                page_size=PAGE_SIZE,
                id=PANE_IDS["history"],
            )
            yield _table(PANE_IDS["disputes"], views.DISPUTE_COLUMNS, views.DISPUTE_FIT)
            yield _table(PANE_IDS["commitments"], views.COMMITMENT_COLUMNS, views.COMMITMENT_FIT)

    @property
    def bar(self) -> CaseTabBar:
        return self.query_one(CaseTabBar)

    def forget(self) -> None:
        """Another case is loading: a tab shown now shows nothing (not the previous case)."""
        self.case_file = None

    def width_changed(self) -> None:
        if self.size.width != self._labelled_width:
            self._relabel()

    def _relabel(self) -> None:
        """Label the tabs so that all seven show whole: "Factures (14)" when there is room,
        "Factures 14" without padding, then "Fact. 14"."""
        width = self._labelled_width = self.size.width

        def label(name: str, text: str, wide: bool) -> str:
            count = self._counts.get(name)
            if count is None:
                return text
            return f"{text} ({count})" if wide else f"{text} {count}"

        wide = [label(name, t(TAB_KEYS[name]), True) for name in TABS]
        tight = [label(name, t(TAB_KEYS[name]), False) for name in TABS]
        short = [label(name, t(TAB_SHORT_KEYS[name]), False) for name in TABS]
        if not width or sum(cell_len(text) + 2 for text in wide) <= width:
            labels, tight_bar = wide, False
        elif sum(cell_len(text) + 1 for text in tight) <= width:
            labels, tight_bar = tight, True
        else:
            labels, tight_bar = short, True
        self.bar.show(labels, TABS.index(self.active.removeprefix("tab-")), tight=tight_bar)

    def show_loading(self) -> None:
        self.query_one("#case-summary", Static).update("")
        self._counts = {}
        self._relabel()

    def show(self, case: CaseFile, summary: Text) -> None:
        """The case's summary, the tabs' counts and the shown tab's table."""
        self.case_file = case
        self.query_one("#case-summary", Static).update(summary)
        self._counts = {
            "invoices": len(case.invoices),
            "history": len(case.history),
            "disputes": len(case.disputes),
            "commitments": len(case.promises) + len(case.plans) + len(case.callbacks),
        }
        self._relabel()
        self._tab_shown(self.active)

    def watch_active(self, pane_id: str) -> None:
        name = pane_id.removeprefix("tab-")
        self.query_one(ContentSwitcher).current = PANE_IDS[name]
        self.bar.show(self.bar.labels, TABS.index(name), tight=self.bar.tight)
        self._tab_shown(pane_id)

    @on(CaseTabBar.Chosen)
    def _chosen(self, event: CaseTabBar.Chosen) -> None:
        event.stop()
        self.active = f"tab-{TABS[event.index]}"

    def show_tab(self, name: str, *, focus: bool = True) -> None:
        """Switch to the tab; `focus`: on its table (its rows answer j/k and Enter)."""
        self.active = f"tab-{name}"
        if focus and name in TABLE_TABS:
            self.query_one(f"#case-{name}").focus()

    def step(self, delta: int, *, focus: bool = True) -> None:
        current = (self.active or "tab-summary").removeprefix("tab-")
        self.show_tab(TABS[(TABS.index(current) + delta) % len(TABS)], focus=focus)

    def _tab_shown(self, pane_id: str) -> None:
        """Bring the shown tab's table to this case (called as the tab switches, before the
        next paint: never shows another case's rows)."""
        name = pane_id.removeprefix("tab-")
        if name not in self._table_case or self._table_case[name] is self.case_file:
            return
        case = self._table_case[name] = self.case_file
        if name == "invoices":
            self._show_invoices(0)
        elif name == "history":
            self._show_history(0)
        elif case is None:  # a tab shown while the next case loads
            self._rows(f"#case-{name}", [])
        elif name == "contacts":
            self._rows("#case-contacts", views.contact_rows(case.contacts))
        elif name == "contracts":
            self._rows("#case-contracts", views.contract_rows(case))
        elif name == "disputes":
            self._rows("#case-disputes", views.dispute_rows(case))
        else:
            self._rows("#case-commitments", views.commitment_rows(case))

    def _rows(self, selector: str, rows: list[views.Row]) -> None:
        self.query_one(selector, FittedTable).set_rows(rows[:MAX_ROWS])

    def _show_invoices(self, offset: int) -> None:
        table = self.query_one("#case-invoices", PagedTable)
        if self.case_file is None:
            table.show_nothing()
            return
        invoices = self.case_file.invoices
        page = [views.invoice_row(i) for i in invoices[offset : offset + PAGE_SIZE]]
        table.show_page(page, offset, len(invoices))

    def _show_history(self, offset: int) -> None:
        table = self.query_one("#case-history", PagedTable)
        if self.case_file is None:
            table.show_nothing()
            return
        history = self.case_file.history
        page = [views.history_row(h) for h in history[offset : offset + PAGE_SIZE]]
        table.show_page(page, offset, len(history))

    @on(PagedTable.RowSelected, "#case-history")
    def _open_entry(self, event: PagedTable.RowSelected) -> None:
        event.stop()
        table = self.query_one("#case-history", PagedTable)
        index = table.page_offset + event.cursor_row
        case = self.case_file
        if case is None or not 0 <= index < len(case.history):
            return
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.dialogs.history_entry import HistoryEntryDialog

        self.app.push_screen(HistoryEntryDialog(case.summary.case_id, case.history[index]))

    @on(PagedTable.PageRequested)
    def _page(self, event: PagedTable.PageRequested) -> None:
        if self.case_file is None:
            return
        if event.table.id == "case-invoices":
            self._show_invoices(event.offset)
        else:
            self._show_history(event.offset)
