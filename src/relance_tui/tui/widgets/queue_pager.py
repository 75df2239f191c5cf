"""Which page of the queue holds row N, and how to fetch it without reading the rows before it.

Pure Python (no Textual, no SQL of its own): the table asks `row(index)`; a missing page gets a
`FetchPlan` that a worker thread runs through services.queue:
- page 0: the first page;
- the page after a cached one: keyset `after` its last row;
- the page before a cached one: keyset `before` its first row (read backwards);
- the last page (the `G` key): `before` nothing, i.e. the end of the queue, read backwards;
- anything else (a scrollbar drag to the middle): the nearest end or cached page plus a skip.
Pages live in a small LRU cache, so memory stays flat whatever the queue's length.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from dataclasses import dataclass

from relance_tui.services import queue as queue_service
from relance_tui.services.queue import Key, QueueQuery, QueueRow

PAGE_SIZE = 100
MAX_PAGES = 24


@dataclass(frozen=True, slots=True)
class FetchPlan:
    page: int
    forward: bool  # True: rows after `key` (top down); False: rows before `key` (bottom up)
    key: Key | None  # None: from the top (forward) or from the end (backward)
    limit: int
    skip: int = 0


class QueuePager:
    def __init__(self, total: int, page_size: int = PAGE_SIZE, max_pages: int = MAX_PAGES) -> None:
        self.total = total
        self.page_size = page_size
        self.max_pages = max_pages
        self._pages: OrderedDict[int, list[QueueRow]] = OrderedDict()

    @property
    def last_page(self) -> int:
        return max(self.total - 1, 0) // self.page_size

    def page_of(self, index: int) -> int:
        return index // self.page_size

    def page_length(self, page: int) -> int:
        return max(0, min(self.page_size, self.total - page * self.page_size))

    def row(self, index: int) -> QueueRow | None:
        if not 0 <= index < self.total:
            return None
        page = self._pages.get(index // self.page_size)
        if page is None:
            return None
        offset = index % self.page_size
        return page[offset] if offset < len(page) else None

    def has_page(self, page: int) -> bool:
        return page in self._pages

    def missing_pages(self, first: int, last: int) -> list[int]:
        """Pages holding rows first..last (inclusive) that are not cached."""
        if self.total == 0 or last < first:
            return []
        first, last = max(first, 0), min(last, self.total - 1)
        return [
            page
            for page in range(self.page_of(first), self.page_of(last) + 1)
            if page not in self._pages
        ]

    def plan(self, page: int) -> FetchPlan:
        size = self.page_size
        length = self.page_length(page)
        if page == 0:
            return FetchPlan(page, True, None, length)
        previous = self._pages.get(page - 1)
        if previous:
            return FetchPlan(page, True, previous[-1].key, length)
        following = self._pages.get(page + 1)
        if following:
            return FetchPlan(page, False, following[0].key, length)
        from_end = self.total - (page * size + length)  # rows below this page
        if page == self.last_page:
            return FetchPlan(page, False, None, length)
        # A jump far from anything known: start from the closest anchor.
        candidates: list[tuple[int, FetchPlan]] = [
            (page * size, FetchPlan(page, True, None, length, skip=page * size)),
            (from_end, FetchPlan(page, False, None, length, skip=from_end)),
        ]
        for cached, rows in self._pages.items():
            if cached < page and rows:
                distance = (page - cached - 1) * size
                candidates.append((distance, FetchPlan(page, True, rows[-1].key, length, distance)))
            elif cached > page and rows:
                distance = (cached - page - 1) * size
                candidates.append(
                    (distance, FetchPlan(page, False, rows[0].key, length, skip=distance))
                )
        return min(candidates, key=lambda item: item[0])[1]

    def store(self, page: int, rows: list[QueueRow]) -> None:
        self._pages[page] = rows
        self._pages.move_to_end(page)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)

    def touch(self, page: int) -> None:
        if page in self._pages:
            self._pages.move_to_end(page)

    def cached_pages(self) -> list[int]:
        return list(self._pages)


def run_plan(conn: sqlite3.Connection, query: QueueQuery, plan: FetchPlan) -> list[QueueRow]:
    """Fetch a planned page (in a worker thread, with that thread's connection)."""

    return queue_service.fetch_page(
        conn, query, forward=plan.forward, key=plan.key, limit=plan.limit, skip=plan.skip
    )
