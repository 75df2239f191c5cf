"""The queue's filters in a small modal: stage, segment, agent (supervisors), minimum amount.

Keyboard only: Tab between fields, Enter in the amount field or on "Appliquer" applies,
Escape cancels. Returns the new `QueueFilters` (or None when cancelled).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from relance_tui.domain.labels import SEGMENT_KEYS, STAGE_KEYS
from relance_tui.domain.models import Segment, Stage
from relance_tui.i18n import t
from relance_tui.services.queue import QueueFilters
from relance_tui.tui.bindings import TranslatedBindings
from relance_tui.tui.plain import plain

AgentChoice = tuple[int, str]  # (agent id, login)


def parse_euros(text: str) -> int | None:
    """`1 500`, `1500,50`, `1 500 €` → cents; '' → None; raises ValueError when unreadable."""
    cleaned = "".join(ch for ch in text if not ch.isspace() and ch != "€").replace(",", ".")
    if not cleaned:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if amount < 0 or not amount.is_finite():
        raise ValueError(text)
    return int((amount * 100).to_integral_value())


class QueueFilterScreen(TranslatedBindings, ModalScreen[QueueFilters | None]):
    CSS_PATH = "queue_filters.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.back", id="queue_filters.cancel"),
    ]

    def __init__(self, filters: QueueFilters, *, agents: list[AgentChoice] | None = None) -> None:
        super().__init__()
        self.filters = filters
        self.agents = agents

    def compose(self) -> ComposeResult:
        filters = self.filters
        with Vertical(id="filters-dialog"):
            yield Static(t("queue.filter.title"), id="filters-title")
            yield Label(t("queue.filter.stage"))
            yield Select(
                [
                    (t(STAGE_KEYS[stage]), stage.value)
                    for stage in Stage
                    if stage is not Stage.CLOSED
                ],
                prompt=t("queue.filter.any"),
                value=filters.stage or Select.NULL,
                id="filter-stage",
            )
            yield Label(t("queue.filter.segment"))
            yield Select(
                [(t(SEGMENT_KEYS[segment]), segment.value) for segment in Segment],
                prompt=t("queue.filter.any"),
                value=filters.segment or Select.NULL,
                id="filter-segment",
            )
            if self.agents is not None:
                yield Label(t("queue.filter.agent"))
                yield Select(
                    [(plain(login), agent_id) for agent_id, login in self.agents],
                    prompt=t("queue.filter.any"),
                    value=filters.agent_id if filters.agent_id is not None else Select.NULL,
                    id="filter-agent",
                )
            yield Label(t("queue.filter.min_amount"))
            minimum = filters.min_overdue_cents
            yield Input(
                value="" if minimum is None else f"{minimum / 100:g}",
                placeholder="1500",
                id="filter-amount",
            )
            yield Static("", id="filter-error")
            with Horizontal(id="filters-buttons"):
                yield Button(t("queue.filter.apply"), variant="primary", id="filter-apply")
                yield Button(t("queue.filter.reset"), id="filter-reset")
                yield Button(t("queue.filter.cancel"), id="filter-cancel")

    def on_mount(self) -> None:
        self.query_one("#filter-stage", Select).focus()

    def _value(self, selector: str) -> object:
        value = self.query_one(selector, Select).value
        return None if value is Select.NULL else value

    def _collect(self) -> QueueFilters | None:
        amount_text = self.query_one("#filter-amount", Input).value
        try:
            minimum = parse_euros(amount_text)
        except ValueError:
            self.query_one("#filter-error", Static).update(
                t("queue.filter.bad_amount", value=amount_text)
            )
            return None
        stage = self._value("#filter-stage")
        segment = self._value("#filter-segment")
        agent_id = self.filters.agent_id
        if self.agents is not None:
            chosen = self._value("#filter-agent")
            agent_id = chosen if isinstance(chosen, int) else None
        return replace(
            self.filters,
            stage=stage if isinstance(stage, str) else None,
            segment=segment if isinstance(segment, str) else None,
            agent_id=agent_id,
            min_overdue_cents=minimum,
        )

    @on(Button.Pressed, "#filter-apply")
    @on(Input.Submitted, "#filter-amount")
    def _apply(self) -> None:
        filters = self._collect()
        if filters is not None:
            self.dismiss(filters)

    @on(Button.Pressed, "#filter-reset")
    def _reset(self) -> None:
        self.dismiss(
            replace(
                self.filters,
                stage=None,
                segment=None,
                min_overdue_cents=None,
                agent_id=None if self.agents is not None else self.filters.agent_id,
            )
        )

    @on(Button.Pressed, "#filter-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
