"""Fixtures for the SSH tests (the harness is in sshd_harness.py)."""

from sshd_harness import ssh_server, terminal

__all__ = ["ssh_server", "terminal"]
