"""domain.text: the one test of printable text and the one display sanitizer."""

from __future__ import annotations

import json

import pytest

from relance_tui.domain.text import PLACEHOLDER, escape_unsafe, inert, unsafe_character

UNSAFE = [
    "\x00", "\x07", "\x08", "\n", "\r", "\x0b", "\x1b", "\x1f", "\x7f", "\x80", "\x9b", "\x9f",
    "\u061c", "\u200e", "\u200f", "\u2028", "\u2029", "\u202a", "\u202e", "\u2066", "\u2069",
]  # fmt: skip
SAFE = ["Société Générale", "Ça coûte 1\u202f234,56\u00a0€", "O'Neil & fils", "tab\there", "日本"]


@pytest.mark.parametrize("character", UNSAFE)
def test_unsafe_characters_are_found_and_shown_as_a_placeholder(character: str) -> None:
    text = f"avant{character}après"
    assert unsafe_character(text) == character
    assert inert(text) == f"avant{PLACEHOLDER}après"  # one for one: offsets still hold
    assert json.loads(f'"{escape_unsafe(text)}"') == text


@pytest.mark.parametrize("text", SAFE)
def test_printable_text_is_left_alone(text: str) -> None:
    assert unsafe_character(text) is None
    assert inert(text) == text.replace("\t", " ")
    assert escape_unsafe(text) == text


def test_lines_keep_line_feeds_only() -> None:
    assert inert("un\ndeux\r\ntrois", lines=True) == f"un\ndeux{PLACEHOLDER}\ntrois"
    assert inert("un\ndeux") == f"un{PLACEHOLDER}deux"
    assert escape_unsafe("a\nb\x1b", lines=True) == "a\nb\\u001b"
