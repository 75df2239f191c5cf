"""Fixtures for the shared-server tests (the harness is in server_harness.py)."""

from server_harness import server

__all__ = ["server"]
