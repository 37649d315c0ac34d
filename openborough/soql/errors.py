"""The one exception the SoQL engine raises, carrying Socrata's error code."""

from __future__ import annotations

from typing import Any

NO_SUCH_COLUMN = "query.soql.no-such-column"
TYPE_MISMATCH = "query.soql.type-mismatch"
NO_SUCH_FUNCTION = "query.soql.no-such-function"
AMBIGUOUS_CALL = "query.soql.ambiguous-call"
BAD_PARSE = "query.soql.bad-parse"
UNEXPECTED_EOF = "query.soql.unexpected-eof"
UNEXPECTED_CHARACTER = "query.soql.unexpected-character"
UNTERMINATED_STRING = "query.soql.unterminated-string"
UNEXPECTED_ESCAPE = "query.soql.unexpected-escape"
BAD_UNICODE_ESCAPE = "query.soql.bad-unicode-escape-character"
UNICODE_OUT_OF_RANGE = "query.soql.unicode-character-out-of-range"
AGGREGATE_IN_UNGROUPED = "query.soql.aggregate-in-ungrouped-context"
NOT_IN_GROUP_BYS = "query.soql.column-not-in-group-bys"
DUPLICATE_ALIAS = "query.soql.duplicate-alias"
CIRCULAR_ALIAS = "query.soql.circular-alias-definition"
UNKNOWN_PARAMETER = "query.soql.unknown-parameter"
UNSUPPORTED = "query.soql.unsupported"


class SoQLError(Exception):
    """A bad SoQL query. ``code`` is Socrata's error code, ``data`` extra detail
    (``position`` as ``{"line", "column"}`` where it applies)."""

    def __init__(self, code: str, message: str, position: tuple[int, int] | None = None, **data: Any):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data: dict[str, Any] = dict(data)
        if position is not None:
            self.data["position"] = {"line": position[0], "column": position[1]}

    @property
    def position(self) -> tuple[int, int] | None:
        p = self.data.get("position")
        return (p["line"], p["column"]) if p else None

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "errorCode": self.code, "error": True, "message": self.message, "data": self.data}

    def __repr__(self) -> str:
        return f"SoQLError({self.code!r}, {self.message!r}, {self.data!r})"
