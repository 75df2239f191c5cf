"""What commands print is text: no character of stored data can drive the user's terminal.

`main` runs every command with stdout and stderr wrapped in `InertStream`, which writes each
text through `domain.text.inert` (control and bidirectional characters shown as U+FFFD, line
ends kept). Debtor names, references, file names, headers and audit details are printed by many
commands: one wrapper cannot be forgotten by the next one. JSON output keeps the data exact
instead: `json_text` writes those characters as `\\uXXXX` escapes, which the wrapper leaves be.
"""

from __future__ import annotations

import json
from typing import IO, Any

from relance_tui.domain.text import escape_unsafe, inert


class InertStream:
    """A text stream that writes through `inert(…, lines=True)`; the rest is the stream's."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(inert(text, lines=True))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def terminal(stream: Any) -> Any:
    """The stream under an InertStream: for what writes terminal sequences of its own (a
    progress bar), and only with text that went through `inert` already."""
    return stream.stream if isinstance(stream, InertStream) else stream


def json_text(value: object, **options: Any) -> str:
    """`json.dumps(value, ensure_ascii=False)`, the unsafe characters it leaves escaped."""
    # json escapes C0 controls itself; the line feeds left are its own indentation's.
    return escape_unsafe(json.dumps(value, ensure_ascii=False, **options), lines=True)
