"""SODA error bodies: every client error answers JSON in the shape Socrata's
clients read (``code`` and ``message`` for RSocrata, ``message`` for sodapy,
``errorCode`` and ``data`` as soda-fountain writes them)."""

from __future__ import annotations

import json
from typing import Any

import orjson
from django.http import HttpResponse

JSON_TYPE = "application/json;charset=utf-8"


class SodaError(Exception):
    """A request that cannot be answered; becomes a JSON error response."""

    def __init__(self, status: int, code: str, message: str, data: Any = None, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.data = data if data is not None else {}
        self.headers = headers or {}


def error_body(code: str, message: str, data: Any = None) -> dict:
    return {"code": code, "errorCode": code, "error": True, "message": message, "data": data or {}}


def _dumps(body: dict) -> bytes:
    try:
        return orjson.dumps(body)
    except TypeError:  # e.g. an integer beyond 64 bits echoed from the request
        return json.dumps(body, default=str).encode()


def error_response(err: SodaError) -> HttpResponse:
    resp = HttpResponse(_dumps(error_body(err.code, err.message, err.data)), status=err.status)
    resp["Content-Type"] = JSON_TYPE
    for k, v in err.headers.items():
        resp[k] = v
    return resp


def not_found(dataset_id: str) -> SodaError:
    return SodaError(404, "soda.dataset.not-found", f"Cannot find dataset {dataset_id}", {"dataset": dataset_id})


def bad_request(code: str, message: str, data: Any = None) -> SodaError:
    return SodaError(400, code, message, data)
