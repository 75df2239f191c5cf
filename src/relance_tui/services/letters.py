"""Letters as PDF (Typst templates) and e-mail bodies (Jinja2 templates), both user-editable.

- Shipped defaults live in the package (`templates/letters/*.typ`, `templates/emails/*`); a file
  of the same name in the `letters` / `emails` folder next to config.toml wins.
- The data reaches a letter as one JSON string (`sys.inputs.data`) that the template decodes:
  a debtor's name is inserted as text, never read as Typst markup. Typst is sandboxed by design
  (no code execution, no file outside its root): the root is a private folder holding only the
  templates, and a template that imports a package (which Typst would download) is refused.
- E-mail subject and bodies: Jinja2's `SandboxedEnvironment` with only our templates loadable
  (nothing from the disk), `StrictUndefined` (a misspelt field is an error) and autoescaping
  for the HTML body.
- An error names the template file, the line and the field.
- Typst: ~5 ms a letter once its compiler is warm (fpdf2 took ~80 ms, see README "Letters").
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from relance_tui.config import resolve_config_path
from relance_tui.domain.models import to_cents
from relance_tui.formatting import day as format_day
from relance_tui.formatting import money as format_money
from relance_tui.i18n import t
from relance_tui.services.notices import KINDS, Notice

# `#import "@preview/…"` would make Typst fetch a package from the network.
_PACKAGE = re.compile(r"""["']@|\b(?:import|include)\s*\(""")
_DIAGNOSTIC_PLACE = re.compile(r"┌─ (?P<file>[^:\s]+):(?P<line>\d+):\d+")


class TemplateError(ValueError):
    """A letter or e-mail template is wrong; the message names the file, the line and the field."""


def user_dir(kind: str, config: Path | None = None) -> Path:
    """`letters` or `emails` next to the configuration file."""
    return (config or resolve_config_path()).parent / kind


@cache
def _shipped(folder: str) -> dict[str, str]:
    root = resources.files("relance_tui").joinpath(f"templates/{folder}")
    return {entry.name: entry.read_text("utf-8") for entry in root.iterdir() if entry.is_file()}


def template_sources(folder: str, config: Path | None = None) -> dict[str, tuple[str, str]]:
    """name -> (text, where it comes from): the shipped ones, the user's copies over them."""
    sources = {
        name: (text, f"(relance-tui)/templates/{folder}/{name}")
        for name, text in _shipped(folder).items()
    }
    mine = user_dir(folder, config)
    if mine.is_dir():
        for path in sorted(mine.iterdir()):
            if path.name not in sources or not path.is_file():
                continue  # only the templates relance-tui knows are read
            try:
                sources[path.name] = (path.read_text("utf-8"), str(path))
            except (OSError, UnicodeDecodeError) as error:
                raise TemplateError(t("letters.error.read", path=path, detail=error)) from error
    return sources


# --- What the templates see -----------------------------------------------------------------


def _money(value: Decimal) -> str:
    return format_money(to_cents(value))


def _day(value: date | None) -> str:
    return format_day(value) if value else ""


def template_data(notice: Notice, *, acknowledged_on: date | None = None) -> dict[str, Any]:
    """Every field a template may use, as display-ready text (README "Letters" lists them)."""
    creditor = notice.creditor
    return {
        "creditor": {
            "name": creditor.name,
            "address": creditor.address,
            "postal_code": creditor.postal_code,
            "city": creditor.city,
            "siren": creditor.siren,
            "email": creditor.email,
            "phone": creditor.phone,
            "contact": creditor.contact or creditor.name,
            "iban": creditor.iban,
            "bic": creditor.bic,
            "principal_name": creditor.principal_name,
            "principal_address": creditor.principal_address,
        },
        "debtor": {
            "name": notice.debtor_name,
            "reference": notice.debtor_reference,
            "siren": notice.siren,
            "address": notice.address,
            "postal_code": notice.postal_code,
            "city": notice.city,
            "segment": notice.segment,
            "regime": notice.regime.value,
            "insolvency": notice.insolvency,
        },
        "contact": {"name": notice.contact_name, "email": notice.contact_email},
        "letter": {
            "kind": notice.kind,
            "step": notice.step,
            "reference": notice.reference,
            "day": _day(notice.day),
            "deadline": _day(notice.deadline),
            "deadline_days": str((notice.deadline - notice.day).days),
            "first_reference": notice.first_letter[0] if notice.first_letter else "",
            "first_day": _day(notice.first_letter[1]) if notice.first_letter else "",
            "commercial_court": notice.commercial_court,
            "formal_notice_on": _day(notice.formal_notice_on),
            "acknowledged_on": _day(acknowledged_on),
        },
        "invoices": [
            {
                "number": i.number,
                "issue_date": _day(i.issue_date),
                "due_date": _day(i.due_date),
                "amount": _money(i.amount),
                "outstanding": _money(i.outstanding),
                "days_late": str(i.days_late),
                "interest": _money(i.interest),
                "indemnity": _money(i.indemnity),
            }
            for i in notice.invoices
        ],
        "claim": {
            "principal": _money(notice.principal),
            "interest": _money(notice.interest),
            "indemnities": _money(notice.indemnities),
            "total": _money(notice.total),
            "principal_and_interest": _money(notice.principal + notice.interest),
            "zero": _money(Decimal("0.00")),
            "has_interest": notice.interest > 0,
            "has_indemnities": notice.indemnities > 0,
            "estimated": notice.estimated,
        },
    }


