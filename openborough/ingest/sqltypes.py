"""DuckDB SQL that recognises and converts text cells, one macro per SoQL type.

Inference and conversion use the same macros, so a column is only inferred
as a type when the conversion that follows keeps every value. Each
``ob_<kind>(v)`` returns the typed value, or NULL when ``v`` is not one.
"""

from __future__ import annotations

from ..soql.types import SoQLType

_NUM = r"[+-]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,2})?|[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?)"
# the same, without leading zeros ("007" is a code, not seven)
_NUM_NZ = r"[+-]?((0|[1-9][0-9]*)(\.[0-9]*)?([eE][+-]?[0-9]{1,2})?|\.[0-9]+([eE][+-]?[0-9]{1,2})?|[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]+)?)"
_FLOAT = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,2})?"
_ISO = r" *[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)? *"
_OFFSET = r" *[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?) *"
_DAY = "(0?[1-9]|[12][0-9]|3[01])"
_MON = "(0?[1-9]|1[0-2])"
_DMY = f" *{_DAY}[/-]{_MON}[/-][0-9]{{4}}"
_MDY = f" *{_MON}[/-]{_DAY}[/-][0-9]{{4}}"
_TIME = r"[ T]+[0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)? ?([AaPp][Mm])? *"
_MONTH = r" *[0-9]{1,2}[ -][A-Za-z]{3,9}[ -][0-9]{4}"
_TIMES = (" %H:%M", " %H:%M:%S", " %H:%M:%S.%f", " %I:%M %p", " %I:%M:%S %p", " %I:%M%p", " %I:%M:%S%p")


def _with_times(date_fmt: str) -> str:
    return "[" + ", ".join(f"'{date_fmt}{t}'" for t in _TIMES) + "]"


#: (time shape, strptime format): each time shape gets its own format, so strptime never has to guess
_TIME_SHAPES = (
    (r"[0-9]{1,2}:[0-9]{2}", "%H:%M"),
    (r"[0-9]{1,2}:[0-9]{2}:[0-9]{2}", "%H:%M:%S"),
    (r"[0-9]{1,2}:[0-9]{2}:[0-9]{2}\.[0-9]+", "%H:%M:%S.%f"),
    (r"[0-9]{1,2}:[0-9]{2} ?[AaPp][Mm]", "%I:%M %p"),
    (r"[0-9]{1,2}:[0-9]{2}:[0-9]{2} ?[AaPp][Mm]", "%I:%M:%S %p"),
)
# one space between date and time, and before AM/PM
_NORM_TIME = "regexp_replace(regexp_replace(trim(v), '[ T]+', ' ', 'g'), '([0-9])([AaPp][Mm])', '\\1 \\2')"


def _slash_date(name: str, pattern: str, date_fmt: str) -> str:
    """A macro for nn/nn/yyyy dates (also with dashes, and with a time) in one day/month order."""
    whens = [f"WHEN regexp_full_match(v, '{pattern} *') THEN try_strptime(replace(trim(v), '-', '/'), '{date_fmt}')"]
    for shape, fmt in _TIME_SHAPES:
        whens.append(
            f"WHEN regexp_full_match(v, '{pattern}[ T]+{shape} *') "
            f"THEN try_strptime(replace({_NORM_TIME}, '-', '/'), '{date_fmt} {fmt}')"
        )
    return f"{name}(v) AS CASE " + " ".join(whens) + " END"


_MONTH_FORMATS = "[" + ", ".join(f"'{d}{t}'" for d in ("%d %b %Y", "%d %B %Y") for t in ("",) + _TIMES) + "]"
_POINT_WKT = r"(?i) *POINT\s*\(\s*([^\s()]+)\s+([^\s()]+)\s*\) *"
_POINT_PAIR = r" *\(\s*([^\s(),]+)\s*,\s*([^\s(),]+)\s*\) *"

