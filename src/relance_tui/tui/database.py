"""How the TUI reaches the database: one way, for every screen, widget, dialog and the palette.

The app owns a few database threads (`DatabaseThreads`, at most `MAX_THREADS`); each opens its
own SQLite connection on its first job, keeps it for every job it runs and closes it itself
when the app exits, so a connection never crosses threads (`check_same_thread` stays on) and is
never closed under a running query. Database work is declared on a screen, widget or the app
with `@database_work(group=...)` on a method `job(self, conn, *args) -> Message | None`:
calling `node.job(*args)` starts a Textual worker of that node (its group `exclusive` as with
Textual's `@work`) that queues the job on those threads, and the message the job returns is
posted to the node. Results arrive as messages, never as `call_from_thread` callbacks. A failure
has one place: the job's worker sends it to the app (`JobFailed`; Textual's own
`Worker.StateChanged` does not bubble past the worker's node), whose one handler
(`DatabaseApp.on_job_failed`) logs it (Python `logging` and Textual's log), tells the agent in a
translated notification without markup, and gives it back to the node as a `DatabaseFailed`
message so that the node recovers: the queue reads the page again, the case screen shows the
error. Cancelling a worker (a newer call of an exclusive group, its node unmounted, the app
exiting) interrupts its query with `sqlite3.Connection.interrupt` (safe from any thread); work
that writes what the agent asked for is declared `interruptible=False` and runs to its end. On
exit the app stops the threads: queued reads are dropped, running ones interrupted, writes
finish, and each thread closes its connection before it is joined. The command palette's search,
already a task of the palette, awaits `run_on_database` directly (see tui/palette.py).

A write that has to wait for another process's (storage/write_lock.py) tells the app
(`WriteWaits`), which shows "enregistrement en attente…" on the screen until no write waits;
the wait is on the database thread, so keys keep working.

Threads that keep their connection were chosen over a connection per job by measure: opening
one (`storage.db.connect` with its pragmas, and the schema parsed on its first query) costs
~0.8 ms of CPU, nearly half again the ~1.8 ms of reading a 100-row page of the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from queue import SimpleQueue
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar

from textual.app import App
from textual.dom import DOMNode
from textual.message import Message
from textual.widget import MountError
from textual.worker import Worker

from relance_tui.i18n import t

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())  # never Python's last-resort print over the screen

MAX_THREADS = 4  # a score refresh of seconds beside page reads, a claim, a draft write
STOP_INTERRUPT_SECONDS = 0.05  # on exit, a query is interrupted again this often until it ends

P = ParamSpec("P")
R = TypeVar("R")
N = TypeVar("N", bound=DOMNode)
ReturnType = TypeVar("ReturnType")


@dataclass(eq=False)
class _Job:
    run: Callable[[sqlite3.Connection], Any]
    interruptible: bool
    future: Future[Any] = field(default_factory=Future)
    cancelled: bool = False  # asked to stop while it runs


class DatabaseThreads:
    """Threads that each own one connection to `db_path`, for their whole life."""

    def __init__(self, db_path: Path, max_threads: int = MAX_THREADS) -> None:
        self.db_path = db_path
        self.max_threads = max_threads
        self._jobs: SimpleQueue[_Job | None] = SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._live: dict[Future[Any], _Job] = {}  # queued or running
        self._running: dict[_Job, sqlite3.Connection] = {}
        self._stopped = False

    def submit(
        self, run: Callable[[sqlite3.Connection], R], *, interruptible: bool = True
    ) -> Future[R]:
        """Queue `run(conn)` for a database thread; its result (or error) comes in the future."""
        job = _Job(run, interruptible)
        with self._lock:
            if self._stopped:
                raise RuntimeError("the database threads are stopped")
            self._live[job.future] = job
            self._jobs.put(job)
            if self._idle:
                self._idle -= 1
            elif len(self._threads) < self.max_threads:
                thread = threading.Thread(
                    target=self._serve, name=f"relance-db-{len(self._threads) + 1}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
        return job.future

    def cancel(self, future: Future[Any]) -> None:
        """Drop the job if it has not started; interrupt its query if it runs (unless it
        writes what the agent asked for: then it finishes)."""
        with self._lock:
            job = self._live.get(future)
            if job is not None and job.interruptible:
                self._cancel(job)

    def _cancel(self, job: _Job) -> None:  # (holding the lock)
        if not job.future.cancel():  # running (or about to): stop its query
            job.cancelled = True
            conn = self._running.get(job)
            if conn is not None:
                conn.interrupt()

    def stop(self) -> None:
        """Drop queued reads, interrupt running ones, let writes finish, then end every thread
        (each closes its own connection) and wait for it."""
        with self._lock:
            self._stopped = True
            threads = list(self._threads)
        for _ in threads:
            self._jobs.put(None)
        for thread in threads:
            while thread.is_alive():
                with self._lock:  # again and again: a job may start a query after the last
                    for job in self._live.values():
                        if job.interruptible:
                            self._cancel(job)
                thread.join(STOP_INTERRUPT_SECONDS)

    @property
    def threads(self) -> list[threading.Thread]:
        with self._lock:
            return list(self._threads)

    def _serve(self) -> None:
        conn: sqlite3.Connection | None = None
        try:
            while (job := self._jobs.get()) is not None:
                if job.future.set_running_or_notify_cancel():
                    conn = self._run(job, conn)
                with self._lock:
                    del self._live[job.future]
                    self._idle += 1
        finally:
            if conn is not None:
                conn.close()

    def _run(self, job: _Job, conn: sqlite3.Connection | None) -> sqlite3.Connection | None:
        try:
            if conn is None:
                # Deferred: not loaded until first used (start-up time).
                from relance_tui.storage.db import connect

                conn = connect(self.db_path, migrate_schema=False)
            with self._lock:
                self._running[job] = conn
                cancelled = job.cancelled
            try:
                if cancelled:
                    raise sqlite3.OperationalError("interrupted")
                result = job.run(conn)
            finally:
                with self._lock:  # from here no interrupt can reach the next job
                    del self._running[job]
                if conn.in_transaction:  # a job never leaves one open for the next
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
        except Exception as error:
            job.future.set_exception(error)
        else:
            job.future.set_result(result)
        return conn


class JobFailed(Message):
    """To the app: a database job of `node` raised `error` (the one place that reports it)."""

    def __init__(self, node: DOMNode, job: str, args: tuple[object, ...], error: Exception) -> None:
        super().__init__()
        self.node = node
        self.job = job
        self.args = args
        self.error = error


class DatabaseFailed(Message, bubble=False):
    """Back to the node whose database job failed, once the agent has been told."""

    def __init__(self, job: str, args: tuple[object, ...], error: Exception) -> None:
        super().__init__()
        self.job = job  # the name of the method declared with @database_work
        self.args = args  # its arguments after the connection
        self.error = error


def database_threads(app: App[Any]) -> DatabaseThreads:
    threads = getattr(app, "database", None)
    if not isinstance(threads, DatabaseThreads):
        raise TypeError("database work needs a DatabaseApp")
    return threads


async def run_on_database(
    node: DOMNode,
    job: Callable[[sqlite3.Connection], R],
    *,
    name: str,
    args: tuple[object, ...] = (),
    interruptible: bool = True,
) -> R:
    """Run `job(conn)` on a database thread and await its result. A failure is reported to the
    app (`JobFailed`) and raised; cancelling the awaiting task interrupts the query."""
    app = node.app
    threads = database_threads(app)
    future = threads.submit(_telling_waits(app, job), interruptible=interruptible)

    def report(done: Future[R]) -> None:
        error = None if done.cancelled() else done.exception()
        if isinstance(error, Exception):
            app.post_message(JobFailed(node, name, args, error))

    try:
        return await asyncio.wrap_future(future)
    except asyncio.CancelledError:
        threads.cancel(future)
        if not interruptible:  # it goes on: if the write fails, the agent hears of it
            future.add_done_callback(report)
        raise
    except Exception:
        report(future)
        raise


class WriteWaits(Message, bubble=False):
    """To the app: a write of a job started waiting for another one (`waiting`), or ended."""

    def __init__(self, waiting: bool) -> None:
        super().__init__()
        self.waiting = waiting


def _telling_waits(
    app: App[Any], job: Callable[[sqlite3.Connection], R]
) -> Callable[[sqlite3.Connection], R]:
    """`job`, telling the app when one of its writes waits for the write lock and when it ends."""
    # Deferred: not loaded until first used (start-up time).
    from relance_tui.storage.write_lock import reporting_waits

    def telling(conn: sqlite3.Connection) -> R:
        waited = False

        def on_wait() -> None:
            nonlocal waited
            if not waited:
                waited = True
                app.post_message(WriteWaits(True))

        try:
            with reporting_waits(on_wait):
                return job(conn)
        finally:
            if waited:
                app.post_message(WriteWaits(False))

    return telling


def database_work(
    *, group: str, exclusive: bool = True, interruptible: bool = True
) -> Callable[
    [Callable[Concatenate[N, sqlite3.Connection, P], Message | None]],
    Callable[Concatenate[N, P], Worker[Message | None]],
]:
    """Declare `job(self, conn, *args) -> Message | None` as database work of its node: calling
    `node.job(*args)` starts a worker of the node (in `group`) that runs the job on a database
    thread and posts the message it returns to the node.

    `exclusive`: a new call cancels the group's earlier ones (as with Textual's `@work`).
    `interruptible=False` for writes the agent asked for: never interrupted, finished on exit.
    """

    def decorate(
        method: Callable[Concatenate[N, sqlite3.Connection, P], Message | None],
    ) -> Callable[Concatenate[N, P], Worker[Message | None]]:
        name = method.__name__

        @wraps(method)
        def start(node: N, /, *args: P.args, **kwargs: P.kwargs) -> Worker[Message | None]:
            def job(conn: sqlite3.Connection) -> Message | None:
                message = method(node, conn, *args, **kwargs)
                if message is not None:
                    # From the thread, even for a cancelled worker: a node that asked twice
                    # tells its answers apart (by generation) and may owe the late one an undo.
                    node.post_message(message)
                return message

            async def work() -> Message | None:
                return await run_on_database(
                    node, job, name=name, args=args, interruptible=interruptible
                )

            return node.run_worker(
                work, name=name, group=group, exclusive=exclusive, exit_on_error=False
            )

        return start

    return decorate


class DatabaseApp(App[ReturnType], Generic[ReturnType]):
    """An app whose nodes reach the database through `@database_work` (see the module)."""

    def __init__(self, *, db_path: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.db_path = db_path
        self.database = DatabaseThreads(db_path)
        self._writes_waiting = 0  # writes of this app asleep on the write lock (WriteWaits)

    def on_job_failed(self, message: JobFailed) -> None:
        """Every failed database job: logged, told to the agent, given back to its node."""
        error = message.error
        # Not the arguments: they may hold what the agent typed (notes, a call's draft).
        log.error("database job %s failed", message.job, exc_info=error)
        self.log.error(f"database job {message.job} failed: {error!r}")
        self.notify(
            t("database.failed", error=str(error) or type(error).__name__),
            severity="error",
            markup=False,
        )
        message.node.post_message(DatabaseFailed(message.job, message.args, error))

    def on_write_waits(self, message: WriteWaits) -> None:
        """One line on the screen while any save waits for another process's write."""
        # Deferred: not loaded until first used (start-up time).
        from relance_tui.tui.widgets.write_waiting import WriteWaiting

        self._writes_waiting = max(0, self._writes_waiting + (1 if message.waiting else -1))
        shown = [widget for screen in self.screen_stack for widget in screen.query(WriteWaiting)]
        screen = next((s for s in reversed(self.screen_stack) if s.is_attached), None)
        if self._writes_waiting and not shown and screen is not None:
            with contextlib.suppress(MountError):  # a screen on its way out: nothing to say
                screen.mount(WriteWaiting())
        elif not self._writes_waiting:
            for widget in shown:
                widget.remove()

    def on_unmount(self) -> None:
        self.database.stop()
