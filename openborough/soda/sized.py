"""Answering a query body with its size: ``Content-Length`` on small answers and
on ``HEAD`` (the same number ``GET`` sends), and ``Range`` requests.

GDAL (and so fiona, pyogrio and QGIS) opens ``/resource/ID.geojson`` by URL
through ``/vsicurl/``: a ``HEAD`` for the size, then ``Range`` reads. A body
is rebuilt from the store for each request (``make_body`` gives a fresh
iterator), so a large answer is never held in memory; its length, once
measured, is kept in the cache under the answer's ETag (which names the data
version and the whole query) in the shared ``soda`` cache, so later ``HEAD`` and ``GET`` requests of the
same answer carry it without measuring again."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator

from django.core.cache import caches
from django.http import HttpResponse, StreamingHttpResponse


#: the ``soda`` cache is shared by every server process (files under <data-dir>/cache/soda),
#: so a length measured by one worker serves the next request whichever worker takes it
def _cache():
    return caches["soda"]


_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.ASCII)
LENGTH_TTL = 24 * 3600


def _key(etag: str) -> str:
    return "soda-len:" + etag


def _measure(body: Iterable[bytes], key: str) -> int:
    n = 0
    for chunk in body:
        n += len(chunk)
    _cache().set(key, n, LENGTH_TTL)
    return n


def _counting(body: Iterable[bytes], key: str) -> Iterator[bytes]:
    n = 0
    for chunk in body:
        n += len(chunk)
        yield chunk
    _cache().set(key, n, LENGTH_TTL)  # reached only when the whole body went out


def _slice(body: Iterable[bytes], start: int, end: int) -> Iterator[bytes]:
    """Bytes ``start``..``end`` (inclusive) of the body."""
    pos = 0
    for chunk in body:
        nxt = pos + len(chunk)
        if nxt > start:
            yield chunk[max(start - pos, 0) : end + 1 - pos]
        pos = nxt
        if pos > end:
            return


def _range(header: str, length: int) -> tuple[int, int] | None | bool:
    """(start, end) for a single ``bytes=a-b`` range; None to ignore the header
    (malformed or several ranges: answer the whole body, as RFC 9110 allows);
    False when it cannot be satisfied."""
    m = _RANGE.match(header)
    if not m or (not m.group(1) and not m.group(2)):
        return None
    first, last = m.group(1), m.group(2)
    if first:
        start = int(first)
        end = min(int(last), length - 1) if last else length - 1
        if last and int(last) < start:
            return None
    else:  # the last N bytes
        n = int(last)
        if n == 0:
            return False
        start, end = max(length - n, 0), length - 1
    if start >= length:
        return False
    return start, end


def respond(request, make_body: Callable[[], Iterable[bytes]], content_type: str, etag: str) -> HttpResponse:
    key = _key(etag)
    length = _cache().get(key)
    if getattr(request, "soda_head", False):
        if length is None:
            length = _measure(make_body(), key)
        resp = HttpResponse(b"", content_type=content_type)
        resp["Content-Length"] = str(length)
        resp["Accept-Ranges"] = "bytes"
        return resp
    header = request.META.get("HTTP_RANGE", "")
    if header:
        if length is None:
            length = _measure(make_body(), key)
        r = _range(header, length)
        if r is False:
            resp = HttpResponse(b"", status=416, content_type=content_type)
            resp["Content-Range"] = f"bytes */{length}"
            return resp
        if r is not None:
            start, end = r
            resp = StreamingHttpResponse(_slice(make_body(), start, end), status=206, content_type=content_type)
            resp["Content-Range"] = f"bytes {start}-{end}/{length}"
            resp["Content-Length"] = str(end - start + 1)
            resp["Accept-Ranges"] = "bytes"
            return resp
    body = iter(make_body())
    first = next(body, b"")
    second = next(body, None)
    if second is None:  # a small answer: sent whole, with its length
        resp = HttpResponse(first, content_type=content_type)
        resp["Content-Length"] = str(len(first))
        _cache().set(key, len(first), LENGTH_TTL)
    else:
        resp = StreamingHttpResponse(_counting(itertools.chain((first, second), body), key), content_type=content_type)
        if length is not None:
            resp["Content-Length"] = str(length)
    resp["Accept-Ranges"] = "bytes"
    return resp
