"""The repository stands on its own: what the code cites lives in its own docs/ folder.

- No file of the repository cites notes kept outside it (a `shared` folder beside the clone, or
  the upper-case note files); `architecture.md`, `scenarios.md`, … are cited as docs/ paths.
- Every `docs/….md` path cited anywhere exists, and a section it names (`, "Claims"` or `§2`)
  is a heading or a bold lead-in of that file (docs/architecture.md says how they are written).
- The README links to every file of docs/, and the links between docs files resolve.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
THIS_FILE = Path(__file__).resolve().relative_to(ROOT).as_posix()  # spells out stale examples

OUTSIDE_NOTES = re.compile(r"\.\./shared|/work/shared")
NOTE_NAME = re.compile(r"(?<![\w-])(architecture|scenarios|domain|roadmap)\.md\b", re.IGNORECASE)
DOCS_PATH = re.compile(r"docs/([\w./-]+?\.md)\b")
SECTION = re.compile(r'docs/([\w./-]+?\.md),?\s*(?:"([^"]+)"|§(\d+))')
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")


def repository_files() -> dict[str, str]:
    """Every file git tracks (or would track: new files not yet committed), by relative path,
    but this one."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    texts: dict[str, str] = {}
    for name in filter(None, listed.split("\0")):
        path = ROOT / name
        if path.is_file() and name != THIS_FILE:
            texts[name] = path.read_bytes().decode("utf-8", errors="replace")
    return texts


def stale_references(files: dict[str, str]) -> list[str]:
    found: list[str] = []
    for name, text in files.items():
        in_docs = name.startswith("docs/")
        for match in OUTSIDE_NOTES.finditer(text):
            found.append(f"{name}: {match.group()}")
        for match in NOTE_NAME.finditer(text):
            cited = match.group()
            as_docs_path = text[max(match.start() - 5, 0) : match.start()] == "docs/"
            if cited != cited.lower() or not (as_docs_path or in_docs):
                found.append(f"{name}: {text[max(match.start() - 20, 0) : match.end()]!r}")
            elif not (DOCS / cited).is_file():
                found.append(f"{name}: {cited} is not in docs/")
    return found


def missing_sections(files: dict[str, str]) -> list[str]:
    found: list[str] = []
    for name, text in files.items():
        for match in DOCS_PATH.finditer(text):
            if not (DOCS / match.group(1)).is_file():
                found.append(f"{name}: docs/{match.group(1)} does not exist")
        for match in SECTION.finditer(text):
            target = DOCS / match.group(1)
            if not target.is_file():
                continue
            doc = target.read_text(encoding="utf-8")
            title, number = match.group(2), match.group(3)
            if title is not None:
                heading = re.search(rf"^#+ {re.escape(title)}\s*$", doc, re.MULTILINE)
                lead_in = f"**{title}" in doc
                if not (heading or lead_in):
                    found.append(f'{name}: docs/{match.group(1)} has no section "{title}"')
            elif not re.search(rf"^#+ {number}\. ", doc, re.MULTILINE):
                found.append(f"{name}: docs/{match.group(1)} has no section §{number}")
    return found


def test_no_reference_to_notes_outside_the_repository() -> None:
    assert stale_references(repository_files()) == []


def test_every_cited_docs_file_and_section_exists() -> None:
    assert missing_sections(repository_files()) == []


def test_readme_links_every_docs_file_and_docs_links_resolve() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(docs/([\w.-]+\.md)\)", readme))
    in_docs = {path.name for path in DOCS.glob("*.md")}
    assert in_docs, "docs/ holds no document"
    assert in_docs <= linked, f"README does not link {sorted(in_docs - linked)}"
    broken = [
        f"{doc.name}: {target}"
        for doc in DOCS.glob("*.md")
        for target in MARKDOWN_LINK.findall(doc.read_text(encoding="utf-8"))
        if "://" not in target and not (doc.parent / target).resolve().is_file()
    ]
    assert broken == []


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("src/x.py", '"""Claims (ARCHITECTURE.md, Concurrency)."""'),
        ("README.md", "see `../shared/ROADMAP.md`"),
        ("src/y.py", "# the call (SCENARIOS.md §2)"),
        ("src/z.py", "# rules (domain.md)"),
    ],
)
def test_a_stale_reference_is_caught(name: str, text: str) -> None:
    assert stale_references({name: text})


@pytest.mark.parametrize(
    "text",
    [
        "see docs/nowhere.md",
        '(docs/architecture.md, "No such section")',
        "(docs/scenarios.md §42)",
    ],
)
def test_a_missing_docs_file_or_section_is_caught(text: str) -> None:
    assert missing_sections({"src/x.py": text})
