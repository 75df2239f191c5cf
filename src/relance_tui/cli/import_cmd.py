"""`relance import` (being written)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    del subparsers


def run(args: argparse.Namespace) -> int:
    raise NotImplementedError
