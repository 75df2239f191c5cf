"""The command line speaks the user's language: every help text, argparse's own words, usage
errors. French by default; English with --lang en, RELANCE_LANG or the configuration file."""

from __future__ import annotations

import argparse
import ast
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from relance_tui import i18n
from relance_tui.cli import build_parser, main
from relance_tui.cli.parser_text import ARGPARSE_KEYS, translated_argparse

# argparse's texts that only a programming mistake shows (a bad add_argument, a FileType…).
PROGRAMMER_ERRORS = {
    ".__call__() not defined",
    "'required' is an invalid argument for positionals",
    "mutually exclusive arguments must be optional",
    "%r is not callable",
    "cannot merge actions - two groups are named %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "dest= is required for options like %r",
    "invalid conflict_resolution value: %r",
    "cannot have multiple subparser arguments",
    "conflicting subparser: %s",
    "conflicting subparser alias: %s",
    'argument "-" with mode %r',
    "conflicting option string: %s",
    "conflicting option strings: %s",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """The parser and every sub-command's, however deep."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                yield from parsers(child)


def texts_of(language: str) -> dict[str, list[str | None]]:
    """Each parser's description, epilog and option helps, built in `language`."""
    i18n.set_language(language)
    with translated_argparse():
        root = build_parser()
    return {
        sub.prog: [sub.description, sub.epilog, *(a.help for a in sub._actions)]
        for sub in parsers(root)
    }


def test_every_help_text_is_translated() -> None:
    """A help written as an English literal (not `t(…)`) reads the same in both languages."""
    french, english = texts_of("fr"), texts_of("en")
    assert french.keys() == english.keys() and len(french) > 15
    same = [
        (prog, text)
        for prog, texts in french.items()
        for text, other in zip(texts, english[prog], strict=True)
        if text and text == other and text != argparse.SUPPRESS
    ]
    assert same == []


def test_help_in_french_by_default_and_in_english_on_demand(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert out.startswith("utilisation : relance")
    assert "afficher cette aide et quitter" in out and "file de travail classée" in out
    for english in ("usage:", "show this help", "the application", "COMMAND ..."):
        assert english not in out
    code, out, _ = run(capsys, "--lang", "en", "--help")
    assert out.startswith("usage: relance") and "show this help message and exit" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["queue", "--help", "--lang", "en"],  # after the command, and after --help
        ["queue", "--lang=en", "--help"],
        ["agents", "rule", "add", "--lang", "en", "--help"],
    ],
)
def test_lang_is_known_before_parsing(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *argv)
    assert code == 0 and out.startswith("usage: relance") and "options:" in out


def test_language_from_the_environment_and_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RELANCE_LANG", "en")
    assert run(capsys, "queue", "--help")[1].startswith("usage: relance queue")
    monkeypatch.delenv("RELANCE_LANG")
    config = tmp_path / "config.toml"
    config.write_text('language = "en"\n', encoding="utf-8")
    assert run(capsys, "--config", str(config), "audit", "--help")[1].startswith("usage:")
    assert run(capsys, "audit", "--help")[1].startswith("utilisation :")
    config.write_text("language = [\n", encoding="utf-8")  # unreadable: French, then said
    code, _, err = run(capsys, "--config", str(config), "--db", str(tmp_path / "x.db"), "queue")
    assert code == 2 and "Configuration invalide" in err


@pytest.mark.parametrize(
    ("argv", "french", "english"),
    [
        (["import"], "ces arguments sont obligatoires", "the following arguments are required"),
        (["frob"], "choix invalide : 'frob'", "invalid choice: 'frob'"),
        (["queue", "--jsn"], "arguments inconnus : --jsn", "unrecognized arguments: --jsn"),
        (["queue", "--limit"], "une valeur attendue", "expected one argument"),
        (["agents"], "ces arguments sont obligatoires : ACTION", "arguments are required: ACTION"),
    ],
)
def test_usage_errors_in_the_users_language(
    argv: list[str], french: str, english: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("utilisation : relance") and "erreur : " in err and french in err
    code, _, err = run(capsys, "--lang", "en", *argv)
    assert code == 2 and err.startswith("usage: relance") and english in err


def test_argparse_is_left_as_it_was() -> None:
    """The translation lasts while relance parses: pytest's own argparse stays English."""
    before = argparse._  # type: ignore[attr-defined]
    assert main(["--help"]) == 0
    assert argparse._ is before  # type: ignore[attr-defined]
    assert argparse._("usage: ") == "usage: "  # type: ignore[attr-defined]


def argparse_messages() -> set[str]:
    """Every text this Python's argparse translates with `_()` or `ngettext()`."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        called = node.func if isinstance(node, ast.Call) else None
        if isinstance(called, ast.Name) and called.id in ("_", "ngettext"):
            assert isinstance(node, ast.Call)
            found |= {
                arg.value
                for arg in node.args
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            }
    return found


def test_every_text_argparse_shows_a_user_is_translated() -> None:
    """A Python upgrade that adds a text to argparse is seen here."""
    messages = argparse_messages()
    assert "usage: " in messages and len(messages) > 25  # the scan reads argparse's calls
    assert sorted(messages - PROGRAMMER_ERRORS - set(ARGPARSE_KEYS)) == []
    english = i18n.catalog("en")
    assert [m for m, key in ARGPARSE_KEYS.items() if english[key] != m] == []


@pytest.mark.parametrize(
    "argv",
    [
        ["queue", "--limit", "99999999999999999999"],
        ["queue", "--limit", "0"],
        ["audit", "--limit", "-1"],
        ["audit", "--case", "99999999999999999999"],
        ["assign", "--to", "x", "--case", "1e3"],
        ["agents", "rule", "delete", "99999999999999999999"],
        ["agents", "rule", "add", "x", "--min-amount", "1e400"],
        ["agents", "rule", "add", "x", "--max-amount", "nan"],
        ["seed", "--debtors", "99999999999999999999"],
        ["seed", "--seed", "-1"],
    ],
)
def test_absurd_numbers_are_usage_errors(
    argv: list[str], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--db", str(db_path), *argv)
    assert code == 2 and "Traceback" not in err
    assert f"« {argv[-1]} » n'est pas un" in err


def test_numbers_within_bounds_are_read(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", str(db_path), "init")[0] == 0
    assert run(capsys, "--db", str(db_path), "queue", "--limit", "1000000000")[0] == 0
    code, _, err = run(
        capsys, "--db", str(db_path), "agents", "rule", "add", "x", "--min-amount", "1 500,50"
    )
    assert code == 1 and "« x »" in err  # the amount was read; the agent x is unknown
