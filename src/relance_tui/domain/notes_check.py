"""Free-text notes stay clean (GDPR: objective, never insulting, no health or other sensitive data,
no offences — the debtor may read them through a subject access request).

The word lists are data files (`data/notes_forbidden_fr.txt`, `…_en.txt`) under [category]
headings. Matching choices:
- case and accents are ignored ("Hôpital" = "hopital"), and so is the way a word is typed
  (hyphens and apostrophes separate words: "burn-out" is the two words "burn out");
- terms are whole words, never substrings: "malade" does not hit "maladroit" nor "con" "contrat";
  inflections are listed as words of their own (malade, malades). Stems ("cancer*") are the
  exception, kept for words whose every continuation is sensitive;
- a term of several words matches them in a row ("mauvaise foi"), the longest term wins.
Both lists are checked by default: agents write in either language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

_WORD = re.compile(r"[^\W_]+")


class NoteCategory(StrEnum):
    INSULT = "insult"
    HEALTH = "health"
    JUDGMENT = "judgment"
    OFFENCE = "offence"
    SENSITIVE = "sensitive"


NOTE_CATEGORY_KEYS: dict[str, str] = {
    NoteCategory.INSULT: "case.notes_category.insult",
    NoteCategory.HEALTH: "case.notes_category.health",
    NoteCategory.JUDGMENT: "case.notes_category.judgment",
    NoteCategory.OFFENCE: "case.notes_category.offence",
    NoteCategory.SENSITIVE: "case.notes_category.sensitive",
}


@dataclass(frozen=True, slots=True)
class NoteFinding:
    word: str  # as written in the note
    category: NoteCategory
    start: int  # character offsets in the note: note[start:end] == word
    end: int


@dataclass(frozen=True, slots=True)
class _Term:
    words: tuple[str, ...]
    category: NoteCategory
    stem: bool


def fold(text: str) -> tuple[str, list[int]]:
    """Lower-case, accent-free text and, for each of its characters, the index in `text`."""
    out: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        if char.isascii():  # most of it: nothing to decompose
            out.append(char.lower())
            index.append(position)
            continue
        for piece in unicodedata.normalize("NFKD", char).casefold():
            if unicodedata.combining(piece):
                continue
            out.append(piece)
            index.append(position)
    return "".join(out), index


def _words(text: str) -> list[tuple[str, int, int]]:
    folded, index = fold(text)
    return [(m.group(), index[m.start()], index[m.end() - 1] + 1) for m in _WORD.finditer(folded)]


def parse_word_list(text: str) -> list[_Term]:
    terms: list[_Term] = []
    category: NoteCategory | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            try:
                category = NoteCategory(line[1:-1].strip())
            except ValueError as error:
                raise ValueError(f"line {number}: unknown category {line}") from error
            continue
        if category is None:
            raise ValueError(f"line {number}: a term before any [category]")
        stem = line.endswith("*")
        words = tuple(word for word, _, _ in _words(line.rstrip("*")))
        if words:
            terms.append(_Term(words, category, stem))
    return terms


@cache
def _index(languages: tuple[str, ...]) -> dict[str, list[_Term]]:
    """Terms by their first word; stems under the key "*"."""
    by_first: dict[str, list[_Term]] = {}
    for language in languages:
        path = resources.files("relance_tui").joinpath(f"data/notes_forbidden_{language}.txt")
        for term in parse_word_list(path.read_text("utf-8")):
            key = "*" if term.stem and len(term.words) == 1 else term.words[0]
            by_first.setdefault(key, []).append(term)
    for terms in by_first.values():
        terms.sort(key=lambda term: -len(term.words))
    return by_first


def _matches(term: _Term, words: list[tuple[str, int, int]], at: int) -> bool:
    size = len(term.words)
    if at + size > len(words):
        return False
    for offset, expected in enumerate(term.words):
        actual = words[at + offset][0]
        last = offset == size - 1
        if not (actual == expected or (last and term.stem and actual.startswith(expected))):
            return False
    return True


def check_notes(text: str, languages: tuple[str, ...] = ("fr", "en")) -> tuple[NoteFinding, ...]:
    """Every forbidden word in `text`, in order. Empty when the note may be saved."""
    if not text.strip():
        return ()
    index = _index(languages)
    words = _words(text)
    findings: list[NoteFinding] = []
    at = 0
    while at < len(words):
        candidates = index.get(words[at][0], []) + index.get("*", [])
        hit = next((term for term in candidates if _matches(term, words, at)), None)
        if hit is None:
            at += 1
            continue
        start = words[at][1]
        end = words[at + len(hit.words) - 1][2]
        findings.append(NoteFinding(text[start:end], hit.category, start, end))
        at += len(hit.words)
    return tuple(findings)