# --- PDF (Typst) --------------------------------------------------------------------------


class LetterWriter:
    """Renders letters to PDF; one Typst compiler per kind, kept warm (fonts loaded once).
    Use as a context manager: the private template folder is removed on exit."""

    def __init__(self, config: Path | None = None) -> None:
        self.sources = template_sources("letters", config)
        for text, where in self.sources.values():
            if _PACKAGE.search(text):
                raise TemplateError(t("letters.error.package", path=where))
        self.root = Path(tempfile.mkdtemp(prefix="relance-letters-"))
        for name, (text, _) in self.sources.items():
            (self.root / name).write_text(text, "utf-8")
        self._compilers: dict[str, Any] = {}

    def __enter__(self) -> LetterWriter:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _compiler(self, kind: str) -> Any:
        # Deferred: typst is loaded only by what writes letters.
        import typst

        compiler = self._compilers.get(kind)
        if compiler is None:
            if f"{kind}.typ" not in self.sources:
                raise TemplateError(t("letters.error.missing", name=f"{kind}.typ"))
            empty = self.root / ".packages"
            compiler = typst.Compiler(
                str(self.root / f"{kind}.typ"),
                root=str(self.root),
                package_path=str(empty),
                package_cache_path=str(empty),
            )
            self._compilers[kind] = compiler
        return compiler

    def pdf(self, notice: Notice, **extra: Any) -> bytes:
        # Deferred: typst is loaded only by what writes letters.
        import typst

        data = json.dumps(template_data(notice, **extra), ensure_ascii=False)
        try:
            output = self._compiler(notice.kind).compile(format="pdf", sys_inputs={"data": data})
        except typst.TypstError as error:
            found = _DIAGNOSTIC_PLACE.search(error.diagnostic or "")
            name = Path(found["file"]).name if found else f"{notice.kind}.typ"
            where = self.sources.get(name, ("", name))[1]
            line = found["line"] if found else "?"
            raise TemplateError(
                t("letters.error.render", path=where, line=line, detail=error.message)
            ) from error
        assert isinstance(output, bytes)
        return output

    def write(self, notice: Notice, path: Path, **extra: Any) -> None:
        """Write atomically: a rerun after a crash finds a whole file or none."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(self.pdf(notice, **extra))
        partial.replace(path)


def letter_file_name(notice: Notice) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", notice.reference) + ".pdf"


# --- E-mail bodies (Jinja2, sandboxed) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmailBody:
    subject: str
    text: str
    html: str


class EmailTemplates:
    def __init__(self, config: Path | None = None) -> None:
        # Deferred: jinja2 is loaded only by what writes e-mails.
        from jinja2 import BaseLoader, Environment, StrictUndefined, TemplateNotFound
        from jinja2.sandbox import SandboxedEnvironment

        self.sources = template_sources("emails", config)
        sources = self.sources

        class OnlyOurs(BaseLoader):
            """Our templates by name, nothing from the disk; the name is the code's file name,
            so an error's traceback says which template and line."""

            def get_source(self, environment: Environment, template: str) -> Any:
                if template not in sources:
                    raise TemplateNotFound(template)
                return sources[template][0], template, lambda: True

        def env(autoescape: bool) -> SandboxedEnvironment:
            return SandboxedEnvironment(
                loader=OnlyOurs(),
                autoescape=autoescape,
                undefined=StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
                keep_trailing_newline=True,
            )

        self.text_env = env(False)
        self.html_env = env(True)

    def _render(self, name: str, data: dict[str, Any], *, html: bool) -> str:
        # Deferred: jinja2 is loaded only by what writes e-mails.
        from jinja2 import TemplateError as JinjaError
        from jinja2 import TemplateSyntaxError

        environment = self.html_env if html else self.text_env
        try:
            return environment.get_template(name).render(data)
        except TemplateSyntaxError as error:
            where = self.sources.get(error.name or name, ("", name))[1]
            raise TemplateError(
                t("letters.error.render", path=where, line=error.lineno, detail=error.message)
            ) from error
        except JinjaError as error:
            trace = sys.exc_info()[2]
            line: object = "?"
            while trace is not None:
                if trace.tb_frame.f_code.co_filename == name:
                    line = trace.tb_lineno
                trace = trace.tb_next
            where = self.sources.get(name, ("", name))[1]
            raise TemplateError(
                t("letters.error.render", path=where, line=line, detail=str(error))
            ) from error

    def render(self, notice: Notice, **extra: Any) -> EmailBody:
        data = template_data(notice, **extra)
        subject = self._render("subject.txt", data, html=False).strip().splitlines()[0]
        return EmailBody(
            subject,
            self._render("email.txt", data, html=False),
            self._render("email.html", data, html=True),
        )


__all__ = [
    "KINDS",
    "EmailBody",
    "EmailTemplates",
    "LetterWriter",
    "TemplateError",
    "letter_file_name",
    "template_data",
]
