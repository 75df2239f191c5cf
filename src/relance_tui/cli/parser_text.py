"""argparse's own words (usage, options, errors) through the translation layer.

argparse looks its texts up with the module-level `argparse._` and `argparse.ngettext` (gettext)
each time it needs one: `translated_argparse` puts ours in their place while `main` builds the
parser and parses the command line, and puts gettext's back after. The language must be known
before the parser is built (`early_language`): help texts are translated as they are added.

A text argparse has and this table has not stays in English: tests/cli/test_cli_language.py
reads argparse's source and names every one that reaches the user.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from relance_tui import i18n
from relance_tui.i18n import t

# argparse's message (its gettext msgid) → our key. The English catalogue holds the msgid itself.
ARGPARSE_KEYS = {
    "usage: ": "cli.argparse.usage",
    "positional arguments": "cli.argparse.positionals",
    "options": "cli.argparse.options",
    "show this help message and exit": "cli.argparse.help",
    "%(prog)s: error: %(message)s\n": "cli.argparse.error",
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "the following arguments are required: %s": "cli.argparse.required",
    "one of the arguments %s is required": "cli.argparse.one_required",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.invalid_choice",
    "invalid %(type)s value: %(value)r": "cli.argparse.invalid_value",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse.ambiguous",
    "expected one argument": "cli.argparse.expected_one",
    "expected at most one argument": "cli.argparse.expected_at_most_one",
    "expected at least one argument": "cli.argparse.expected_at_least_one",
    "expected %s argument": "cli.argparse.expected_n_one",
    "expected %s arguments": "cli.argparse.expected_n_other",
    "not allowed with argument %s": "cli.argparse.not_allowed_with",
    "ignored explicit argument %r": "cli.argparse.ignored_explicit",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "cli.argparse.unknown_parser",
    "unexpected option string: %s": "cli.argparse.unexpected_option",
    "can't open '%(filename)s': %(error)s": "cli.argparse.cannot_open",
}


def argparse_text(message: str) -> str:
    """`gettext` for argparse: its message in the active language."""
    return t(ARGPARSE_KEYS[message]) if message in ARGPARSE_KEYS else message


def argparse_plural(singular: str, plural: str, count: int) -> str:
    """`ngettext` for argparse, by the active language's plural rules."""
    return argparse_text(singular if i18n.plural_form(count) == "one" else plural)


@contextmanager
def translated_argparse() -> Iterator[None]:
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = argparse_text, argparse_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def option_value(argv: Sequence[str], option: str) -> str | None:
    """The last value given to `option` (`--lang en` or `--lang=en`), before any `--`."""
    found = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == option and index + 1 < len(argv):
            found = argv[index + 1]
        elif arg.startswith(f"{option}="):
            found = arg.partition("=")[2]
    return found
