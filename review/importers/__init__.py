"""Importers: one module per export format, behind one entry point.

`read_file(path)` tells the format from the content (never the file name), then
hands the decoded text to that format's module. A format module provides::

    NAME: str                       # short name, e.g. "ris"
    LABEL: str                      # what a user calls it, e.g. "RIS"
    def sniff(head: str) -> float   # 0..1: how sure it is, from the first 64 KiB
    def parse(text: str, ctx: ParseContext) -> list[Record]

`parse` fills each record's fields and `source.position`/`source.line`; it calls
`ctx.warn(...)` for what it kept despite a problem (a truncated last record) and
raises `InputError` (via `ctx.error`) for what cannot be read at all.

A module may also provide ``parse_stream(chunks, ctx) -> list[Record]`` (MEDLINE
and RIS do): it gets a UTF-8 file as ``bytes`` chunks (cut anywhere but between CR and LF),
with "\\n" line ends and no BOMs (`_text.utf8_chunks`), so a large file is
never decoded whole; a ``UnicodeDecodeError`` from it sends the file back to
the whole-file path (cp1252 with a warning). For a large file the chunks come
as a `_filetext.FileChunks`, whose ``source`` and ``origin`` say where each
chunk lies in the file, so that records can keep their raw text there.
"""

from __future__ import annotations

import gc
import importlib
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from review.errors import InputError
from review.importers import _filetext, _text
from review.importers._text import decode, utf8_chunks, utf8_head
from review.records import Record

# Order breaks ties between equally sure sniffers: specific formats first.
FORMAT_MODULES = (
    "medline",
    "pubmed_xml",
    "endnote_xml",
    "zotero_rdf",
    "wos",
    "cochrane_txt",
    "embase_txt",
    "ovid",
    "proquest_txt",
    "ris",
    "bibtex",
    "jsonl",
    "tabular",
)


@dataclass
class ImportWarning:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class ParseContext:
    """What a parser knows about the file it reads, and where its warnings go."""

    file: str
    warnings: list[ImportWarning] = field(default_factory=list)

    def warn(self, message: str, line: int | None = None) -> None:
        self.warnings.append(ImportWarning(self.file, line, message))

    def error(self, message: str, line: int | None = None, field: str | None = None) -> InputError:
        """Build the error to raise: ``raise ctx.error("...", line=12, field="PY")``."""
        return InputError(message, file=self.file, line=line, field=field)


@dataclass
class ImportResult:
    file: str
    format: str
    encoding: str
    records: list[Record]
    warnings: list[ImportWarning]


def format_module(name: str):
    return importlib.import_module(f"review.importers.{name}")


def available_formats() -> list:
    mods = []
    for name in FORMAT_MODULES:
        try:
            mods.append(format_module(name))
        except ModuleNotFoundError as err:
            if err.name != f"review.importers.{name}":
                raise
    return mods


def detect_format(text: str, file: str = "") -> str:
    """The name of the format module most sure it can read `text`."""
    head = text[:65536]
    best, best_score = None, 0.0
    for mod in available_formats():
        score = float(mod.sniff(head))
        if score > best_score:
            best, best_score = mod.NAME, score
    if best is None or best_score < 0.2:
        first = next((ln for ln in text.splitlines() if ln.strip()), "")[:60]
        raise InputError(
            f"cannot tell the format of this file (first line: {first!r}); "
            "expected MEDLINE, RIS, Web of Science, BibTeX, EndNote XML, PubMed XML or CSV/TSV",
            file=file,
            line=1,
        )
    return best


def read_text(text: str, file: str = "<text>", fmt: str | None = None, encoding: str = "utf-8") -> ImportResult:
    ctx = ParseContext(file)
    name = fmt or detect_format(text, file)
    mod = format_module(name)
    with _gc_paused():
        records = mod.parse(text, ctx)
    return _result(records, ctx, file, name, encoding)


# Past this many new objects, a parse's objects are frozen before the collector
# is turned back on (see _gc_paused).
_FREEZE_AFTER = 200_000


@contextmanager
def _gc_paused():
    """Parsing makes millions of small objects and no cycles: the cyclic collector only costs time here.

    Turned back on, the collector would at once walk every object the parse made
    (0.35 s of 4.2 s on 100,000 RIS records) and again in each later full
    collection; after a large parse they are moved to the permanent generation
    (`gc.freeze`) instead. Records hold no reference cycles, so nothing that
    could be collected is kept: reference counting still frees them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_count()[0] > _FREEZE_AFTER:
                gc.freeze()
            gc.enable()


def _result(records: list[Record], ctx: ParseContext, file: str, name: str, encoding: str) -> ImportResult:
    for i, rec in enumerate(records, 1):
        src = rec.source
        src.file = src.file or file
        src.position = src.position or i
        src.format = src.format or name
    return ImportResult(file, name, encoding, records, ctx.warnings)


def read_file(path: str | Path, fmt: str | None = None, display: str | None = None) -> ImportResult:
    """Read one export file of any supported format.

    `display` is the name used in messages (a path relative to the review).
    Raises InputError for a missing, empty, binary or unreadable file.
    A UTF-8 file in a format whose module has ``parse_stream`` (MEDLINE, RIS)
    is read in chunks, never whole; any other file is decoded whole.
    """
    path = Path(path)
    file = display or str(path)
    try:
        with open(path, "rb") as fh:
            result = _read_streaming(fh, file, fmt)
            if result is None:
                fh.seek(0)
                data = fh.read()
    except FileNotFoundError:
        raise InputError("file not found", file=file) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", file=file) from None
    except OSError as err:
        raise InputError(f"cannot read it ({err.strerror})", file=file) from None
    if result is None:
        text, encoding, notes = decode(data, file)
        del data  # the bytes are not needed while parsing (halves peak memory on large files)
        result = read_text(text, file=file, fmt=fmt, encoding=encoding)
        result.warnings[:0] = [ImportWarning(file, None, n) for n in notes]
    if not result.records:
        raise InputError("no records found in this file", file=file, line=1)
    return result


def _read_streaming(fh, file: str, fmt: str | None) -> ImportResult | None:
    """Parse a UTF-8 file chunk by chunk, or None when it must be decoded whole
    (another encoding, bytes that are not UTF-8, a format without ``parse_stream``)."""
    head = fh.read(_text.HEAD_BYTES)
    ok = utf8_head(head)
    if ok is None:
        return None
    start, encoding = ok
    head_text, _, _ = decode(start, file)  # the checks for binary files, and the text to sniff
    name = fmt or detect_format(head_text, file)
    mod = format_module(name)
    if not hasattr(mod, "parse_stream"):
        return None
    ctx = ParseContext(file)
    chunks = utf8_chunks(head, fh)
    if _large(fh):  # records keep where their text lies in the file, not the text (see _filetext)
        chunks = _filetext.FileChunks(head, fh, _filetext.FileSource(fh.fileno(), file))
    try:
        with _gc_paused():
            records = mod.parse_stream(chunks, ctx)
    except UnicodeDecodeError:
        return None  # not UTF-8 after all: decode() reads it as cp1252, with its warning
    return _result(records, ctx, file, name, encoding)


def _large(fh) -> bool:
    """A file large enough for its records to keep their raw text in it (where os.pread exists: not Windows)."""
    if not hasattr(os, "pread"):
        return False
    try:
        return os.fstat(fh.fileno()).st_size >= _filetext.LARGE_FILE
    except (OSError, AttributeError, ValueError):  # not a real file
        return False
