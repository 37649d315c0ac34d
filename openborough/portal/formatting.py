"""How the portal writes values for people: the one place for table cells,
column statistics, chart labels and chart figures.

Dates as "13 August 2020" (GOV.UK style), times as "3:34pm", money in pounds
with pence, counts and measures with thousands separators, but years as
plain digits ("2017", not "2,017"). The API and downloads keep the raw values;
only the HTML pages use this module."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

import orjson

from ..soql.types import SoQLType

#: a column whose name says it holds years ("year", "fyr", "financial_year", "Year of birth")
_YEAR_NAME = re.compile(r"year|(^|[^a-z])f?yr($|[^a-z])", re.IGNORECASE)
_TIMESTAMPS = (SoQLType.FLOATING_TIMESTAMP, SoQLType.FIXED_TIMESTAMP)


def is_year_column(name: str) -> bool:
    return bool(name) and bool(_YEAR_NAME.search(name))


def count(n) -> str:
    """A count of things: "1,234"."""
    return f"{int(n):,}"


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def number(value, *, year: bool = False, places: int | None = None, grouping: bool = True) -> str:
    """A number with thousands separators and no trailing zeros ("1,234.5"); a year as "2017"."""
    d = _decimal(value)
    if d is None:
        return str(value)
    if places is not None:
        d = round(d, places)
    elif d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    else:
        d = d.normalize()
    if year and d == d.to_integral_value() and 1000 <= d <= 9999:  # a year, not a yearly total
        return str(int(d))
    return f"{d:,f}" if grouping else f"{d:f}"


def money(value) -> str:
    """Pounds and pence: "£1,234.50", "-£12.00" (a plain hyphen-minus, so copied values paste as numbers)."""
    d = _decimal(value)
    if d is None:
        return str(value)
    text = f"£{abs(d):,.2f}"
    return f"-{text}" if d < 0 else text


def _time(t: dt.time) -> str:
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    if t.second:
        return f"{hour}:{t.minute:02d}:{t.second:02d}{suffix}"
    return f"{hour}:{t.minute:02d}{suffix}"


def parse_timestamp(value) -> dt.datetime | dt.date | None:
    if isinstance(value, dt.datetime | dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def timestamp(value, precision: str = "") -> str:
    """ "13 August 2020", "13 August 2020, 3:34pm"; with precision "y"/"ym"/"week", "2020", "August 2020",
    "Week of 10 August 2020" (a chart group)."""
    t = parse_timestamp(value)
    if t is None:
        return str(value)
    if precision == "y":
        return str(t.year)
    if precision == "ym":
        return f"{t:%B} {t.year}"
    if precision == "week":
        return f"Week of {t.day} {t:%B} {t.year}"
    day = f"{t.day} {t:%B} {t.year}"
    if not isinstance(t, dt.datetime) or (t.time() == dt.time(0) and t.tzinfo is None) or precision == "ymd":
        return day
    text = f"{day}, {_time(t.time())}"
    if t.tzinfo is not None and t.utcoffset() == dt.timedelta(0):
        text += " UTC"
    return text


def value(v, type: SoQLType | None = None, name: str = "", *, grouping: bool = True) -> str:
    """Any value of a column of ``type`` named ``name`` (raw Python or SODA JSON text), for people.

    ``grouping=False`` (data table cells) writes numbers without thousands separators, as they may be
    codes or references (eastings, invoice numbers); statistics and charts group them."""
    if v is None or v == "":
        return ""
    if isinstance(v, bool) or type == SoQLType.CHECKBOX:
        if isinstance(v, str):
            return {"true": "Yes", "false": "No"}.get(v.lower(), v)
        return "Yes" if v else "No"
    if isinstance(v, dict | list):
        return orjson.dumps(v).decode()
    if type == SoQLType.MONEY:
        return money(v)
    if type in _TIMESTAMPS or isinstance(v, dt.date | dt.datetime):
        return timestamp(v)
    if type in (SoQLType.NUMBER, SoQLType.DOUBLE) or (type is None and isinstance(v, int | float | Decimal)):
        return number(v, year=is_year_column(name), grouping=grouping)
    return str(v)
