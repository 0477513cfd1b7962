"""The review folder: where things are, atomic writes, append-only logs, locks.

People's files (protocol.yaml, records/searches/, records/<stage>/<reviewer>.csv)
are never rewritten by the tool; derived files under output/ are written whole
to a temporary file and renamed into place, so a crash never leaves half a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from review.errors import UsageError
from review.protocol import PROTOCOL_FILE

SEARCHES_DIR = Path("records") / "searches"
OUTPUT_DIR = Path("output")
LIBRARY_FILE = OUTPUT_DIR / "records.jsonl"


def find_root(start: Path | None = None) -> Path:
    """The review folder: `start` or the nearest parent holding protocol.yaml."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROTOCOL_FILE).is_file():
            return folder
    raise UsageError(
        f"no {PROTOCOL_FILE} in {here} or any folder above it; "
        "run this inside a review, or start one with `review init DIR`"
    )


def output_dir(root: Path) -> Path:
    return root / OUTPUT_DIR


def atomic_write_text(path: Path, text: str) -> None:
    """Write a whole file or nothing: temp file in the same folder, fsync, rename."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def write_if_changed(path: Path, text: str) -> bool:
    """Atomic write that leaves an identical file untouched; True when it wrote."""
    path = Path(path)
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return False
    atomic_write_bytes(path, data)
    return True


def append_line(path: Path, line: str) -> None:
    """Append one line to a person's log and make it durable before returning."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not line.endswith("\n"):
        line += "\n"
    new = not path.exists()
    with open(path, "a", encoding="utf-8", newline="") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())
    if new:
        _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def exclusive_lock(path: Path, what: str):
    """Hold a lock file while a person works; a second holder gets a clear UsageError."""
    import fcntl

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip()
            raise UsageError(f"{what} is already running ({holder or 'another process'}); finish that one first") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}\n")
        fh.flush()
        yield
    finally:
        fh.close()


def write_jsonl(path: Path, rows) -> bool:
    """Write rows as sorted-key JSON lines (byte-stable); True when the file changed."""
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    return write_if_changed(path, text)


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
