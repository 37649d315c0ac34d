"""What the CKAN and DCAT sources share: licences by name or URL, which
distributions the ingest pipeline reads, and writing fetched records as CSV."""

from __future__ import annotations

import csv
import json
import os
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ...catalog.models import LICENCE_URLS, Licence
from ...ingest.names import field_names

#: licence ids, titles and URLs portals use → ours
_LICENCE_WORDS = [
    (re.compile(r"(uk-ogl|ogl|open-government-licence|open government licence)", re.I), Licence.OGL3),
    (re.compile(r"(cc-?zero|cc0|publicdomain/zero|public domain)", re.I), Licence.CC0),
    (re.compile(r"(odc-odbl|odbl|open database licen[cs]e)", re.I), Licence.ODBL),
    (re.compile(r"(cc-by(?!-sa|-nc|-nd)|creativecommons\.org/licenses/by/|creative commons attribution(?! share| non))", re.I), Licence.CC_BY4),
]  # fmt: skip
_BY_URL = {url.rstrip("/"): lic for lic, url in LICENCE_URLS.items()}

#: format names and media types → the ingest pipeline's format
FORMATS = {
    "csv": "csv",
    "text/csv": "csv",
    "tsv": "tsv",
    "text/tab-separated-values": "tsv",
    "xlsx": "xlsx",
    "xls": "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "geojson": "geojson",
    "application/geo+json": "geojson",
    "application/vnd.geo+json": "geojson",
    "json": "json",
    "application/json": "json",
}
#: the order of preference when a dataset offers several
PREFERENCE = ("csv", "xlsx", "geojson", "tsv", "json")


def licence_from(*values: str | None) -> str | None:
    """Our licence for the first recognisable id, title or URL; OTHER for one we do not know; None if none given."""
    given = [v for v in values if v and str(v).strip()]
    for v in given:
        v = str(v).strip()
        if v in Licence.values:
            return v
        if v.rstrip("/") in _BY_URL:
            return _BY_URL[v.rstrip("/")]
        for pattern, lic in _LICENCE_WORDS:
            if pattern.search(v):
                return lic
    return Licence.OTHER if given else None


def ingest_format(fmt: str | None = None, media_type: str | None = None, url: str | None = None) -> str | None:
    for v in (fmt, media_type):
        if v:
            key = str(v).strip().lower().split(";")[0].strip()
            key = key.rsplit("/", 1)[-1] if key.startswith("http") else key  # IANA media-type URIs in DCAT-AP
            if key in FORMATS:
                return FORMATS[key]
            if "/" not in key and f"text/{key}" in FORMATS:
                return FORMATS[f"text/{key}"]
    if url:
        path = url.split("?")[0].lower()
        for ext in ("csv", "tsv", "xlsx", "xls", "geojson", "json"):
            if path.endswith("." + ext):
                return FORMATS[ext]
        m = re.search(r"rows\.(csv|json|geojson)$", path)
        if m:
            return FORMATS[m.group(1)]
    return None


def email_or_blank(value) -> str:
    value = str(value or "").strip().removeprefix("mailto:")
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class RecordsCsv:
    """Records (dicts) written to a CSV file with the given headers, for the ingest pipeline."""

    def __init__(self, path: str, headers: list[str]):
        self.path = path
        self.headers = headers
        self.fields, _ = field_names(headers)
        self.count = 0
        self._f = open(path, "w", newline="", encoding="utf-8")
        self._w = csv.writer(self._f)
        self._w.writerow(headers)

    def add(self, records) -> None:
        for r in records:
            self._w.writerow([cell(r.get(h)) for h in self.headers])
            self.count += 1

    def close(self) -> None:
        self._f.close()

    def abandon(self) -> None:
        self._f.close()
        if os.path.exists(self.path):
            os.unlink(self.path)
