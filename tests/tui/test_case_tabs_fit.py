"""The case file fits 80 columns: the seven tabs show their whole labels (they used to end
"Engageme"), the tables cut and drop columns rather than scroll sideways."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import make_app, open_case, press, seeding, settle

from relance_tui.storage.db import transaction
from relance_tui.tui.widgets.case_tab_bar import CaseTabBar
from relance_tui.tui.widgets.case_tabs import CaseTabs
from relance_tui.tui.widgets.fitted_table import ColumnFit, FittedTable, fit_widths


@pytest.mark.parametrize(
    ("size", "in_call"),
    [((80, 24), False), ((120, 35), False), ((120, 35), True), ((160, 45), True)],
)
async def test_every_case_tab_shows_its_whole_label(
    db_path: Path, seeded: dict[str, int], size: tuple[int, int], in_call: bool
) -> None:
    """Beside the call checklist too (the bar used to end at "Historique", the last two tabs
    out of sight)."""
    app = make_app(db_path)
    async with app.run_test(size=size) as pilot:
        screen = await open_case(pilot, seeded["case"])
        if in_call:
            await press(pilot, "c")
        bar = screen.query_one(CaseTabBar)
        drawn = "".join(segment.text for segment in bar.render_line(0))
        assert len(bar.labels) == 7
        for label, (start, end) in zip(bar.labels, bar.spans(), strict=True):
            assert end <= bar.size.width, (label, start, end)
            assert drawn[start:end].strip() == label, (label, drawn)
        assert "Engagements" in bar.labels[-1] or in_call


TABLE_TABS = ("invoices", "contacts", "contracts", "history", "disputes", "commitments")


@pytest.mark.parametrize(
    ("size", "in_call"),
    [((80, 24), False), ((120, 35), False), ((120, 35), True)],  # 80 columns in a call: no tabs
)
async def test_case_tables_fit_their_width_and_say_what_is_cut(
    db_path: Path, seeded: dict[str, int], size: tuple[int, int], in_call: bool
) -> None:
    """No table scrolls sideways: long text is cut with "…" and the least useful columns go
    (the last column used to be cut mid-word with nothing to say so: "Sta")."""
    with seeding(db_path) as conn, transaction(conn):
        long = "Relance téléphonique suivie d'un courriel au service comptable " * 2
        conn.execute("UPDATE interactions SET notes = ?", (long,))
        conn.execute("UPDATE contacts SET email = 'comptabilite.fournisseurs@garage-leroy.fr'")
    app = make_app(db_path)
    async with app.run_test(size=size) as pilot:
        screen = await open_case(pilot, seeded["second"])
        tabs = screen.query_one(CaseTabs)
        if in_call:  # the invoices shown when the call starts: the table narrows under them
            tabs.show_tab("invoices")
            await settle(pilot)
            await press(pilot, "c")
        for name in TABLE_TABS:
            tabs.show_tab(name)
            await settle(pilot)
            table = screen.query_one(f"#case-{name}", FittedTable)
            assert table.row_count or name == "contracts", name
            assert table.virtual_size.width <= table.scrollable_content_region.width, (
                name,
                table.shown_columns,
            )
            header = "".join(segment.text for segment in table.render_line(0))
            for column in table.columns.values():
                label = column.label.plain
                whole_or_cut = [label] + [label[:n] + "…" for n in range(1, len(label))]
                assert any(shown in header for shown in whole_or_cut), (name, label, header)


def test_columns_are_cut_before_any_goes_and_go_in_order() -> None:
    natural = {"number": 14, "po": 10, "issued": 10, "due": 10}
    fit = ColumnFit(shrink={"po": 4, "number": 10}, drop=("issued", "po"))
    # padding 1 a side: 16 + 12 + 12 + 12 = 52
    assert fit_widths(natural, fit, 52, 1) == (list(natural), {})
    assert fit_widths(natural, fit, 47, 1) == (list(natural), {"po": 5})
    assert fit_widths(natural, fit, 44, 1) == (list(natural), {"po": 4, "number": 12})
    # po and number at their floors are not enough: "issued" goes, po gets its width back
    assert fit_widths(natural, fit, 41, 1) == (["number", "po", "due"], {})
    assert fit_widths(natural, fit, 30, 1) == (["number", "po", "due"], {"po": 4, "number": 10})
    assert fit_widths(natural, fit, 26, 1) == (["number", "due"], {"number": 12})
    # nothing left to drop: cut as far as allowed, the rest scrolls
    assert fit_widths(natural, fit, 10, 1) == (["number", "due"], {"number": 10})
