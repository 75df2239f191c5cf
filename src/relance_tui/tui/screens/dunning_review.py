"""`d` on the queue (or the palette): the supervisor's review of the day's dunning batch.

The steps due today as `relance dunning --dry-run` lists them (a count and a total per kind,
then each step: debtor, step, the channel it will really go by, to whom, amount), and the steps
held with why. `h` holds the step under the cursor with a reason, `u` releases a held one, `v`
approves the batch (asked first) and performs exactly the steps shown — on a database thread,
never the UI's, with a progress bar — then says what was sent and what failed, per kind.
Roles are the services' (services.dunning_review): an agent is told it is not theirs.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, ProgressBar, Static

from relance_tui.config import Settings
from relance_tui.domain.labels import STAGE_KEYS
from relance_tui.formatting import day, money
from relance_tui.i18n import t
from relance_tui.services.case_report import CHANNEL_KEYS
from relance_tui.services.dunning_batch import BATCH_KIND_KEYS, CHANNELS, BatchReport
from relance_tui.services.dunning_review import (
    BatchReview,
    hold_due_step,
    perform_reviewed,
    release_held_step,
    review_batch,
)
from relance_tui.services.ladder import DueStep
from relance_tui.services.permissions import NotAllowedError
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.database import DatabaseFailed, database_work
from relance_tui.tui.plain import plain
from relance_tui.tui.widgets.bindings_footer import BindingsFooter

if TYPE_CHECKING:
    from relance_tui.tui.app import RelanceApp

# The amount before the recipient: at 80 columns the table is cut on the right, and the line
# under it shows the whole row under the cursor.
REVIEW_COLUMN_KEYS = {
    "reference": "dunning_review.col.reference",
    "debtor": "dunning_review.col.debtor",
    "step": "dunning_review.col.step",
    "channel": "dunning_review.col.channel",
    "amount": "dunning_review.col.amount",
    "recipient": "dunning_review.col.recipient",
    "state": "dunning_review.col.state",
}


class DunningReviewScreen(TranslatedBindings, Screen[None]):
    CSS_PATH = "dunning_review.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back", id="dunning_review.back"),
        Binding("v", "approve", "key.dunning_review_approve", id="dunning_review.approve"),
        Binding("h", "hold", "key.dunning_review_hold", id="dunning_review.hold"),
        Binding("u", "release", "key.dunning_review_release", id="dunning_review.release"),
        Binding("r", "reload", "key.refresh", id="dunning_review.reload"),
        Binding("j", "cursor(1)", id="dunning_review.down", show=False),
        Binding("k", "cursor(-1)", id="dunning_review.up", show=False),
    ]

    class Loaded(Message):
        def __init__(self, review: BatchReview) -> None:
            super().__init__()
            self.review = review

    class Refused(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Changed(Message):
        """A hold or a release was recorded (or could not be: `text` says why)."""

        def __init__(self, text: str, ok: bool) -> None:
            super().__init__()
            self.text = text
            self.ok = ok

    class Progress(Message):
        def __init__(self, done: int) -> None:
            super().__init__()
            self.done = done

    class Performed(Message):
        def __init__(self, report: BatchReport) -> None:
            super().__init__()
            self.report = report

    def __init__(self) -> None:
        super().__init__()
        self.review: BatchReview | None = None
        self.running = False
        self.result: str = ""
        self._stop = threading.Event()  # set when the screen goes: the batch ends between steps

    @property
    def relance(self) -> RelanceApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(t("dunning_review.loading"), id="review-title", markup=False)
        yield Static("", id="review-totals", markup=False)
        table: DataTable[Text] = DataTable(id="review-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="review-detail", markup=False)
        yield ProgressBar(id="review-progress", show_eta=False)
        yield Static("", id="review-result", markup=False)
        yield BindingsFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.action_reload()

    def on_unmount(self) -> None:
        self._stop.set()

    # --- Reading --------------------------------------------------------------------------

    def action_reload(self) -> None:
        if not self.running:
            self._read(self.relance.agent_login, self.relance.today(), self.relance.settings)

    @database_work(group="dunning-review")
    def _read(
        self, conn: sqlite3.Connection, login: str, today: date, settings: Settings
    ) -> Message:
        try:
            return self.Loaded(review_batch(conn, today=today, settings=settings, login=login))
        except NotAllowedError as error:
            return self.Refused(str(error))

    @on(Refused)
    def _refused(self, event: Refused) -> None:
        self.notify(event.text, title=t("dunning_review.title"), severity="error", markup=False)
        self.dismiss()

    def on_database_failed(self, event: DatabaseFailed) -> None:
        self._set_running(False)
        self.query_one("#review-title", Static).update(t("dunning_review.failed"))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        review = self.review = event.review
        title = t(
            "dunning_review.heading",
            day=day(review.day),
            count=len(review.lines),
            held=len(review.held),
        )
        self.query_one("#review-title", Static).update(title)
        parts = [
            t("dunning.total", kind=t(BATCH_KIND_KEYS[kind]), count=total.count,
              amount=money(total.cents))
            for kind, total in review.totals.items() if total.count
        ]  # fmt: skip
        self.query_one("#review-totals", Static).update(
            " · ".join(parts) if parts else t("dunning.nothing_due")
        )
        self._fill(review)
        self.query_one("#review-result", Static).update(self.result)

    def _fill(self, review: BatchReview) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        for name in REVIEW_COLUMN_KEYS:
            title = t(REVIEW_COLUMN_KEYS[name])
            table.add_column(Text(title, justify="right" if name == "amount" else "left"))
        for line in review.lines:
            due = line.due
            table.add_row(
                plain(due.reference),
                plain(due.name[:40]),
                Text(t(STAGE_KEYS[due.step.step])),
                Text(t(CHANNEL_KEYS[line.channel])),
                Text(money(due.amount_cents), justify="right"),
                plain(line.recipient or t("dunning_review.nobody")),
                Text(t("dunning_review.state.due")),
            )
        for held in review.held:
            dim = "dim italic"  # held: not part of the batch
            table.add_row(
                plain(held.reference, dim),
                plain(held.name[:40], dim),
                Text(t(STAGE_KEYS[held.step]), dim),
                Text(t(CHANNEL_KEYS[held.channel]), dim),
                Text(money(held.amount_cents), dim, justify="right"),
                Text(""),
                plain(t("dunning_review.state.held", reason=held.reason, by=held.by), dim),
                key=f"held:{held.step_id}",
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self._show_detail()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        """The row under the cursor, whole (at 80 columns the table is cut on the right)."""
        review = self.review
        due, step_id = self._current()
        text = ""
        if review is not None and due is not None:
            line = next(line for line in review.lines if line.due is due)
            text = t(
                "dunning_review.detail", reference=due.reference, name=due.name,
                step=t(STAGE_KEYS[due.step.step]), channel=t(CHANNEL_KEYS[line.channel]),
                recipient=line.recipient or t("dunning_review.nobody"),
                amount=money(due.amount_cents),
            )  # fmt: skip
        elif review is not None and step_id is not None:
            held = next(held for held in review.held if held.step_id == step_id)
            text = t(
                "dunning_review.detail_held", reference=held.reference, name=held.name,
                step=t(STAGE_KEYS[held.step]), reason=held.reason, by=held.by,
            )  # fmt: skip
        self.query_one("#review-detail", Static).update(text)

    def _current(self) -> tuple[DueStep | None, int | None]:
        """The step under the cursor: (a due step, None) or (None, a held step's id)."""
        review = self.review
        table = self.query_one(DataTable)
        if review is None or not table.row_count:
            return None, None
        n = table.cursor_row
        if n < len(review.lines):
            return review.lines[n].due, None
        held = n - len(review.lines)
        return (None, review.held[held].step_id) if held < len(review.held) else (None, None)

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=table.cursor_row + delta)

    def action_back(self) -> None:
        if self.running:
            self.notify(t("dunning_review.still_running"), severity="warning")
            return
        self.dismiss()

    # --- Holding and releasing ------------------------------------------------------------

    def action_hold(self) -> None:
        due, _ = self._current()
        if due is None or self.running:
            return
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.dialogs.reason import ReasonDialog

        def chosen(reason: str | None) -> None:
            if reason:
                self._hold(due, reason, self.relance.agent_login)

        body = f"{due.reference} {due.name} — {t(STAGE_KEYS[due.step.step])}"
        self.app.push_screen(
            ReasonDialog(
                t("dunning_review.hold_title"), body, t("dunning_review.reason"),
                dialog_id="review-hold",
            ),
            chosen,
        )  # fmt: skip

    @database_work(group="dunning-review-write", interruptible=False)
    def _hold(self, conn: sqlite3.Connection, due: DueStep, reason: str, login: str) -> Message:
        try:
            held = hold_due_step(conn, due, reason=reason, login=login)
        except NotAllowedError as error:
            return self.Changed(str(error), False)
        if not held:
            return self.Changed(t("dunning_review.not_held", reference=due.reference), False)
        return self.Changed(t("dunning_review.held", reference=due.reference), True)

    def action_release(self) -> None:
        _, step_id = self._current()
        if step_id is not None and not self.running:
            self._release(step_id, self.relance.agent_login)

    @database_work(group="dunning-review-write", interruptible=False)
    def _release(self, conn: sqlite3.Connection, step_id: int, login: str) -> Message:
        try:
            released = release_held_step(conn, step_id, login=login)
        except NotAllowedError as error:
            return self.Changed(str(error), False)
        return self.Changed(t("dunning_review.released"), released)

    @on(Changed)
    def _changed(self, event: Changed) -> None:
        if self.running:  # the batch was refused before it started
            self._set_running(False)
            self.query_one("#review-result", Static).update("")
        self.notify(event.text, severity="information" if event.ok else "warning", markup=False)
        self.action_reload()

    # --- Approving and performing ---------------------------------------------------------

    def action_approve(self) -> None:
        review = self.review
        if review is None or self.running:
            return
        if not review.lines:
            self.notify(t("dunning.nothing_due"))
            return
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.dialogs.choice import ChoiceDialog

        def answer(choice: str | None) -> None:
            if choice == "yes" and self.review is review:
                self._start(review)

        parts = [
            f"{t(BATCH_KIND_KEYS[kind])} : {total.count}"
            for kind, total in review.totals.items() if total.count
        ]  # fmt: skip
        self.app.push_screen(
            ChoiceDialog(
                t("dunning_review.approve_title"),
                t("dunning_review.approve_body", count=len(review.lines), kinds=" · ".join(parts)),
                [
                    ("o", "yes", t("dunning_review.approve_yes")),
                    ("n", "no", t("dunning_review.approve_no")),
                ],
                default="no",
                dialog_id="review-approve",
            ),
            answer,
        )

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.set_class(running, "-running")  # the progress bar shows

    def _start(self, review: BatchReview) -> None:
        self._set_running(True)
        self.result = ""
        self.query_one("#review-progress", ProgressBar).update(total=len(review.lines), progress=0)
        self.query_one("#review-result", Static).update(t("dunning_review.running"))
        self._perform(review, self.relance.settings, self.relance.agent_login)

    @database_work(group="dunning-perform", interruptible=False)
    def _perform(
        self, conn: sqlite3.Connection, review: BatchReview, settings: Settings, login: str
    ) -> Message:
        done = 0

        def step_done(_due: DueStep, _outcome: str) -> None:
            nonlocal done
            done += 1
            self.post_message(self.Progress(done))

        try:
            report = perform_reviewed(
                conn, review, settings=settings, login=login, on_step=step_done,
                should_stop=self._stop.is_set,
            )  # fmt: skip
        except NotAllowedError as error:
            return self.Changed(str(error), False)
        return self.Performed(report)

    @on(Progress)
    def _progress(self, event: Progress) -> None:
        self.query_one("#review-progress", ProgressBar).update(progress=event.done)

    @on(Performed)
    def _performed(self, event: Performed) -> None:
        self._set_running(False)
        self.result = outcome_text(event.report)
        self.query_one("#review-result", Static).update(self.result)
        self.action_reload()


def outcome_text(report: BatchReport) -> str:
    """What the batch did, per kind: sent and failed, and what was skipped."""
    sent = dict.fromkeys(CHANNELS, 0)
    failed = dict.fromkeys(CHANNELS, 0)
    for _, channel in report.performed:
        sent[channel] += 1
    for due, _ in report.failed:
        failed[due.step.channel] += 1
    parts = [
        t("dunning_review.kind_result", kind=t(BATCH_KIND_KEYS[kind]), sent=sent[kind],
          failed=failed[kind])
        for kind in CHANNELS if sent[kind] or failed[kind]
    ]  # fmt: skip
    text = t("dunning_review.result", parts=" · ".join(parts) or "—")
    if report.taken or report.cancelled:
        text += " " + t("dunning_review.skipped", taken=report.taken, cancelled=report.cancelled)
    for due, why in report.failed:
        text += "\n" + t("dunning.failed", reference=due.reference, detail=why)
    if report.merged:
        text += "\n" + t("dunning.merged", path=report.merged)
    return text
