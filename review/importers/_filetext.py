"""Raw text of records read back from their export file (large MEDLINE and RIS files).

A record's ``raw`` keeps its text (`review.records.RawFields`); for a 640 MB
MEDLINE file that text is the file itself, held in memory a second time. For
a large file the importers keep instead where each record lies in the file
(offset and length) and read it back when ``raw`` is first used.

That is only done for bytes that are the file's own: chunks that `utf8_chunks`
gave unchanged (no CR line ends, no BOM). A chunk it had to change (CRLF, BOMs)
keeps its records' text in memory, as before. The file stays open (one file
descriptor per large file, closed when its last record is freed), so a file
renamed or deleted after the import still reads back the same bytes; one
changed in place is refused with an error rather than read wrong.
"""

from __future__ import annotations

import os

from review.errors import InputError
from review.importers._text import utf8_chunks

# Files from this size on keep their records' raw text in the file, not in memory.
LARGE_FILE = 1 << 26  # 64 MiB


class FileSource:
    """An open export file that record texts are read back from."""

    __slots__ = ("name", "fd", "stamp")

    def __init__(self, fileno: int, name: str):
        self.name = name
        self.fd = os.dup(fileno)  # its own descriptor: the importer's file object is closed after reading
        self.stamp = _stamp(self.fd)

    def read(self, offset: int, length: int) -> bytes:
        """The file's bytes at [offset, offset + length), as they were at the import."""
        data = os.pread(self.fd, length, offset)
        if len(data) != length or _stamp(self.fd) != self.stamp:
            raise InputError("the file changed after it was imported: import it again to read its raw fields",
                             file=self.name)
        return data

    def __del__(self):
        fd = getattr(self, "fd", None)
        if fd is not None:
            os.close(fd)

    def __reduce__(self):
        raise TypeError("a FileSource cannot be pickled (RawFields pickles its text instead)")


def _stamp(fd: int) -> tuple[int, int, int]:
    st = os.fstat(fd)
    return st.st_ino, st.st_size, st.st_mtime_ns


class FileChunks:
    """`utf8_chunks(head, fh)`, also telling where the chunk last given lies in the file.

    ``origin`` is the file offset of the last chunk's first byte when the chunk is
    the file's bytes unchanged (the very object read from the file), else None;
    ``source`` is the `FileSource` to read those bytes back from.
    """

    def __init__(self, head: bytes, fh, source: FileSource):
        self.source = source
        self.origin: int | None = None
        self._head = head
        self._reader = _Reader(fh)
        self._chunks = utf8_chunks(head, self._reader)

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        chunk = next(self._chunks)
        reader = self._reader
        if chunk is self._head:
            self.origin, self._head = 0, None  # the head is the file's first bytes
        elif chunk is reader.last:
            self.origin = reader.last_at
        else:
            self.origin = None  # changed (CR, BOM) or grown by a byte: not the file's bytes at one place
        return chunk


class _Reader:
    """A file object that remembers the last block it read and where it started."""

    __slots__ = ("fh", "last", "last_at")

    def __init__(self, fh):
        self.fh = fh
        self.last: bytes | None = None
        self.last_at = 0

    def read(self, size: int) -> bytes:
        at = self.fh.tell()
        data = self.fh.read(size)
        self.last, self.last_at = data, at
        return data
