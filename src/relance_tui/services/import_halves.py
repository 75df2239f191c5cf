"""A big file read and validated in two processes at once (services.importing uses it).

The parent keeps the first half of the rows; a child made by `os.fork` (which shares the
decoded text without copying it) splits and validates the second half, then sends its validated
columns back through a pipe. SQLite is only ever written by the parent.

Only clean halves are used: a half with any bad row or warning, a child that fails, and the
caller starts over in one process, whose report (line numbers, raw values) is the reference.
The halves are never worth their cost below PARALLEL_FROM_CHARS, and fork is only used where it
is safe: a POSIX system and a process running a single thread.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from relance_tui.services.import_read import Source, Table, halve_source, split_source

PARALLEL_FROM_CHARS = 8_000_000  # about 100 000 invoice rows; below, fork and pickle cost more
# The parent takes more than half the rows: the child also pickles its values, and the parent
# would otherwise wait for them.
FIRST_SHARE = 0.56

Values = dict[str, list[Any]]
T = TypeVar("T")


class CleanHalf:
    """What the preparation of one half returns when every row in it is good."""

    def __init__(self, size: int, values: Values) -> None:
        self.size = size
        self.values = values


def can_halve(source: Source) -> bool:
    return (
        hasattr(os, "fork")
        and threading.active_count() == 1
        and not source.quoted
        and len(source.text) >= PARALLEL_FROM_CHARS
    )


def prepare_in_halves(
    source: Source, prepare: Callable[[Table], tuple[T, CleanHalf | None]]
) -> tuple[T, CleanHalf, CleanHalf] | None:
    """Run `prepare` on both halves of the file, the second in a child process.

    `prepare` returns its own result and, when its half is clean, the validated values. Returns
    (the first half's own result, both clean halves), or None when a half is not clean or the
    child did not answer.
    """
    halves = halve_source(source, FIRST_SHARE)
    if halves is None:
        return None
    first_half, second_half = halves
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(reader)
        _child(prepare, second_half, writer)
    os.close(writer)
    del second_half
    finished = False
    try:
        with os.fdopen(reader, "rb") as pipe:
            result, first = prepare(split_source(first_half))
            del first_half
            try:
                second: CleanHalf | None = pickle.load(pipe)
            except EOFError:  # the child died before it could answer
                second = None
        finished = True
    finally:
        if not finished:
            os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    if first is None or second is None:
        return None
    return result, first, second


def _child(
    prepare: Callable[[Table], tuple[Any, CleanHalf | None]], half: Source, writer: int
) -> NoReturn:
    """Validate the second half, send the clean values or None, and leave without cleaning up.

    `os._exit`: the child must never return into the parent's code, run its atexit handlers or
    close the SQLite connection it inherited.
    """
    status = 1
    try:
        with os.fdopen(writer, "wb") as pipe:
            _result, clean = prepare(split_source(half))
            pickle.dump(clean, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    finally:
        os._exit(status)
