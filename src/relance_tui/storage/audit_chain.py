"""The audit trail's hash chain: each event sealed with SHA-256 over its fields and the seal before.

`seal = sha256(previous seal (hex, ASCII) + "\\n" + SQLite's json_array(id, at, agent, action,
entity, entity_id, before, after, detail))`, hex; the first event's previous seal is "". An event
is sealed in the transaction that appends it (`BEGIN IMMEDIATE` under the write lock, so
appends are one line); its id is the last one plus one, so that the seal covers it.

Triggers refuse UPDATE and DELETE; the chain is for what goes around them (`sqlite3` with the
triggers dropped): an edited event no longer matches its seal, a deleted one breaks the seal of
the one after it, an event added outside the program has no seal (or a wrong one). `verify`
walks the chain and names the first broken link.

A checkpoint (meta `audit_checkpoint`: `id:seal`) lets the start-up check read only what came
after the last verified event. It must not hide an edit made before it: the check first
re-computes the checkpoint event's seal from its own fields and its predecessor's stored seal and
compares it with the checkpoint's copy, so an edit re-sealed from an earlier event onward (the
only way to make an earlier edit pass a chain check) shows at once. An earlier edit or deletion
that leaves the seals alone is found by the full `verify` (`relance audit verify`, ~5 s of CPU per
million events): counting the events up to the checkpoint would catch a deletion too, but costs
as much as reading them. What no chain without a secret can show is a trail rewritten whole,
checkpoint included, by someone who can write the file: that is what the shared-server
deployment (agents never touch the file) and the head seal printed by `relance audit verify`
(to note elsewhere) are for. The last events can be cut off the same way unless the head seal
was noted.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

CHECKPOINT_KEY = "audit_checkpoint"
TEXT_FIELDS = ("at", "agent", "action", "entity", "entity_id", "before", "after", "detail")
_COLUMNS = ", ".join(TEXT_FIELDS)
# SQLite writes the canonical JSON (in C: several times faster than Python's json). The casts
# only matter for a value stored from outside as a blob (json_array refuses blobs).
_JSON = f"json_array(id, {', '.join(f'CAST({name} AS TEXT)' for name in TEXT_FIELDS)})"
_SELECT = f"SELECT id, {_JSON}, hash FROM audit_events"
_INSERT = (
    f"INSERT INTO audit_events (id, {_COLUMNS}, hash)"
    f" VALUES ({', '.join('?' * (len(TEXT_FIELDS) + 2))})"
)
_sha256 = hashlib.sha256

# One event's fields after its id, in TEXT_FIELDS order (before, after may be None).
Fields = Sequence[str | None]


def seal(previous: str, event_json: str) -> str:
    """The seal of an event (`json_array(id, at, …, detail)`) after the seal `previous`."""
    return _sha256(f"{previous}\n{event_json}".encode()).hexdigest()


def head(conn: sqlite3.Connection) -> tuple[int, str]:
    """The last event's id and seal ((0, "") for an empty trail)."""
    row = conn.execute("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()
    return (0, "") if row is None else (int(row[0]), row[1] or "")


def append(conn: sqlite3.Connection, events: Iterable[Fields]) -> int:
    """Append events, sealed. Inside the transaction (holding the write lock) of the write they
    record. Returns how many."""
    encode = f"SELECT json_array({', '.join('?' * (len(TEXT_FIELDS) + 1))})"

    def with_json() -> Iterator[tuple[str | None, ...]]:
        for fields in events:
            text = tuple(None if value is None else str(value) for value in fields)
            yield text

    return _insert_sealed(conn, with_json(), encode)


def append_selected(conn: sqlite3.Connection, select: str, params: dict[str, object]) -> int:
    """Append the events a query gives, sealed, in one `INSERT … SELECT` (an import's thousands).

    `select` returns `id` and columns named like TEXT_FIELDS, in id order with no sort step
    (`:audit_base + rowid AS id … ORDER BY rowid` of a table, `audit_base` being passed in):
    the seals are computed by a function of this connection as SQLite writes the rows, each
    after the one before. A row coming out of order would break the chain: it is refused.
    """
    if not conn.in_transaction:
        raise RuntimeError("audit events are appended inside the write's transaction")
    last_id, previous = head(conn)
    state: list[Any] = [last_id, previous, 0]

    def next_seal(event_id: int, event_json: str) -> str:
        if event_id <= state[0]:
            raise ValueError("audit events sealed out of order")
        state[0] = event_id
        state[1] = _sha256(f"{state[1]}\n{event_json}".encode()).hexdigest()
        state[2] += 1
        return str(state[1])

    conn.create_function("relance_audit_seal", 2, next_seal)
    try:
        conn.execute(
            f"INSERT INTO audit_events (id, {_COLUMNS}, hash)"
            f" SELECT id, {_COLUMNS}, relance_audit_seal(id, json_array(id, {_COLUMNS}))"
            f" FROM ({select})",
            {**params, "audit_base": last_id},
        )
    finally:
        conn.create_function("relance_audit_seal", 2, None)
    return int(state[2])


def _insert_sealed(
    conn: sqlite3.Connection, events: Iterable[tuple[str | None, ...]], encode: str
) -> int:
    if not conn.in_transaction:
        raise RuntimeError("audit events are appended inside the write's transaction")
    last_id, previous = head(conn)
    count = 0
    for fields in events:
        last_id += 1
        previous = seal(previous, conn.execute(encode, (last_id, *fields)).fetchone()[0])
        conn.execute(_INSERT, (last_id, *fields, previous))
        count += 1
    return count


def seal_existing(conn: sqlite3.Connection) -> None:
    """Seal the events of a database from before the chain (the migration, in its transaction;
    the UPDATE trigger is dropped around it)."""
    previous = ""
    updates: list[tuple[str, int]] = []
    for event_id, event_json, _stored in conn.execute(f"{_SELECT} ORDER BY id"):
        previous = seal(previous, event_json)
        updates.append((previous, event_id))
    conn.executemany("UPDATE audit_events SET hash = ? WHERE id = ?", updates)


@dataclass(frozen=True, slots=True)
class Break:
    """The first broken link: the event where the chain stops holding, and why.

    `kind`: "missing" (events `missing_from`..`event_id - 1` are gone), "unsealed" (no seal:
    added outside the program), "altered" (its fields no longer match its seal, which the next
    event still chains to: edited, or added with a made-up seal), "mismatch" (a seal that is
    not the chain's: added, edited or re-sealed outside the program), "checkpoint" (the event
    verified last time lost the seal it had then: changed, deleted, or the chain re-sealed).
    """

    event_id: int
    kind: str
    missing_from: int = 0


@dataclass(frozen=True, slots=True)
class Verdict:
    checked: int  # events whose seal was re-computed
    last_id: int  # the head of the chain (0: empty)
    last_seal: str
    broken: Break | None = None


def verify(conn: sqlite3.Connection, *, since_checkpoint: bool = False) -> Verdict:
    """Walk the chain (from the checkpoint, if asked and one is stored) to its head; the
    checkpoint event must still hold the seal it had when it was verified."""
    start_id, previous = 0, ""
    if since_checkpoint:
        checkpoint = read_checkpoint(conn)
        if checkpoint is not None:
            broken = _check_checkpoint(conn, *checkpoint)
            if broken is not None:
                return Verdict(0, checkpoint[0], checkpoint[1], broken)
            start_id, previous = checkpoint
    previous_id = start_id
    sha256 = _sha256
    cursor = conn.cursor()
    cursor.row_factory = None
    cursor.execute(f"{_SELECT} WHERE id > ? ORDER BY id", (start_id,))
    checked = 0
    while rows := cursor.fetchmany(4096):
        for event_id, event_json, stored in rows:
            if stored != sha256(f"{previous}\n{event_json}".encode()).hexdigest():
                broken = _diagnose(conn, event_id, stored, previous_id)
                return Verdict(checked, previous_id, previous, broken)
            previous, previous_id = stored, event_id
            checked += 1
    if not since_checkpoint:
        # A chain re-sealed whole from an edit onward holds: only the checkpoint can tell.
        checkpoint = read_checkpoint(conn)
        broken = None if checkpoint is None else _check_checkpoint(conn, *checkpoint)
        if broken is not None:
            return Verdict(checked, previous_id, previous, broken)
    return Verdict(checked, previous_id, previous)


def _diagnose(conn: sqlite3.Connection, event_id: int, stored: str | None, after: int) -> Break:
    if event_id != after + 1:
        return Break(event_id, "missing", missing_from=after + 1)
    if not stored:
        return Break(event_id, "unsealed")
    following = conn.execute(f"{_SELECT} WHERE id > ? ORDER BY id LIMIT 1", (event_id,)).fetchone()
    if following is not None and following[2] == seal(stored, following[1]):
        return Break(event_id, "altered")  # the next event still chains to its original seal
    return Break(event_id, "mismatch")


def read_checkpoint(conn: sqlite3.Connection) -> tuple[int, str] | None:
    """The last verified point: (event id, its seal)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (CHECKPOINT_KEY,)).fetchone()
    if row is None:
        return None
    event_id, _, stored = str(row[0]).partition(":")
    if not event_id.isdigit() or len(stored) != 64:
        return None  # unreadable: the start-up check reads the whole chain
    return int(event_id), stored


def _check_checkpoint(conn: sqlite3.Connection, event_id: int, stored: str) -> Break | None:
    rows = conn.execute(f"{_SELECT} WHERE id <= ? ORDER BY id DESC LIMIT 2", (event_id,)).fetchall()
    if not rows or rows[0][0] != event_id:
        return Break(event_id, "checkpoint")
    previous = (rows[1][2] or "") if len(rows) > 1 else ""
    if rows[0][2] != stored or seal(previous, rows[0][1]) != stored:
        return Break(event_id, "checkpoint")
    return None


def write_checkpoint(conn: sqlite3.Connection, verdict: Verdict) -> None:
    """Remember a sound chain's head as verified (inside a write transaction)."""
    if verdict.broken is not None or not verdict.last_id:
        return
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (CHECKPOINT_KEY, f"{verdict.last_id}:{verdict.last_seal}"),
    )
