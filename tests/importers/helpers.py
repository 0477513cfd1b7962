"""What the importer tests share: the normalised fields of an empty record, and a record's
expected fields written as only those that are not empty."""

from __future__ import annotations

from review.records import Record

EMPTY = Record().normalised()


def expect(**fields) -> dict:
    """The normalised dict of a record whose other fields are all empty."""
    unknown = set(fields) - set(EMPTY)
    if unknown:
        raise KeyError(f"not normalised fields: {', '.join(sorted(unknown))}")
    return EMPTY | fields
