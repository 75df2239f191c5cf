"""A big file read and validated in two processes at once (the pipeline uses it).

The parent keeps the first part of the rows; a child made by `os.fork` (which shares the
decoded text without copying it) splits and validates the rest, then sends its validated
columns back through a pipe. SQLite is only ever written by the parent, which can write its own
part while the child is still at work.

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
from typing import Any, Generic, NoReturn, TypeVar

from relance_tui.services.importing.read import Source, Table, cut_source, source_part, split_source
from relance_tui.storage import checkpointer

PARALLEL_FROM_CHARS = 8_000_000  # about 100 000 invoice rows; below, fork and pickle cost more
# The parent's share of the rows: a little less than half, as it also writes its part to the
# database before it needs the child's (measured best between 0.45 and 0.5).
FIRST_SHARE = 0.48

Values = dict[str, list[Any]]
T = TypeVar("T")


class CleanHalf:
    """What the preparation of one half returns when every row in it is good."""

    def __init__(self, size: int, values: Values) -> None:
        self.size = size
        self.values = values


def halving_point(source: Source) -> int | None:
    """Where to cut `source` for two processes; None when it is not worth it or not safe."""
    if not hasattr(os, "fork"):
        return None
    checkpointer.stop()  # its thread would forbid the fork; the next write starts it again
    if threading.active_count() != 1:
        return None
    if len(source.text) < PARALLEL_FROM_CHARS:
        return None
    return cut_source(source, FIRST_SHARE)


class Halves(Generic[T]):
    """Both halves of a file being prepared, the second in a child process.

    `prepare` returns its own result and, when its half is clean, the validated values. Use it
    as a context manager: leaving it stops the child if it still runs, and always reaps it.
    """

    def __init__(
        self, source: Source, cut: int, prepare: Callable[[Table], tuple[T, CleanHalf | None]]
    ) -> None:
        self._prepare = prepare
        self._source: Source | None = source
        self._cut = cut
        reader, writer = os.pipe()
        # Ctrl-C is held back from the fork until `with` has begun: an interrupt in between
        # would leave the child unreaped (the parent gone, a zombie until init collects it).
        self._signals = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self._child = os.fork()
        except OSError:  # no process to spare: the caller reads the file in one
            signal.pthread_sigmask(signal.SIG_SETMASK, self._signals)
            os.close(reader)
            os.close(writer)
            raise
        if self._child == 0:
            _child(prepare, source, cut, reader, writer, self._signals)
        os.close(writer)
        self._pipe = os.fdopen(reader, "rb")
        self._answered = False

    def first(self) -> tuple[T, CleanHalf | None]:
        """Prepare the first half here, while the child prepares the second."""
        assert self._source is not None, "the first half is prepared once"
        first = source_part(self._source, self._cut, second=False)
        self._source = None
        return self._prepare(split_source(first))

    def second(self) -> CleanHalf | None:
        """The second half's values, once the child sends them; None if it did not."""
        try:
            second: CleanHalf | None = pickle.load(self._pipe)
        except (EOFError, pickle.UnpicklingError):  # the child died before it had answered
            second = None
        self._pipe.close()
        self._answered = True
        return second

    def __enter__(self) -> Halves[T]:
        try:
            # A Ctrl-C held back since the fork is raised here, and the child is stopped.
            signal.pthread_sigmask(signal.SIG_SETMASK, self._signals)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        """Reap the child; kill it first if it was never heard (its exit is not waited for
        earlier: freeing a big process takes the kernel a while)."""
        self._pipe.close()
        if not self._answered:
            os.kill(self._child, signal.SIGKILL)
        os.waitpid(self._child, 0)


def _child(
    prepare: Callable[[Table], tuple[Any, CleanHalf | None]],
    source: Source,
    cut: int,
    reader: int,
    writer: int,
    signals: set[int | signal.Signals],
) -> NoReturn:
    """Validate the second half, send the clean values or None, and leave without cleaning up.

    `os._exit`, whatever happens (a Ctrl-C included, let in only here): the child must never
    return into the parent's code, run its atexit handlers or close the SQLite connection it
    inherited.
    """
    status = 1
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, signals)
        os.close(reader)
        with os.fdopen(writer, "wb") as pipe:
            _result, clean = prepare(split_source(source_part(source, cut, second=True)))
            # Pickled whole first: dumping into the pipe would wait for the parent to read.
            pipe.write(pickle.dumps(clean, protocol=pickle.HIGHEST_PROTOCOL))
        status = 0
    finally:
        os._exit(status)
