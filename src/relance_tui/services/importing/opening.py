"""Opening an import file with bounded resources, before anything is decoded or split.

Only a regular file is read: it is opened without blocking (a FIFO would otherwise wait for a
writer forever) and refused, like a device or a directory, from what `fstat` says. A file
bigger than MAX_FILE_BYTES or with more than MAX_LINES lines is refused whole: the import keeps
the file in memory (it is split and checked column by column, for speed), so these two bound
its memory. The first HEAD_BYTES are checked before the rest is read (read.read_source: the
header line, the first lines): a file that is not the export asked for (random text, another
kind) is refused at once, whatever its size.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from relance_tui.i18n import number, t

MAX_FILE_BYTES = 256 * 1024 * 1024  # about 3 million invoice lines as French tools write them
MAX_LINES = 2_000_000
MAX_CELL_CHARS = 10_000  # far above any field's own limit (300 characters for an address)
HEAD_BYTES = 1024 * 1024  # the header line ends within it, or the file is no CSV export

# Sees the first bytes (and whether they are the whole file) before the rest is read; raises to
# refuse the file.
HeadCheck = Callable[[bytes, bool], object]


class ImportFileError(Exception):
    """A file-level problem (missing, empty, unreadable, columns missing), ready to print."""


def read_bounded(path: Path, check_head: HeadCheck | None = None) -> bytes:
    """The bytes of a regular file within the limits; `check_head` sees its first HEAD_BYTES
    before the rest is read. Raises ImportFileError."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError as error:
        raise ImportFileError(t("error.file_not_found", path=path)) from error
    except IsADirectoryError as error:
        raise ImportFileError(t("import.file.directory", path=path)) from error
    except OSError as error:
        raise ImportFileError(
            t("import.file.unreadable", path=path, error=error.strerror)
        ) from error
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ImportFileError(t("import.file.directory", path=path))
        if not stat.S_ISREG(info.st_mode):
            raise ImportFileError(t("import.file.not_regular", path=path))
        if info.st_size > MAX_FILE_BYTES:
            raise _too_big(path, info.st_size)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        try:
            if check_head is not None:
                head = handle.read(HEAD_BYTES)
                check_head(head, len(head) < HEAD_BYTES)
                del head
                handle.seek(0)
            data = handle.read(MAX_FILE_BYTES + 1)  # one more: a file that grew is still caught
        except OSError as error:
            raise ImportFileError(
                t("import.file.unreadable", path=path, error=error.strerror)
            ) from error
    if len(data) > MAX_FILE_BYTES:
        raise _too_big(path, len(data))
    lines = data.count(b"\n")
    if lines > MAX_LINES:
        raise ImportFileError(t("import.file.too_many_lines", path=path, count=number(lines),
                                limit=number(MAX_LINES)))  # fmt: skip
    return data


def _too_big(path: Path, size: int) -> ImportFileError:
    megabytes = f"{size / 1_000_000:.0f}"
    limit = f"{MAX_FILE_BYTES / 1_000_000:.0f}"
    return ImportFileError(t("import.file.too_big", path=path, size=megabytes, limit=limit))


def refuse_non_text(data: bytes, path: Path) -> None:
    """A binary file is said as such, not read as text (a workbook is read by sheets.py)."""
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" in data[:4096]:
        raise ImportFileError(t("import.file.binary", path=path))


def head_text(head: bytes, whole: bool, path: Path) -> str | None:
    """The complete lines of a file's first bytes, decoded, with `\n` line ends.

    None when they cannot tell (blank, or not decodable alone: the whole file then says where).
    Raises ImportFileError for a file that is no text, or whose first line does not end in them.
    """
    refuse_non_text(head, path)
    text = _decode_head(head if whole else head[: head.rfind(b"\n") + 1])
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not whole:
        if "\n" not in text:
            size = number(HEAD_BYTES // 1024)
            raise ImportFileError(t("import.file.no_header_line", path=path, size=size))
        text = text[: text.rfind("\n") + 1]
    return None if text.isspace() else text


def _decode_head(head: bytes) -> str | None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # cut on a code unit, maybe a line end
        return head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
    try:
        return head.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return head.decode("cp1252")
    except UnicodeDecodeError:
        return None
