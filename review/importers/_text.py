"""Bytes to text: encodings (BOMs, UTF-16, cp1252 fallback) and line ends; then, for the
text exports that mark each record with a line of their own (Cochrane, Embase.com,
Ovid, ProQuest), the record blocks and their tagged lines."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

from review.errors import InputError
from review.records import Record, Source


def decode(data: bytes, file: str) -> tuple[str, str, list[str]]:
    """Decode an export's bytes; return (text, encoding, warnings).

    UTF-8 with or without BOM, UTF-16 with BOM, else cp1252 (with a warning).
    Line ends become "\\n" (CRLF, lone CR and mixed files alike). A stray BOM in
    the middle of a file (two exports pasted together) is dropped. A file with
    NUL bytes that is not UTF-16 is refused as binary.
    """
    warnings: list[str] = []
    if not data.strip():
        raise InputError("the file is empty", file=file, line=1)
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            text, encoding = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as err:
            raise InputError(f"not valid UTF-16 text ({err.reason})", file=file) from None
    elif _looks_utf16_without_bom(data):
        enc = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        text, encoding = data.decode(enc, errors="replace"), enc
    else:
        if b"\x00" in data[:65536]:
            raise InputError("this is a binary file, not a text search export", file=file, line=1)
        if data.startswith(codecs.BOM_UTF8):
            data = data[3:]
            encoding = "utf-8-sig"
        else:
            encoding = "utf-8"
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            line = data[: err.start].count(b"\n") + 1
            text, encoding = data.decode("cp1252", errors="replace"), "cp1252"
            warnings.append(f"line {line}: not UTF-8; read as Windows-1252 (cp1252)")
    text = text.replace("\ufeff", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _binary_share(text) > 0.05:
        raise InputError("this is a binary file, not a text search export", file=file, line=1)
    return text, encoding, warnings


HEAD_BYTES = 65536
CHUNK_BYTES = 1 << 23


def utf8_head(head: bytes) -> tuple[bytes, str] | None:
    """The start of a file that can be read in UTF-8 chunks: (the head up to its
    last line end, encoding), or None when the file needs `decode` whole
    (UTF-16, NUL bytes, not UTF-8 in the head, no line end in it, blank)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16_without_bom(head):
        return None
    if b"\x00" in head or not head.strip():
        return None
    cut = head.rfind(b"\n") + 1 if len(head) >= HEAD_BYTES else len(head)  # a whole last line
    if cut <= 0:
        return None
    try:
        head[:cut].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return head[:cut], "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"


def utf8_chunks(first: bytes, fh, size: int | None = None):
    """A UTF-8 file's bytes from `first` (already read) then `fh`, in chunks with
    "\\n" line ends and no BOMs: what `decode` does to the text, done to the
    bytes, so a large file is never held whole. A chunk may end inside a line
    (parsers keep the text after their last whole record for the next chunk),
    never between CR and LF or inside a BOM. The bytes are not checked here:
    decoding a record's bytes raises UnicodeDecodeError when they are not UTF-8."""
    chunk = first
    while chunk:
        while chunk[-1:] in (b"\r", b"\xef") or chunk[-2:] == b"\xef\xbb":  # rare: read on a little
            more = fh.read(1)
            if not more:
                break
            chunk += more
        if b"\r" in chunk:
            chunk = chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if b"\xef\xbb\xbf" in chunk:
            chunk = chunk.replace(b"\xef\xbb\xbf", b"")
        yield chunk
        chunk = fh.read(size or CHUNK_BYTES)


def _looks_utf16_without_bom(data: bytes) -> bool:
    head = data[:400]
    if len(head) < 8:
        return False
    even_nuls = head[0::2].count(0)
    odd_nuls = head[1::2].count(0)
    half = len(head) // 2
    return odd_nuls > 0.8 * half or even_nuls > 0.8 * half


def _binary_share(text: str) -> float:
    sample = text[:8192]
    if not sample:
        return 0.0
    bad = sum(1 for c in sample if (ord(c) < 32 and c not in "\n\t\f\v") or c == "\ufffd")
    return bad / len(sample)


# ---- record blocks of the text exports ------------------------------------------------

Raw = dict[str, list[str]]


def record_blocks(
    text: str,
    ctx,
    start: re.Pattern,
    fields: Callable[[str], Raw],
    build: Callable[[Raw, Source], Record],
    *,
    missing: str,
    empty: Callable[[re.Match], str],
    stop: re.Pattern | None = None,
    stated: str = "",
) -> list[Record]:
    """The records of an export whose records each begin with a line `start` matches.

    A block runs from the end of its start line to the next start line (or to
    `stop` inside it, e.g. ProQuest's rule of underscores). `fields` turns a
    block into raw fields, `build` those into a Record (position counts records
    kept, line is the start line's). No start line at all is an error with the
    `missing` message; an empty block is a warning (`empty(match)`) and skipped.
    `stated` ("the file says {stated} records but holds {held}"), when given, warns
    when the last start line's group 2 (its "of N") is not the number of records read.
    """
    marks = list(start.finditer(text))
    if not marks:
        raise ctx.error(missing, line=1)
    records: list[Record] = []
    line, counted = 1, 0
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(text)
        if stop is not None:
            rule = stop.search(text, m.end(), end)
            if rule:
                end = rule.start()
        line += text.count("\n", counted, m.start())
        counted = m.start()
        raw = fields(text[m.end(): end])
        if not raw:
            ctx.warn(empty(m), line=line)
            continue
        records.append(build(raw, Source(position=len(records) + 1, line=line)))
    if stated and len(records) != int(marks[-1].group(2)):
        ctx.warn(stated.format(stated=marks[-1].group(2), held=len(records)), line=1)
    return records


def tagged_fields(block: str, tag: re.Pattern) -> Raw:
    """Lines "XX: value" into {tag: [values]} (`tag` captures the tag and the value);
    an untagged line continues the value above it, after a newline; blank lines are passed over."""
    raw: Raw = {}
    have: list[str] | None = None
    for s in block.split("\n"):
        if not s.strip():
            continue
        t = tag.match(s)
        if t:
            have = raw.setdefault(t.group(1), [])
            have.append((t.group(2) or "").strip())
        elif have is not None:
            have[-1] = f"{have[-1]}\n{s.strip()}"
    return raw


def first(raw: Raw, tag: str) -> str:
    """The first value of a tag, or ""."""
    v = raw.get(tag)
    return v[0] if v else ""
