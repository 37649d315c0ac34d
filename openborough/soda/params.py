"""Reading SODA query-string parameters: the SoQL ones go to the engine, the
``$$`` ones (app token, system fields, BOM, version) are handled here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.conf import settings

from .errors import SodaError, bad_request

SOQL_PARAMS = ("$select", "$where", "$order", "$group", "$having", "$limit", "$offset", "$q", "$search", "$query")
DEFAULT_LIMIT = 1000
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
_JSONP = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$.]{0,99}$")


@dataclass
class ReadParams:
    soql: dict[str, str] = field(default_factory=dict)
    exclude_system_fields: bool = True
    bom: bool = False
    jsonp: str = ""


def _flag(name: str, value: str, default: bool) -> bool:
    v = value.strip().lower()
    if v == "":
        return default
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise bad_request("req.param.bad-boolean", f"{name} must be true or false, not {value!r}", {"param": name})


def read_params(query) -> ReadParams:
    """``query`` is request.GET. Raises SodaError for repeated or unknown ``$`` parameters."""
    out = ReadParams()
    unknown = []
    for key in query:
        values = query.getlist(key)
        lower = key.lower()
        if lower.startswith("$$"):
            value = values[-1]
            if lower == "$$exclude_system_fields":
                out.exclude_system_fields = _flag(key, value, True)
            elif lower == "$$bom":
                out.bom = _flag(key, value, False)
            elif lower not in ("$$app_token", "$$version", "$$read_from_nbe", "$$query_timeout_seconds"):
                unknown.append(key)
            continue
        if lower == "$jsonp":
            if not _JSONP.match(values[-1]):
                raise bad_request("req.param.bad-jsonp", "$jsonp must be a JavaScript identifier")
            out.jsonp = values[-1]
            continue
        if key.startswith("$") and lower not in SOQL_PARAMS:
            unknown.append(key)
            continue
        if len(values) > 1:
            raise bad_request(
                "req.param.repeated", f"Parameter {key} was given {len(values)} times; give it once", {"param": key}
            )
        out.soql[lower if key.startswith("$") else key] = values[0]
    if unknown:
        raise SodaError(
            400, "req.param.unrecognized", f"Unrecognized arguments [{', '.join(sorted(unknown))}]", {"params": unknown}
        )
    soql = out.soql
    if "$limit" in soql:
        check_limit(soql["$limit"])
    if not out.exclude_system_fields and "$query" not in soql:
        soql["$select"] = ":*, " + soql["$select"] if "$select" in soql else ":*, *"
    return out


def check_limit(value) -> None:
    maximum = settings.OPENBOROUGH_SODA_MAX_LIMIT
    try:
        n = int(str(value).strip())
    except ValueError:
        return  # the SoQL engine reports a malformed limit with its position
    if maximum and n > maximum:
        raise SodaError(
            400,
            "req.row-limit-exceeded",
            f"Requested $limit {n} is more than the maximum of {maximum} rows; page with $offset",
            {"limit": n, "maximum": maximum},
        )
