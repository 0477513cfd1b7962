"""The errors `review` raises for a user's own mistakes.

The library never prints and never exits: it raises one of these, and the
command line turns it into a single line on stderr with an exit code. Bad input
(a file, a cell, a key the user wrote) is exit 2; a check that ran and failed is
exit 1.
"""

from __future__ import annotations

from pathlib import Path


class ReviewError(Exception):
    """Something the user can fix; the message says what and where."""

    exit_code = 1


class InputError(ReviewError):
    """Bad input: names the file, the line (when known) and the field.

    ``str(err)`` is the one line a user sees, for example
    ``records/searches/pubmed.txt, line 12, field PY: year '19x8' is not a number``.
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ):
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field {self.field}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ProtocolError(InputError):
    """protocol.yaml is missing, malformed, or has an unknown or bad key."""


class UsageError(ReviewError):
    """The command was called in a way that cannot work (exit 2)."""

    exit_code = 2


class CheckFailed(ReviewError):
    """A check ran and found problems (exit 1)."""

    exit_code = 1