MACROS = [
    # "is not blank and not a number", without converting: a string the pattern matches always casts
    # "is not blank and not a number", without converting: a string the pattern matches always
    # casts. Plain digit strings (most cells of most number columns) take a shortcut.
    f"""ob_number_bad(v) AS CASE
        WHEN length(v) <= 15 AND ltrim(v, '0123456789') = '' AND NOT (length(v) > 1 AND starts_with(v, '0'))
        THEN false
        ELSE NOT (regexp_full_match(v, ' *({_NUM_NZ})? *')
            AND (length(v) <= 15
                 OR length(trim(regexp_replace(regexp_replace(trim(v), '[eE].*$', ''), '[^0-9]', '', 'g'), '0')) <= 15))
        END""",
    # for cells already known to match the number pattern: a plain cast, commas dropped
    "ob_number_verified(v) AS TRY_CAST(CASE WHEN contains(v, ',') THEN replace(v, ',', '') ELSE v END AS DOUBLE)",
    f"""ob_numeric_bad(v) AS NOT regexp_full_match(v, ' *({_NUM})? *')""",
    f"""ob_number(v) AS CASE WHEN regexp_full_match(v, ' *{_NUM_NZ} *')
        AND (length(v) <= 15
             OR length(trim(regexp_replace(regexp_replace(trim(v), '[eE].*$', ''), '[^0-9]', '', 'g'), '0')) <= 15)
        THEN TRY_CAST(replace(trim(v), ',', '') AS DOUBLE) END""",
    f"""ob_numeric(v) AS CASE WHEN regexp_full_match(v, ' *{_NUM} *')
        THEN TRY_CAST(replace(trim(v), ',', '') AS DOUBLE) END""",
    "ob_checkbox(v) AS CASE lower(trim(v)) WHEN 'true' THEN true WHEN 'false' THEN false END",
    f"""ob_fixed(v) AS CASE WHEN regexp_full_match(v, '{_OFFSET}')
        THEN TRY_CAST(trim(v) AS TIMESTAMPTZ) END""",
    f"ob_iso(v) AS CASE WHEN regexp_full_match(v, '{_ISO}') THEN CAST(TRY_CAST(trim(v) AS TIMESTAMP) AS TIMESTAMP_MS) END",
    # a publisher's fixed_timestamp column may hold local ISO times: those are read as UTC
    "ob_fixed_utc(v) AS coalesce(ob_fixed(v), CAST(ob_iso(v) AS TIMESTAMPTZ))",
    f"""ob_named_month(v) AS CASE WHEN regexp_full_match(v, '{_MONTH}({_TIME})? *')
        THEN try_strptime(regexp_replace(trim(v), '[ T-]+', ' ', 'g'), {_MONTH_FORMATS}) END""",
    _slash_date("ob_dmy_slash", _DMY, "%d/%m/%Y"),
    _slash_date("ob_mdy_slash", _MDY, "%m/%d/%Y"),
    """ob_dmy(v) AS CASE WHEN regexp_matches(v, '^ *[0-9]{4}-') THEN ob_iso(v)
        WHEN regexp_matches(v, '^ *[0-9]{1,2}[/-][0-9]') THEN CAST(ob_dmy_slash(v) AS TIMESTAMP_MS)
        ELSE CAST(ob_named_month(v) AS TIMESTAMP_MS) END""",
    """ob_mdy(v) AS CASE WHEN regexp_matches(v, '^ *[0-9]{4}-') THEN ob_iso(v)
        WHEN regexp_matches(v, '^ *[0-9]{1,2}[/-][0-9]') THEN CAST(ob_mdy_slash(v) AS TIMESTAMP_MS)
        ELSE CAST(ob_named_month(v) AS TIMESTAMP_MS) END""",
    f"""ob_float(v) AS CASE WHEN regexp_full_match(trim(v), '{_FLOAT}') THEN TRY_CAST(trim(v) AS DOUBLE) END""",
    """ob_mkpoint(lon, lat) AS CASE WHEN lon BETWEEN -180 AND 180 AND lat BETWEEN -90 AND 90
        THEN struct_pack(lon := lon, lat := lat) END""",
    f"""ob_point(v) AS CASE
        WHEN regexp_full_match(v, '{_POINT_WKT}') THEN ob_mkpoint(
            ob_float(regexp_extract(trim(v), '{_POINT_WKT}', 1)), ob_float(regexp_extract(trim(v), '{_POINT_WKT}', 2)))
        WHEN regexp_full_match(v, '{_POINT_PAIR}') THEN ob_mkpoint(
            ob_float(regexp_extract(trim(v), '{_POINT_PAIR}', 2)), ob_float(regexp_extract(trim(v), '{_POINT_PAIR}', 1)))
        END""",
    """ob_url(v) AS CASE WHEN regexp_full_match(v, '(?i) *https?://[^\\s]+ *')
        THEN struct_pack(url := trim(v), description := CAST(NULL AS VARCHAR))
        WHEN regexp_matches(v, '^ *[{]') AND json_valid(trim(v))
            AND regexp_full_match(coalesce(json_extract_string(trim(v), '$.url'), ''), '(?i)https?://[^\\s]+')
        THEN struct_pack(url := json_extract_string(trim(v), '$.url'),
            description := json_extract_string(trim(v), '$.description')) END""",
    """ob_location(v) AS CASE
        WHEN ob_point(v) IS NOT NULL THEN struct_pack(latitude := ob_point(v).lat, longitude := ob_point(v).lon,
            human_address := CAST(NULL AS VARCHAR))
        WHEN json_valid(trim(v)) AND starts_with(trim(v), '{') THEN struct_pack(
            latitude := TRY_CAST(json_extract_string(trim(v), '$.latitude') AS DOUBLE),
            longitude := TRY_CAST(json_extract_string(trim(v), '$.longitude') AS DOUBLE),
            human_address := json_extract_string(trim(v), '$.human_address'))
        END""",
]


