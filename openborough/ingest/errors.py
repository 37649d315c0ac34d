"""The one exception the ingest pipeline raises for a file it cannot use."""

from __future__ import annotations

#: every code ``IngestError`` uses, with what it means
CODES = {
    "empty": "the file is empty",
    "no-rows": "the file has a header but no data rows",
    "not-tabular": "the file is not a table (a web page, a binary file …)",
    "encoding": "the text is not in an encoding we can read",
    "too-large": "the file is over the upload limit",
    "validation": "cells or rows do not fit the columns (see the report)",
    "bad-format": "the file does not parse as the format it claims to be",
    "bad-option": "an ingest option is wrong (unknown column, type …)",
    "not-found": "there is no such file",
    "duplicate-row-id": "the row identifier column is missing, has blanks or repeats",
}


class IngestError(Exception):
    """A file cannot be published as it is. ``message`` is written for the
    publisher; ``report`` (a ``ValidationReport``) is set for ``validation``
    and ``duplicate-row-id`` errors."""

    def __init__(self, code: str, message: str, report=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.report = report

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict:
        out = {"code": self.code, "message": self.message}
        if self.report is not None:
            out["report"] = self.report.to_dict()
        return out
