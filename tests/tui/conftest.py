"""Fixtures of the TUI tests (their code is in harness.py), and `async def` tests run as such."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest
from harness import seed_case_files


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run an `async def` test in an event loop of its own (there is no asyncio plugin)."""
    test = pyfuncitem.obj
    if not inspect.iscoroutinefunction(test):
        return None
    names = inspect.signature(test).parameters
    asyncio.run(test(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture
def seeded(db_path: Path) -> dict[str, int]:
    """agent1's portfolio (harness.seed_case_files) in the test's database; the ids by name."""
    return seed_case_files(db_path)