#: what each kind looks like, as one regular expression: cheap to plan and run,
#: for proposing candidates on a sample (the macros then decide over the whole file)
SHAPES = {
    "checkbox": r"(?i) *(true|false) *",
    "number": f" *{_NUM_NZ} *",
    "fixed": _OFFSET,
    "dmy": f"({_ISO}|{_DMY}( *|{_TIME})|{_MONTH}( *|{_TIME}))",
    "mdy": f"({_ISO}|{_MDY}( *|{_TIME})|{_MONTH}( *|{_TIME}))",
    "point": f"({_POINT_WKT}|{_POINT_PAIR})",
    "url": r"(?i) *https?://[^\s]+ *",
}
#: a date that reads differently day-first and month-first
AMBIGUOUS_DATE = r" *(0?[1-9]|1[0-2])[/-](0?[1-9]|1[0-2])[/-][0-9]{4}.*"


def install(con) -> None:
    for m in MACROS:
        con.execute("CREATE OR REPLACE MACRO " + m)


#: kinds inference tries, in order of preference; a kind is a SoQL type plus,
#: for floating timestamps, the day/month order
INFER_KINDS = ("checkbox", "number", "fixed", "dmy", "mdy", "point", "url")

KIND_TYPE = {
    "checkbox": SoQLType.CHECKBOX,
    "number": SoQLType.NUMBER,
    "numeric": SoQLType.NUMBER,
    "fixed": SoQLType.FIXED_TIMESTAMP,
    "fixed_utc": SoQLType.FIXED_TIMESTAMP,
    "dmy": SoQLType.FLOATING_TIMESTAMP,
    "mdy": SoQLType.FLOATING_TIMESTAMP,
    "point": SoQLType.POINT,
    "url": SoQLType.URL,
    "location": SoQLType.LOCATION,
}

KIND_NOUN = {
    "checkbox": "true/false values",
    "number": "numbers",
    "numeric": "numbers",
    "fixed": "timestamps with a time zone",
    "fixed_utc": "ISO timestamps",
    "dmy": "dates",
    "mdy": "dates",
    "point": "points",
    "url": "web addresses",
    "location": "locations",
}


def kinds_for(t: SoQLType, date_order: str) -> list[str]:
    """The converter kinds that can produce SoQL type ``t`` (text-like types: none)."""
    if t.is_numeric:
        return ["numeric"]
    if t is SoQLType.FLOATING_TIMESTAMP:
        return [date_order, "mdy" if date_order == "dmy" else "dmy"]
    if t is SoQLType.FIXED_TIMESTAMP:
        return ["fixed_utc"]
    for kind, ty in KIND_TYPE.items():
        if ty is t:
            return [kind]
    return []


def convert(kind: str | None, col: str) -> str:
    """SQL for the typed value of quoted column ``col`` (a text cell)."""
    if kind is None:
        return f"NULLIF({col}, '')"
    return f"ob_{kind}({col})"


def blank(col: str) -> str:
    return f"({col} IS NULL OR trim({col}) = '')"
