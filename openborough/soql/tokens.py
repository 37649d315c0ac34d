"""SoQL lexer: text -> tokens with (line, column) positions.

Follows Socrata's lexical rules: case-insensitive keywords, identifiers made
of letters, digits, ``_`` and ``$`` (lower-cased), backtick-quoted
identifiers (where ``-`` becomes ``_``), system identifiers ``:name`` and
``:@name``, SQL strings (``''`` escapes a quote) and Java-style double-quoted
strings, numbers, ``--`` and ``/* */`` comments.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import (
    BAD_UNICODE_ESCAPE,
    UNEXPECTED_CHARACTER,
    UNEXPECTED_ESCAPE,
    UNICODE_OUT_OF_RANGE,
    UNTERMINATED_STRING,
    SoQLError,
)

_ASCII_DIGITS = frozenset("0123456789")  # str.isdigit() is also true of "²", "٣" …

#: longest SoQL text accepted in one parameter (bounds the work one request can ask for)
MAX_QUERY_CHARS = 100_000

# Token kinds
IDENT = "ident"  # value: lower-cased name; raw: as written
QUOTED_IDENT = "quoted_ident"  # backticked: never a keyword
SYSTEM_IDENT = "system_ident"  # value like ":id", ":@region", ":*"
STRING = "string"
NUMBER = "number"  # value: the digits as written
OP = "op"
EOF = "eof"

KEYWORDS = frozenset(
    """select distinct where group by having order asc desc limit offset search as and or not in
    between like is null true false from join union intersect minus""".split()
)

OPERATORS = sorted(
    [
        "::",
        "||",
        "==",
        "!=",
        "<>",
        "<=",
        ">=",
        "|>",
        "(",
        ")",
        ",",
        ".",
        "[",
        "]",
        "+",
        "-",
        "*",
        "/",
        "%",
        "^",
        "=",
        "<",
        ">",
        "@",
        ";",
        "{",
        "}",
    ],
    key=len,
    reverse=True,
)

_JAVA_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "'": "'"}


@dataclass(frozen=True)
class Token:
    kind: str
    value: str
    pos: tuple[int, int]
    raw: str = ""

    def is_kw(self, *words: str) -> bool:
        return self.kind == IDENT and self.value in words

    def is_op(self, *ops: str) -> bool:
        return self.kind == OP and self.value in ops

    def describe(self) -> str:
        if self.kind == EOF:
            return "end of input"
        if self.kind == STRING:
            return "a string literal"
        return f"`{self.raw or self.value}`"


def _ident_start(c: str) -> bool:
    return c.isalpha() or c == "_" or c == "$"


def _ident_part(c: str) -> bool:
    return c.isalnum() or c == "_" or c == "$"


def tokenize(text: str) -> list[Token]:
    """Split SoQL text into tokens, ending with an EOF token; SoQLError on bad input."""
    if not isinstance(text, str):
        raise SoQLError(UNEXPECTED_CHARACTER, "query text must be a string")
    if len(text) > MAX_QUERY_CHARS:
        raise SoQLError(UNEXPECTED_CHARACTER, f"SoQL text longer than {MAX_QUERY_CHARS} characters", (1, 1))
    toks: list[Token] = []
    i, n = 0, len(text)
    line, line_start = 1, 0

    def pos_of(k: int) -> tuple[int, int]:
        return (line, k - line_start + 1)

    while i < n:
        c = text[i]
        if c == "\n":
            i += 1
            line, line_start = line + 1, i
            continue
        if c.isspace():
            i += 1
            continue
        if text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise SoQLError(UNEXPECTED_CHARACTER, "unterminated block comment", pos_of(i))
            for k in range(i, j):
                if text[k] == "\n":
                    line, line_start = line + 1, k + 1
            i = j + 2
            continue
        start = i
        p = pos_of(i)
        if _ident_start(c):
            while i < n and _ident_part(text[i]):
                i += 1
            raw = text[start:i]
            toks.append(Token(IDENT, raw.lower(), p, raw))
            continue
        if c == "`":
            j = text.find("`", i + 1)
            if j < 0:
                raise SoQLError(UNEXPECTED_CHARACTER, "unterminated `quoted identifier`", p)
            raw = text[i + 1 : j]
            if not raw or any(ch.isspace() for ch in raw):
                raise SoQLError(UNEXPECTED_CHARACTER, "bad `quoted identifier`", p)
            toks.append(Token(QUOTED_IDENT, raw.lower().replace("-", "_"), p, raw))
            i = j + 1
            continue
        if c == ":" and i + 1 < n and text[i + 1] != ":":
            j = i + 1
            if j < n and text[j] == "*":
                toks.append(Token(SYSTEM_IDENT, ":*", p, ":*"))
                i = j + 1
                continue
            if j < n and text[j] == "@":
                j += 1
            k = j
            while k < n and _ident_part(text[k]):
                k += 1
            if k == j:
                raise SoQLError(UNEXPECTED_CHARACTER, "expected a system field name after `:`", p)
            raw = text[i:k]
            toks.append(Token(SYSTEM_IDENT, raw.lower(), p, raw))
            i = k
            continue
        if c == "'":
            buf = []
            i += 1
            while True:
                if i >= n:
                    raise SoQLError(UNTERMINATED_STRING, "unterminated string literal", p)
                ch = text[i]
                if ch == "'":
                    if i + 1 < n and text[i + 1] == "'":
                        buf.append("'")
                        i += 2
                        continue
                    i += 1
                    break
                if ch == "\n":
                    line, line_start = line + 1, i + 1
                buf.append(ch)
                i += 1
            toks.append(Token(STRING, "".join(buf), p, text[start:i]))
            continue
        if c == '"':
            buf = []
            i += 1
            while True:
                if i >= n:
                    raise SoQLError(UNTERMINATED_STRING, "unterminated string literal", p)
                ch = text[i]
                if ch == '"':
                    i += 1
                    break
                if ch == "\\":
                    if i + 1 >= n:
                        raise SoQLError(UNTERMINATED_STRING, "unterminated string literal", p)
                    e = text[i + 1]
                    if e in _JAVA_ESCAPES:
                        buf.append(_JAVA_ESCAPES[e])
                        i += 2
                        continue
                    if e in "uU":
                        width = 4 if e == "u" else 6
                        hexd = text[i + 2 : i + 2 + width]
                        if len(hexd) != width or any(h not in "0123456789abcdefABCDEF" for h in hexd):
                            raise SoQLError(BAD_UNICODE_ESCAPE, "bad unicode escape", pos_of(i))
                        cp = int(hexd, 16)
                        if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
                            raise SoQLError(UNICODE_OUT_OF_RANGE, "unicode character out of range", pos_of(i))
                        buf.append(chr(cp))
                        i += 2 + width
                        continue
                    raise SoQLError(UNEXPECTED_ESCAPE, f"unexpected escape \\{e}", pos_of(i))
                if ch == "\n":
                    line, line_start = line + 1, i + 1
                buf.append(ch)
                i += 1
            toks.append(Token(STRING, "".join(buf), p, text[start:i]))
            continue
        if c in _ASCII_DIGITS or (c == "." and i + 1 < n and text[i + 1] in _ASCII_DIGITS):
            while i < n and text[i] in _ASCII_DIGITS:
                i += 1
            if i < n and text[i] == ".":
                i += 1
                while i < n and text[i] in _ASCII_DIGITS:
                    i += 1
            if i < n and text[i] in "eE":
                j = i + 1
                if j < n and text[j] in "+-":
                    j += 1
                if j < n and text[j] in _ASCII_DIGITS:
                    while j < n and text[j] in _ASCII_DIGITS:
                        j += 1
                    i = j
            if i < n and _ident_start(text[i]):
                raise SoQLError(UNEXPECTED_CHARACTER, f"unexpected character {text[i]!r} after a number", pos_of(i))
            toks.append(Token(NUMBER, text[start:i], p, text[start:i]))
            continue
        for op in OPERATORS:
            if text.startswith(op, i):
                toks.append(Token(OP, op, p, op))
                i += len(op)
                break
        else:
            raise SoQLError(UNEXPECTED_CHARACTER, f"unexpected character {c!r}", p, character=c)
    toks.append(Token(EOF, "", pos_of(i)))
    return toks
