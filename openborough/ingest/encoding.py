"""Which text encoding a delimited file uses, and re-encoding it as UTF-8.

UTF-8 (with or without a byte-order mark) is read in place. A file that is
not valid UTF-8 and has no valid multi-byte UTF-8 in it before the first bad
byte is taken as Windows-1252 (what Excel on a UK PC saves, ``£`` = 0xA3), or
failing that whatever charset-normalizer finds; it is copied to UTF-8 in
chunks. A file that mixes valid UTF-8 with invalid bytes is refused: any
guess would garble one half of it.
"""

from __future__ import annotations

import codecs
import os

from .errors import IngestError

CHUNK = 1 << 20
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def bom_encoding(head: bytes) -> str | None:
    for bom, name in BOMS:
        if head.startswith(bom):
            return name
    return None


def _decodes(path: str, encoding: str) -> tuple[bool, int, bool]:
    """(whole file decodes, offset of the first bad byte, non-ASCII text seen before it)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    non_ascii = False
    with open(path, "rb") as f:
        while True:
            chunk = f.read(CHUNK)
            final = not chunk
            try:
                decoder.decode(chunk, final)
            except UnicodeDecodeError as e:
                return False, offset + e.start, non_ascii or not chunk[: max(e.start, 0)].isascii()
            if final:
                return True, -1, non_ascii
            non_ascii = non_ascii or not chunk.isascii()
            offset += len(chunk)


def _line_of(path: str, offset: int) -> int:
    line = 1
    done = 0
    with open(path, "rb") as f:
        while done < offset:
            chunk = f.read(min(CHUNK, offset - done))
            if not chunk:
                break
            line += chunk.count(b"\n")
            done += len(chunk)
    return line


def detect_encoding(path: str, head: bytes) -> str:
    """The encoding to read ``path`` with: ``utf-8``, ``utf-8-sig``, ``utf-16``,
    ``cp1252`` or another name charset-normalizer gives; IngestError("encoding")."""
    bom = bom_encoding(head)
    if bom == "utf-16":
        return bom
    ok, bad_at, seen_utf8 = _decodes(path, "utf-8")
    if ok:
        return bom or "utf-8"
    if seen_utf8 or bom:
        with open(path, "rb") as f:
            f.seek(bad_at)
            byte = f.read(1)
        raise IngestError(
            "encoding",
            f"line {_line_of(path, bad_at)} has a byte (0x{byte.hex()}) that is not valid UTF-8, though the text "
            "before it is UTF-8; save the file again as UTF-8 (in Excel: 'CSV UTF-8')",
        )
    if _decodes(path, "cp1252")[0]:
        return "cp1252"
    from charset_normalizer import from_path

    best = from_path(path).best()
    if best is not None and best.encoding and _decodes(path, best.encoding)[0]:
        return best.encoding
    raise IngestError(
        "encoding",
        f"the text is not UTF-8 (line {_line_of(path, bad_at)} has a byte that is not) and no other encoding "
        "fits it; save the file as UTF-8",
    )


def transcode(path: str, encoding: str, dest: str) -> str:
    """Copy ``path`` to ``dest`` as UTF-8 without a byte-order mark, chunk by chunk."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    first = True
    with open(path, "rb") as src, open(dest, "w", encoding="utf-8", newline="") as out:
        while True:
            chunk = src.read(CHUNK)
            text = decoder.decode(chunk, not chunk)
            if first and text.startswith("\ufeff"):
                text = text[1:]
            if text:
                first = False
            out.write(text)
            if not chunk:
                break
    return os.fspath(dest)
