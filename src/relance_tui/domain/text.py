"""Untrusted text stays text: the characters a terminal or a reader would act on, not show.

Names, references and addresses come from files and from other users. A character is *unsafe*
when, written to a terminal or shown in a list, it would do something instead of being read:
- the C0 controls but the tab (ESC starts terminal sequences: title, clipboard, alternate
  screen; BEL, backspace and carriage return rewrite what is on screen; NUL ends C strings),
  the line feed included (one value, one line), DEL, and the C1 controls (U+0080–U+009F:
  8-bit CSI and OSC on some terminals);
- the line and paragraph separators U+2028/U+2029 (line breaks to many programs);
- the bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F,
  U+202A–U+202E, U+2066–U+2069): invisible, they reorder what is read ("Trojan Source"), and
  two references that look the same would differ.

`unsafe_character` is the one test: the import refuses values that hold one. `inert` is the one
sanitizer: every screen and command output shows stored text through it, each unsafe
character replaced by a visible U+FFFD (data stored before the import refused them, or written
by another way, still cannot act). `escape_unsafe` keeps the value for machine output (JSON).
"""

from __future__ import annotations

import re

PLACEHOLDER = "\ufffd"  # �
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
_UNSAFE_BUT_NEWLINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")


def unsafe_character(text: str) -> str | None:
    """The first unsafe character in `text`, or None when it is all printable text (tabs too).

    One C-level scan: callers check a whole column joined in one string, then look for the
    culprits only when there is one.
    """
    found = _UNSAFE.search(text)
    return None if found is None else found.group()


def describe(character: str) -> str:
    """`U+001B` — how a reason names an unsafe character (it cannot be shown as itself)."""
    return f"U+{ord(character):04X}"


def inert(text: str, *, lines: bool = False) -> str:
    """`text` as it may be shown: each unsafe character becomes U+FFFD, a tab a space.

    `lines`: line feeds are kept (a note shown on several lines, a command's output).
    """
    if text.isprintable():  # the usual case, C-level: no control, separator or format character
        return text
    pattern = _UNSAFE_BUT_NEWLINE if lines else _UNSAFE
    return pattern.sub(PLACEHOLDER, text).replace("\t", " ")


def escape_unsafe(text: str, *, lines: bool = False) -> str:
    """Each unsafe character as a `\\uXXXX` escape, as JSON writes it: the value is kept exact,
    yet cannot act (`lines`: line feeds are left as they are)."""
    pattern = _UNSAFE_BUT_NEWLINE if lines else _UNSAFE
    return pattern.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
