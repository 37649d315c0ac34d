"""Cache validators for dataset reads: a weak ETag naming the data version
and the query, and Last-Modified from the last data change; 304 when the
client already holds the answer."""

from __future__ import annotations

import hashlib

from django.http import HttpResponse
from django.utils.http import http_date, parse_http_date_safe

from ..catalog.models import Dataset


def last_modified(ds: Dataset) -> int:
    when = ds.data_updated_at or ds.updated_at or ds.created_at
    return int(when.timestamp())


def etag(ds: Dataset, request, variant: str) -> str:
    query = sorted((k, v) for k, vs in request.GET.lists() if k.lower() != "$$app_token" for v in vs)
    h = hashlib.sha1(repr((ds.id, ds.current_version, ds.row_identifier, variant, query)).encode())
    return f'W/"{ds.id}.{ds.current_version or 0}.{h.hexdigest()[:20]}"'


def validators(ds: Dataset, request, variant: str) -> dict[str, str]:
    lm = last_modified(ds)
    return {
        "ETag": etag(ds, request, variant),
        "Last-Modified": http_date(lm),
        "X-SODA2-Truth-Last-Modified": http_date(lm),
        # the replica the answer came from is the store itself, so it is as fresh as the truth
        "X-SODA2-Secondary-Last-Modified": http_date(lm),
        "X-SODA2-Data-Out-Of-Date": "false",
    }


def _strip_weak(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def not_modified(request, headers: dict[str, str]) -> HttpResponse | None:
    inm = request.META.get("HTTP_IF_NONE_MATCH")
    if inm is not None:
        tags = {_strip_weak(t) for t in inm.split(",")}
        if "*" in tags or _strip_weak(headers["ETag"]) in tags:
            return _304(headers)
        return None
    ims = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    lm = parse_http_date_safe(headers["Last-Modified"])
    if ims is not None and lm is not None and lm <= ims:
        return _304(headers)
    return None


def _304(headers: dict[str, str]) -> HttpResponse:
    resp = HttpResponse(status=304)
    for k in ("ETag", "Last-Modified"):
        resp[k] = headers[k]
    return resp
