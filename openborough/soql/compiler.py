"""Typed SoQL -> sqlglot expressions -> SQL for DuckDB or PostgreSQL.

SQL is only ever built as sqlglot expression trees: column names come from
the analysed schema and are quoted identifiers, literal values become
sqlglot literals (escaped by sqlglot) and function names are constants of
this module. ``compile_query`` returns ``CompiledQuery`` with the SQL, its
parameters (always empty: values are inlined as escaped literals so the SQL
is the same text on every run), the output columns and a count query.

Physical types follow ``soql.types``: numbers are doubles; points are
``struct{lon,lat}`` on DuckDB and ``geometry(Point,4326)`` on PostGIS;
other geometries WKB blobs / ``geometry``; url and location structs /
``jsonb``. Runtime conversions that could fail (``'abc'::number``) yield
null instead of an execution error, and so do ``x/0``, ``ln(0)`` and
``sqrt(-1)``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from . import geo_udf, values
from .ast import TypedCall, TypedColumn, TypedExpr, TypedLiteral, TypedQuery
from .errors import TYPE_MISMATCH, UNSUPPORTED, SoQLError
from .functions import ROW_ID
from .types import SYSTEM_ID, SoQLType

S = SoQLType
DIALECTS = ("duckdb", "postgres")
MAX_PAD = 10000  # longest left_pad/right_pad result, so one query cannot build huge strings
EARTH_RADIUS_M = 6371008.8

# time-zone abbreviations PostgreSQL knows and DuckDB's ICU does not: fixed UTC offsets in hours
TZ_ABBREVIATIONS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "AKST": -9,
    "AKDT": -8,
    "HST": -10,
}


def _accent_table() -> tuple[str, str]:
    """Latin letters with diacritics (U+00C0-U+024F, U+1E00-U+1EFF) and their
    base letters, from Unicode decompositions."""
    import unicodedata

    src, dst = [], []
    for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        if base != ch and base.isascii() and base.isalpha():
            src.append(ch)
            dst.append(base)
    return "".join(src), "".join(dst)


_ACCENTED, _UNACCENTED = _accent_table()


@dataclass(frozen=True)
class OutputColumn:
    name: str
    type: Any  # SoQLType, or functions.ROW_ID for :id

    @property
    def type_name(self) -> str:
        return self.type.value


@dataclass
class CompiledQuery:
    sql: str
    params: list = field(default_factory=list)
    columns: list[OutputColumn] = field(default_factory=list)
    count_sql: str = ""
    count_params: list = field(default_factory=list)
    expression: exp.Expression | None = None


def _fn(name: str, *args: exp.Expression) -> exp.Expression:
    """A call of a fixed (module constant) SQL function name."""
    return exp.Anonymous(this=name, expressions=list(args))


def _num(v: float | int) -> exp.Expression:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        v = int(v)
    lit = exp.Literal.number(repr(abs(v)) if isinstance(v, float) else str(abs(v)))
    return exp.Neg(this=lit) if v < 0 else lit


def _case(*pairs, default=None) -> exp.Case:
    c = exp.Case()
    for cond, val in pairs:
        c = c.when(cond, val)
    if default is not None:
        c = c.else_(default)
    return c


def _paren(e: exp.Expression) -> exp.Expression:
    return exp.Paren(this=e)


class Compiler:
    def __init__(self, dialect: str, case_insensitive: bool = False):
        if dialect not in DIALECTS:
            raise ValueError(f"unknown SoQL dialect {dialect!r}; expected one of {DIALECTS}")
        self.dialect = dialect
        self.pg = dialect == "postgres"
        self.case_insensitive = case_insensitive
        self.upper_text = False  # case-insensitive mode inside WHERE/GROUP/ORDER/HAVING

    # -- types -------------------------------------------------------------------
    def dtype(self, t) -> str:
        if t in (S.TEXT, S.BLOB):
            return "text"
        if t is not None and t.is_numeric:
            return "double"
        return {
            S.CHECKBOX: "boolean",
            S.FLOATING_TIMESTAMP: "timestamp",
            S.FIXED_TIMESTAMP: "timestamptz",
            ROW_ID: "bigint",
        }.get(t, "text")

    def cast(self, e: exp.Expression, t) -> exp.Expression:
        return exp.Cast(this=e, to=exp.DataType.build(self.dtype(t), dialect=self.dialect))

    # -- literals ----------------------------------------------------------------
    def literal(self, lit: TypedLiteral) -> exp.Expression:
        v, t = lit.value, lit.type
        if v is None:
            if t is None or t.is_geometry or t in (S.URL, S.LOCATION):
                return exp.Null()
            return self.cast(exp.Null(), t)
        if t in (S.TEXT, S.BLOB):
            e = exp.Literal.string(v)
            return exp.Upper(this=e) if self.upper_text else e
        if t is ROW_ID:
            return _num(int(v))
        if t.is_numeric:
            return self.cast(_num(v), t)
        if t is S.CHECKBOX:
            return exp.Boolean(this=bool(v))
        if t is S.FLOATING_TIMESTAMP:
            return self.cast(exp.Literal.string(v.strftime("%Y-%m-%d %H:%M:%S.%f")), t)
        if t is S.FIXED_TIMESTAMP:
            return self.cast(exp.Literal.string(v.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")), t)
        if t is S.POINT:
            return self.point(_num(v["lon"]), _num(v["lat"]))
        if t.is_geometry:
            hexed = exp.Literal.string(bytes(v).hex())
            if self.pg:
                return _fn(
                    "ST_SetSRID",
                    _fn("ST_GeomFromWKB", _fn("decode", hexed, exp.Literal.string("hex"))),
                    exp.Literal.number(4326),
                )
            return _fn("from_hex", hexed)
        if t in (S.URL, S.LOCATION):
            if self.pg:
                clean = {k: x for k, x in v.items() if x is not None}
                return exp.Cast(this=exp.Literal.string(json.dumps(clean)), to=exp.DataType.build("jsonb"))
            return self.struct(v, t)
        raise SoQLError(UNSUPPORTED, f"cannot use a {t.value} literal here")  # pragma: no cover

    def struct(self, v: dict, t) -> exp.Expression:
        items = []
        for k, x in v.items():
            if x is None:
                val = self.cast(exp.Null(), S.NUMBER if k in ("latitude", "longitude") else S.TEXT)
            elif isinstance(x, str):
                val = exp.Literal.string(x)
            else:
                val = self.cast(_num(x), S.NUMBER)
            items.append(exp.PropertyEQ(this=exp.to_identifier(k), expression=val))
        return exp.Struct(expressions=items)

    def point(self, lon: exp.Expression, lat: exp.Expression) -> exp.Expression:
        if self.pg:
            return _fn("ST_SetSRID", _fn("ST_MakePoint", lon, lat), exp.Literal.number(4326))
        return exp.Struct(
            expressions=[
                exp.PropertyEQ(this=exp.to_identifier("lon"), expression=self.cast(lon, S.NUMBER)),
                exp.PropertyEQ(this=exp.to_identifier("lat"), expression=self.cast(lat, S.NUMBER)),
            ]
        )

    # -- expressions -------------------------------------------------------------
    def column(self, c: TypedColumn) -> exp.Expression:
        e = exp.Column(this=exp.Identifier(this=c.name, quoted=True))
        if self.upper_text and c.type is S.TEXT:
            return exp.Upper(this=e)
        return e

    def expr(self, e: TypedExpr) -> exp.Expression:
        """Typed expression -> sqlglot expression."""
        if isinstance(e, TypedLiteral):
            return self.literal(e)
        if isinstance(e, TypedColumn):
            return self.column(e)
        method = getattr(self, "f_" + _method_name(e.function), None)
        if method is None:  # pragma: no cover - every catalogue entry has a method
            raise SoQLError(UNSUPPORTED, f"{e.function} is not supported on {self.dialect}")
        return method(e, *[self.expr(a) for a in e.args])

    # field access on compound values
    def sub(self, base: exp.Expression, t, name: str) -> exp.Expression:
        if t is S.POINT:
            if self.pg:
                return _fn("ST_Y" if name == "latitude" else "ST_X", base)
            return exp.Bracket(this=base, expressions=[exp.Literal.string("lat" if name == "latitude" else "lon")])
        if self.pg:
            text = _fn("jsonb_extract_path_text", base, exp.Literal.string(name))
            return self.cast(text, S.NUMBER) if name in ("latitude", "longitude") else text
        return exp.Bracket(this=base, expressions=[exp.Literal.string(name)])

    def f_subfield(self, e, base, _name):
        out = self.sub(base, e.args[0].type, e.args[1].value)
        if self.upper_text and e.type is S.TEXT:
            return exp.Upper(this=out)
        return out

    # operators
    def f_op_eq(self, e, a, b):
        t = e.args[0].type
        if t in (S.URL, S.LOCATION):
            return self.compound_eq(e, a, b)
        return exp.EQ(this=a, expression=b)

    def compound_eq(self, e, a, b):
        lit = next((x for x in e.args if isinstance(x, TypedLiteral) and x.value is not None), None)
        col = a if lit is e.args[1] else b
        if lit is None:
            return exp.EQ(this=a, expression=b)
        conds = []
        for k, v in lit.value.items():
            if v is None:
                continue
            kind = S.NUMBER if k in ("latitude", "longitude") else S.TEXT
            val = self.cast(_num(v), S.NUMBER) if kind is S.NUMBER else exp.Literal.string(v)
            conds.append(exp.EQ(this=self.sub(col, e.args[0].type, k), expression=val))
        if not conds:
            return exp.Is(this=col, expression=exp.Not(this=exp.Null()))
        return exp.and_(*conds)

    def f_op_ne(self, e, a, b):
        return exp.Not(this=_paren(self.f_op_eq(e, a, b)))

    def f_op_lt(self, e, a, b):
        return exp.LT(this=a, expression=b)

    def f_op_le(self, e, a, b):
        return exp.LTE(this=a, expression=b)

    def f_op_gt(self, e, a, b):
        return exp.GT(this=a, expression=b)

    def f_op_ge(self, e, a, b):
        return exp.GTE(this=a, expression=b)

    def f_op_plus(self, e, a, b):
        return exp.Add(this=a, expression=b)

    def f_op_minus(self, e, a, b):
        return exp.Sub(this=a, expression=b)

    def f_op_times(self, e, a, b):
        return exp.Mul(this=a, expression=b)

    def f_op_div(self, e, a, b):
        return exp.Div(this=a, expression=exp.Nullif(this=b, expression=self.cast(_num(0), S.NUMBER)))

    def f_op_mod(self, e, a, b):
        b = exp.Nullif(this=b, expression=self.cast(_num(0), S.NUMBER))
        return exp.Sub(this=a, expression=exp.Mul(this=b, expression=_fn("trunc", exp.Div(this=a, expression=b))))

    def f_op_pow(self, e, a, b):
        return exp.Pow(this=a, expression=b)

    def f_op_neg(self, e, a):
        return exp.Neg(this=_paren(a))

    def f_op_pos(self, e, a):
        return a

    def f_op_concat(self, e, a, b):
        parts = [self.to_text(x, t.type) for x, t in zip((a, b), e.args, strict=False)]
        return exp.DPipe(this=parts[0], expression=parts[1], safe=True)

    def f_op_and(self, e, a, b):
        return exp.And(this=a, expression=b)

    def f_op_or(self, e, a, b):
        return _paren(exp.Or(this=a, expression=b))

    def f_op_not(self, e, a):
        return exp.Not(this=_paren(a))

    def f_is_null(self, e, a):
        return exp.Is(this=a, expression=exp.Null())

    def f_is_not_null(self, e, a):
        return exp.Not(this=exp.Is(this=a, expression=exp.Null()))

    def f_between(self, e, a, lo, hi):
        return exp.Between(this=a, low=lo, high=hi)

    def f_not_between(self, e, a, lo, hi):
        return exp.Not(this=_paren(exp.Between(this=a, low=lo, high=hi)))

    def f_in(self, e, a, *items):
        if e.args[0].type in (S.URL, S.LOCATION):
            return _paren(
                exp.or_(
                    *[
                        self.compound_eq(TypedCall("op$=", (e.args[0], x), S.CHECKBOX), a, i)
                        for x, i in zip(e.args[1:], items, strict=False)
                    ]
                )
            )
        return exp.In(this=a, expressions=list(items))

    def f_not_in(self, e, a, *items):
        return exp.Not(this=_paren(self.f_in(e, a, *items)))

    def f_like(self, e, a, p):
        return exp.Like(this=a, expression=p)

    def f_not_like(self, e, a, p):
        return exp.Not(this=exp.Like(this=a, expression=p))

    # text
    def to_text(self, x: exp.Expression, t) -> exp.Expression:
        if t in (S.TEXT, S.BLOB, None):
            return x
        if t is not None and t.is_numeric:
            if self.pg:
                return self.cast(x, S.TEXT)
            return _case(
                (
                    exp.and_(
                        exp.EQ(this=x, expression=_fn("trunc", x)),
                        exp.LT(this=exp.Abs(this=x), expression=exp.Literal.number("1e15")),
                    ),
                    self.cast(exp.Cast(this=x, to=exp.DataType.build("bigint")), S.TEXT),
                ),
                default=self.cast(x, S.TEXT),
            )
        if t is S.FLOATING_TIMESTAMP:
            return self.format_ts(x)
        if t is S.FIXED_TIMESTAMP:
            return exp.DPipe(this=self.format_ts(self.utc(x)), expression=exp.Literal.string("Z"), safe=True)
        if t is ROW_ID:
            return exp.DPipe(this=exp.Literal.string("row-"), expression=self.cast(x, S.TEXT), safe=True)
        if t is not None and t.is_geometry:
            return self.geo_text(x, t)
        if t in (S.URL,):
            return self.sub(x, t, "url")
        return self.cast(x, S.TEXT)

    def format_ts(self, x):
        if self.pg:
            return _fn("to_char", x, exp.Literal.string('YYYY-MM-DD"T"HH24:MI:SS.MS'))
        return _fn("strftime", x, exp.Literal.string("%Y-%m-%dT%H:%M:%S.%g"))

    def utc(self, x):
        """A fixed timestamp as the naive UTC timestamp."""
        if self.pg:
            return exp.AtTimeZone(this=x, zone=exp.Literal.string("UTC"))
        return _fn("timezone", exp.Literal.string("UTC"), x)

    def f_upper(self, e, a):
        return exp.Upper(this=a)

    def f_lower(self, e, a):
        return exp.Lower(this=a)

    def f_unaccent(self, e, a):
        # the same translate() table on both backends (no PostgreSQL extension needed)
        return _fn("translate", a, exp.Literal.string(_ACCENTED), exp.Literal.string(_UNACCENTED))

    def f_trim(self, e, a):
        return exp.Trim(this=a)

    def f_ltrim(self, e, a):
        return _fn("ltrim", a)

    def f_rtrim(self, e, a):
        return _fn("rtrim", a)

    def f_length(self, e, a):
        return self.cast(exp.Length(this=a), S.NUMBER)

    def f_starts_with(self, e, a, b):
        return exp.EQ(this=_fn("strpos", a, b), expression=exp.Literal.number(1))

    def f_contains(self, e, a, b):
        return exp.GT(this=_fn("strpos", a, b), expression=exp.Literal.number(0))

    def f_caseless_eq(self, e, a, b):
        return exp.EQ(this=exp.Upper(this=a), expression=exp.Upper(this=b))

    def f_caseless_ne(self, e, a, b):
        return exp.NEQ(this=exp.Upper(this=a), expression=exp.Upper(this=b))

    def f_caseless_starts_with(self, e, a, b):
        return self.f_starts_with(e, exp.Upper(this=a), exp.Upper(this=b))

    def f_caseless_contains(self, e, a, b):
        return self.f_contains(e, exp.Upper(this=a), exp.Upper(this=b))

    def f_caseless_one_of(self, e, a, *items):
        return exp.In(this=exp.Upper(this=a), expressions=[exp.Upper(this=i) for i in items])

    def f_caseless_not_one_of(self, e, a, *items):
        return exp.Not(this=_paren(self.f_caseless_one_of(e, a, *items)))

    def int_(self, x, lo: int = -(2**31) + 1, hi: int = 2**31 - 1):
        """A number as an SQL integer, clamped to [lo, hi] so the cast cannot fail."""
        clamped = exp.Greatest(this=exp.Least(this=_fn("round", x), expressions=[_num(hi)]), expressions=[_num(lo)])
        return exp.Cast(this=clamped, to=exp.DataType.build("int"))

    def f_substring(self, e, s, start, length=None):
        args = [s, self.int_(start)] + ([self.int_(length, 0)] if length is not None else [])
        return _fn("substr", *args)

    def f_split_part(self, e, s, d, n):
        return _case((exp.GTE(this=n, expression=_num(1)), _fn("split_part", s, d, self.int_(n, 1))))

    def f_replace(self, e, s, a, b):
        return _fn("replace", s, a, b)

    def f_left_pad(self, e, s, n, fill):
        return _fn("lpad", s, self.int_(n, 0, MAX_PAD), fill)

    def f_right_pad(self, e, s, n, fill):
        return _fn("rpad", s, self.int_(n, 0, MAX_PAD), fill)

    def f_chr(self, e, n):
        ok = exp.and_(
            exp.Between(this=n, low=_num(1), high=_num(0x10FFFF)),
            exp.Not(this=exp.Between(this=n, low=_num(0xD800), high=_num(0xDFFF))),
        )
        return _case((ok, _fn("chr", self.int_(n, 1, 0x10FFFF))))

    # conditionals
    def f_case(self, e, *args):
        return _case(*zip(args[0::2], args[1::2], strict=False))

    def f_iif(self, e, c, a, b):
        return _case((c, a), default=b)

    def f_coalesce(self, e, *args):
        return exp.Coalesce(this=args[0], expressions=list(args[1:]))

    def f_nullif(self, e, a, b):
        return exp.Nullif(this=a, expression=b)

    def f_greatest(self, e, *args):
        return exp.Greatest(this=args[0], expressions=list(args[1:]))

    def f_least(self, e, *args):
        return exp.Least(this=args[0], expressions=list(args[1:]))

    # numbers
    def f_abs(self, e, a):
        return exp.Abs(this=a)

    def f_ceiling(self, e, a):
        return exp.Ceil(this=a)

    def f_floor(self, e, a):
        return exp.Floor(this=a)

    def f_ln(self, e, a):
        return _case((exp.GT(this=a, expression=_num(0)), exp.Ln(this=a)))

    def f_sqrt(self, e, a):
        return _case((exp.GTE(this=a, expression=_num(0)), exp.Sqrt(this=a)))

    def f_exp(self, e, a):
        return _case((exp.LT(this=a, expression=_num(700)), exp.Exp(this=a)))

    def f_round(self, e, a, digits=None):
        digits = self.int_(digits, -300, 300) if digits is not None else exp.Literal.number(0)
        if self.pg:
            return self.cast(_fn("round", exp.Cast(this=a, to=exp.DataType.build("numeric")), digits), S.NUMBER)
        return _fn("round", a, digits)

    def f_signed_magnitude_10(self, e, a):
        mag = _case(
            (exp.LT(this=exp.Abs(this=a), expression=_num(1)), _num(1)),
            default=exp.Add(this=exp.Floor(this=_fn("log10", exp.Abs(this=a))), expression=_num(1)),
        )
        return self.cast(exp.Mul(this=_fn("sign", a), expression=mag), S.NUMBER)

    def f_signed_magnitude_linear(self, e, a, w):
        return self.cast(
            _case(
                (exp.EQ(this=w, expression=_num(1)), exp.Floor(this=a)),
                default=exp.Mul(
                    this=_fn("sign", a),
                    expression=exp.Floor(
                        this=exp.Add(
                            this=exp.Div(this=exp.Abs(this=a), expression=exp.Nullif(this=w, expression=_num(0))),
                            expression=_num(1),
                        )
                    ),
                ),
            ),
            S.NUMBER,
        )

    # aggregates
    def f_count(self, e, *args):
        if e.star:
            return exp.Count(this=exp.Star())
        if e.distinct:
            return exp.Count(this=exp.Distinct(expressions=[args[0]]))
        return exp.Count(this=args[0])

    def f_count_distinct(self, e, a):
        return exp.Count(this=exp.Distinct(expressions=[a]))

    def f_sum(self, e, a):
        return exp.Sum(this=a)

    def f_avg(self, e, a):
        return exp.Avg(this=a)

    def f_min(self, e, a):
        if self.pg and e.type is S.CHECKBOX:
            return _fn("bool_and", a)
        return exp.Min(this=a)

    def f_max(self, e, a):
        if self.pg and e.type is S.CHECKBOX:
            return _fn("bool_or", a)
        return exp.Max(this=a)

    def f_median(self, e, a):
        cont = e.type.is_numeric
        if self.pg:
            fn = _fn("percentile_cont" if cont else "percentile_disc", exp.Literal.number("0.5"))
            return exp.WithinGroup(this=fn, expression=exp.Order(expressions=[exp.Ordered(this=a)]))
        return _fn("quantile_cont" if cont else "quantile_disc", a, exp.Literal.number("0.5"))

    def f_stddev_pop(self, e, a):
        return exp.StddevPop(this=a)

    def f_stddev_samp(self, e, a):
        return exp.StddevSamp(this=a)

    def f_regr_slope(self, e, y, x):
        return _fn("regr_slope", y, x)

    def f_regr_intercept(self, e, y, x):
        return _fn("regr_intercept", y, x)

    def f_regr_r2(self, e, y, x):
        return _fn("regr_r2", y, x)

    # time
    def tz_local(self, x: exp.Expression, tz_arg: TypedExpr) -> exp.Expression:
        """A fixed timestamp as the naive local time in a literal time zone."""
        if not isinstance(tz_arg, TypedLiteral) or not isinstance(tz_arg.value, str):
            raise SoQLError(TYPE_MISMATCH, "The time zone must be a text literal")
        zone = tz_arg.value.strip()
        if zone.upper() in TZ_ABBREVIATIONS:
            hours = TZ_ABBREVIATIONS[zone.upper()]
            shift = exp.Interval(this=exp.Literal.string(str(hours)), unit=exp.var("HOUR"))
            return exp.Add(this=self.utc(x), expression=shift)
        import zoneinfo

        if zone not in zoneinfo.available_timezones():
            raise SoQLError(TYPE_MISMATCH, f"Unknown time zone {zone!r}")
        if self.pg:
            return exp.AtTimeZone(this=x, zone=exp.Literal.string(zone))
        return _fn("timezone", exp.Literal.string(zone), x)

    def trunc(self, unit: str, e, a, tz=None):
        if tz is not None:
            a = self.tz_local(a, e.args[1])
        return _fn("date_trunc", exp.Literal.string(unit), a)

    def f_date_trunc_y(self, e, a, tz=None):
        return self.trunc("year", e, a, tz)

    def f_date_trunc_ym(self, e, a, tz=None):
        return self.trunc("month", e, a, tz)

    def f_date_trunc_ymd(self, e, a, tz=None):
        return self.trunc("day", e, a, tz)

    def ztrunc(self, unit, a):
        t = _fn("date_trunc", exp.Literal.string(unit), self.utc(a))
        if self.pg:
            return exp.AtTimeZone(this=t, zone=exp.Literal.string("UTC"))
        return self.cast(
            exp.DPipe(this=self.cast(t, S.TEXT), expression=exp.Literal.string("+00"), safe=True), S.FIXED_TIMESTAMP
        )

    def f_datez_trunc_y(self, e, a):
        return self.ztrunc("year", a)

    def f_datez_trunc_ym(self, e, a):
        return self.ztrunc("month", a)

    def f_datez_trunc_ymd(self, e, a):
        return self.ztrunc("day", a)

    def extract(self, part: str, e, a):
        if e.args[0].type is S.FIXED_TIMESTAMP:
            a = self.utc(a)
        if part == "second":
            if self.pg:
                return self.cast(exp.Extract(this=exp.var("second"), expression=a), S.NUMBER)
            return exp.Div(
                this=self.cast(_fn("date_part", exp.Literal.string("microseconds"), a), S.NUMBER),
                expression=exp.Literal.number("1000000.0"),
            )
        if self.pg:
            return self.cast(exp.Extract(this=exp.var(part), expression=a), S.NUMBER)
        return self.cast(_fn("date_part", exp.Literal.string(part), a), S.NUMBER)

    def f_date_extract_y(self, e, a):
        return self.extract("year", e, a)

    def f_date_extract_m(self, e, a):
        return self.extract("month", e, a)

    def f_date_extract_d(self, e, a):
        return self.extract("day", e, a)

    def f_date_extract_hh(self, e, a):
        return self.extract("hour", e, a)

    def f_date_extract_mm(self, e, a):
        return self.extract("minute", e, a)

    def f_date_extract_ss(self, e, a):
        return self.extract("second", e, a)

    def f_date_extract_dow(self, e, a):
        return self.extract("dow", e, a)

    def f_date_extract_woy(self, e, a):
        return self.extract("week", e, a)

    def f_date_extract_iso_y(self, e, a):
        return self.extract("isoyear", e, a)

    def epoch(self, a):
        if self.pg:
            return self.cast(exp.Extract(this=exp.var("epoch"), expression=a), S.NUMBER)
        return _fn("epoch", a)

    def f_date_diff_d(self, e, a, b):
        diff = exp.Sub(this=self.epoch(a), expression=self.epoch(b))
        return self.cast(_fn("trunc", exp.Div(this=diff, expression=exp.Literal.number("86400.0"))), S.NUMBER)

    def f_to_floating_timestamp(self, e, a, tz):
        return self.tz_local(a, e.args[1])

    def f_epoch_seconds(self, e, a):
        return self.epoch(a)

    # casts
    def f_cast(self, e, a):
        src, dst = e.args[0].type, e.type
        if dst is S.TEXT:
            return self.to_text(a, src)
        if src is S.TEXT:
            if dst.is_numeric:
                if self.pg:
                    ok = exp.RegexpLike(
                        this=a,
                        expression=exp.Literal.string(
                            r"^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,3})?\s*$"
                        ),
                    )
                    return _case((ok, self.cast(a, dst)))
                return exp.TryCast(this=a, to=exp.DataType.build("double"))
            if dst is S.CHECKBOX:
                low = exp.Lower(this=exp.Trim(this=a))
                return _case(
                    (
                        exp.In(this=low, expressions=[exp.Literal.string("true"), exp.Literal.string("1")]),
                        exp.Boolean(this=True),
                    ),
                    (
                        exp.In(this=low, expressions=[exp.Literal.string("false"), exp.Literal.string("0")]),
                        exp.Boolean(this=False),
                    ),
                )
            if dst in (S.FLOATING_TIMESTAMP, S.FIXED_TIMESTAMP):
                if self.pg:
                    ok = exp.RegexpLike(
                        this=a,
                        expression=exp.Literal.string(
                            r"^\d{4}-\d{2}-\d{2}([T ]\d{2}(:\d{2}(:\d{2}(\.\d{1,6})?)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$"
                        ),
                    )
                    return _case((ok, self.cast(a, dst)))
                return exp.TryCast(this=a, to=exp.DataType.build(self.dtype(dst)))
        if src.is_numeric and dst.is_numeric:
            return a
        if src is S.LOCATION and dst is S.POINT:
            lon, lat = self.lonlat(e.args[0], a)
            if self.pg:
                return self.point(lon, lat)
            return _case(
                (
                    exp.and_(
                        exp.Not(this=exp.Is(this=lon, expression=exp.Null())),
                        exp.Not(this=exp.Is(this=lat, expression=exp.Null())),
                    ),
                    self.point(lon, lat),
                )
            )
        raise SoQLError(TYPE_MISMATCH, f"Cannot convert {src.value} to {dst.value} here")

    # geometry
    def lonlat(self, e: TypedExpr, x: exp.Expression):
        if e.type is S.LOCATION:
            return self.sub(x, S.LOCATION, "longitude"), self.sub(x, S.LOCATION, "latitude")
        return self.sub(x, S.POINT, "longitude"), self.sub(x, S.POINT, "latitude")

    def haversine(self, lon1, lat1, lon2, lat2) -> exp.Expression:
        def rad(v):
            return _fn("radians", v)

        def sin2(v):
            return exp.Pow(this=_fn("sin", exp.Div(this=v, expression=_num(2))), expression=_num(2))

        a = exp.Add(
            this=sin2(exp.Sub(this=rad(lat2), expression=rad(lat1))),
            expression=exp.Mul(
                this=exp.Mul(this=_fn("cos", rad(lat1)), expression=_fn("cos", rad(lat2))),
                expression=sin2(exp.Sub(this=rad(lon2), expression=rad(lon1))),
            ),
        )
        a = exp.Least(this=_num(1), expressions=[a])
        return exp.Mul(this=exp.Literal.number(repr(2 * EARTH_RADIUS_M)), expression=_fn("asin", exp.Sqrt(this=a)))

    def geography(self, x):
        return exp.Cast(this=x, to=exp.DataType.build("geography", dialect="postgres"))

    def circle_box(self, e) -> tuple[float, float, float, float] | None:
        """(min lon, min lat, max lon, max lat) surely containing a literal circle, or None."""
        import math

        _, lat, lon, radius = e.args
        if not all(isinstance(a, TypedLiteral) and isinstance(a.value, float) for a in (lat, lon, radius)):
            return None
        la, lo, r = lat.value, lon.value, max(radius.value, 0.0)
        dlat = r / 110_000.0 * 1.01 + 1e-9  # a degree of latitude is at least 110.5 km
        if abs(la) + dlat >= 89.0:
            return None
        dlon = dlat / math.cos(math.radians(abs(la) + dlat))
        if dlon >= 179.0:
            return None
        return lo - dlon, la - dlat, lo + dlon, la + dlat

    def envelope_filter(self, e, g, box) -> exp.Expression:
        minx, miny, maxx, maxy = (self.cast(_num(v), S.NUMBER) for v in box)
        if self.pg and e.args[0].type is S.POINT:  # served by the GiST index on the column
            env = _fn("ST_MakeEnvelope", minx, miny, maxx, maxy, exp.Literal.number(4326))
            return exp.ArrayOverlaps(this=g, expression=env)  # PostGIS && (bounding boxes overlap)
        glon, glat = self.lonlat(e.args[0], g)
        return exp.and_(exp.Between(this=glon, low=minx, high=maxx), exp.Between(this=glat, low=miny, high=maxy))

    def f_within_circle(self, e, g, lat, lon, radius):
        if self.pg and e.args[0].type is S.POINT:
            test = _fn("ST_DWithin", self.geography(g), self.geography(self.point(lon, lat)), radius)
        else:
            glon, glat = self.lonlat(e.args[0], g)
            if self.pg:
                test = _fn(
                    "ST_DWithin", self.geography(self.point(glon, glat)), self.geography(self.point(lon, lat)), radius
                )
            else:
                test = exp.LTE(this=self.haversine(glon, glat, lon, lat), expression=radius)
        box = self.circle_box(e)
        if box is None:
            return test
        return _paren(exp.and_(self.envelope_filter(e, g.copy(), box), test))

    def f_within_box(self, e, g, nw_lat, nw_lon, se_lat, se_lon):
        if self.pg and e.args[0].type is S.POINT:  # index-assisted; the envelope orders its corners
            env = _fn("ST_MakeEnvelope", nw_lon, nw_lat, se_lon, se_lat, exp.Literal.number(4326))
            return exp.ArrayOverlaps(this=g, expression=env)
        glon, glat = self.lonlat(e.args[0], g)

        # corners in either order, as PostGIS's envelope normalises them
        def between(v, a, b):
            return exp.Between(
                this=v, low=exp.Least(this=a, expressions=[b.copy()]), high=exp.Greatest(this=a.copy(), expressions=[b])
            )

        return _paren(exp.and_(between(glat, se_lat, nw_lat), between(glon, nw_lon, se_lon)))

    def f_distance_in_meters(self, e, a, b):
        if self.pg:
            return _fn("ST_Distance", self.geography(a), self.geography(b))
        if e.args[0].type is not S.POINT or e.args[1].type is not S.POINT:
            return self.geo_udf_call(geo_udf.DISTANCE, e, a, b)
        alon, alat = self.lonlat(e.args[0], a)
        blon, blat = self.lonlat(e.args[1], b)
        return self.haversine(alon, alat, blon, blat)

    def wkb(self, x: exp.Expression, t) -> exp.Expression:
        """DuckDB: any geometry value as WKB for the shapely-backed functions."""
        if t is S.POINT:
            lon, lat = self.lonlat(TypedLiteral(None, S.POINT), x)
            return _fn(geo_udf.POINT_WKB, lon, lat)
        return x

    def from_wkb(self, x: exp.Expression, t) -> exp.Expression:
        if t is S.POINT:
            return _fn(geo_udf.WKB_POINT, x)
        return x

    def geo_text(self, x, t):
        if self.pg:
            return _fn("ST_AsText", x)
        return _fn(geo_udf.WKT, self.wkb(x, t))

    def geo_udf_call(self, name: str, e, *args) -> exp.Expression:
        return _fn(
            name,
            *[
                self.wkb(a, t.type) if t.type is not None and t.type.is_geometry else a
                for a, t in zip(args, e.args, strict=False)
            ],
        )

    def bbox_prefilter(self, e, test: exp.Expression) -> exp.Expression:
        """DuckDB: a point column tested against a literal geometry is first
        filtered by the literal's bounding box in SQL, so the shapely UDF only
        sees candidate rows."""
        col, lit = e.args
        if col.type is not S.POINT or not isinstance(lit, TypedLiteral) or lit.value is None:
            return test
        import shapely

        g = shapely.from_wkb(bytes(lit.value)) if isinstance(lit.value, bytes | bytearray) else None
        if g is None or g.is_empty:
            return test
        minx, miny, maxx, maxy = g.bounds
        lon, lat = self.lonlat(col, self.expr(col))
        box = exp.and_(
            exp.Between(this=lon, low=self.cast(_num(minx), S.NUMBER), high=self.cast(_num(maxx), S.NUMBER)),
            exp.Between(this=lat, low=self.cast(_num(miny), S.NUMBER), high=self.cast(_num(maxy), S.NUMBER)),
        )
        return _paren(exp.and_(box, test))

    def point_test(self, e, name: str, point_name: str, a, b) -> exp.Expression:
        """DuckDB: a point column against a geometry uses the vectorised UDF."""
        if e.args[0].type is S.POINT and e.args[1].type is not S.POINT:
            lon, lat = self.lonlat(e.args[0], a)
            return self.bbox_prefilter(e, _fn(point_name, lon, lat, self.wkb(b, e.args[1].type)))
        return self.bbox_prefilter(e, self.geo_udf_call(name, e, a, b))

    def f_within_polygon(self, e, g, poly):
        if self.pg:
            return _fn("ST_Within", g, poly)
        return self.point_test(e, geo_udf.WITHIN, geo_udf.POINT_WITHIN, g, poly)

    def f_intersects(self, e, a, b):
        if self.pg:
            return _fn("ST_Intersects", a, b)
        return self.point_test(e, geo_udf.INTERSECTS, geo_udf.POINT_INTERSECTS, a, b)

    def f_num_points(self, e, g):
        if self.pg:
            return self.cast(_fn("ST_NPoints", g), S.NUMBER)
        return self.geo_udf_call(geo_udf.NUM_POINTS, e, g)

    def f_is_empty(self, e, g):
        # a geometry that simplifies away is null on PostGIS; Socrata counts it as empty
        if self.pg:
            inner = _fn("ST_IsEmpty", g)
        else:
            inner = self.geo_udf_call(geo_udf.IS_EMPTY, e, g)
        return exp.Coalesce(this=inner, expressions=[exp.Boolean(this=True)])

    def keep_multi(self, e, g):
        if self.pg and e.type.value.startswith("multi"):
            return _fn("ST_Multi", g)
        return g

    def f_simplify(self, e, g, tol):
        if self.pg:
            return self.keep_multi(e, _fn("ST_Simplify", g, tol))
        return self.from_wkb(self.geo_udf_call(geo_udf.SIMPLIFY, e, g, tol), e.type)

    def f_simplify_preserve_topology(self, e, g, tol):
        if self.pg:
            return self.keep_multi(e, _fn("ST_SimplifyPreserveTopology", g, tol))
        return self.from_wkb(self.geo_udf_call(geo_udf.SIMPLIFY_PT, e, g, tol), e.type)

    def f_snap_to_grid(self, e, g, size):
        if self.pg:
            return self.keep_multi(e, _fn("ST_SnapToGrid", g, size))
        return self.from_wkb(self.geo_udf_call(geo_udf.SNAP, e, g, size), e.type)

    def f_convex_hull(self, e, g):
        if self.pg:
            return _fn("ST_Multi", _fn("ST_ConvexHull", _fn("ST_Collect", g)))
        return _fn(geo_udf.CONVEX_HULL, exp.ArrayAgg(this=self.wkb(g, e.args[0].type)))

    def f_convex_hull_of(self, e, g):
        if self.pg:
            return _fn("ST_Multi", _fn("ST_ConvexHull", g))
        return _fn(geo_udf.CONVEX_HULL, exp.Array(expressions=[self.wkb(g, e.args[0].type)]))

    def f_spatial_union(self, e, g):
        if self.pg:
            return _fn("ST_Multi", _fn("ST_Union", g))
        return _fn(geo_udf.UNION, exp.ArrayAgg(this=self.wkb(g, e.args[0].type)))

    def f_concave_hull(self, e, g, ratio):
        if self.pg:
            return _fn("ST_Multi", _fn("ST_ConcaveHull", g, ratio))
        return self.geo_udf_call(geo_udf.CONCAVE_HULL, e, g, ratio)

    def f_extent(self, e, g):
        if self.pg:
            return _fn("ST_Multi", _fn("ST_SetSRID", _fn("ST_Extent", g), exp.Literal.number(4326)))
        return _fn(geo_udf.EXTENT, exp.ArrayAgg(this=self.wkb(g, e.args[0].type)))

    def f_geo_multi(self, e, g):
        if self.pg:
            return _fn("ST_Multi", g)
        return _fn(geo_udf.MULTI, self.wkb(g, e.args[0].type))

    # compound types
    def f_location_latitude(self, e, x):
        return self.sub(x, S.LOCATION, "latitude")

    def f_location_longitude(self, e, x):
        return self.sub(x, S.LOCATION, "longitude")

    def f_location_human_address(self, e, x):
        return self.sub(x, S.LOCATION, "human_address")

    def json_text(self, x):
        j = self.cast(_fn("to_json", self.cast(x, S.TEXT)), S.TEXT)
        return exp.Coalesce(this=j, expressions=[exp.Literal.string("null")])

    def f_location(self, e, point, address, city, state, zip_):
        parts = [exp.Literal.string("{")]
        for i, (k, v) in enumerate((("address", address), ("city", city), ("state", state), ("zip", zip_))):
            parts.append(exp.Literal.string(("" if i == 0 else ", ") + json.dumps(k) + ": "))
            parts.append(self.json_text(v))
        parts.append(exp.Literal.string("}"))
        human = parts[0]
        for p in parts[1:]:
            human = exp.DPipe(this=human, expression=p, safe=True)
        lon, lat = self.lonlat(e.args[0], point)
        if self.pg:
            return _fn(
                "jsonb_strip_nulls",
                _fn(
                    "jsonb_build_object",
                    exp.Literal.string("latitude"),
                    lat,
                    exp.Literal.string("longitude"),
                    lon,
                    exp.Literal.string("human_address"),
                    human,
                ),
            )
        return exp.Struct(
            expressions=[
                exp.PropertyEQ(this=exp.to_identifier("latitude"), expression=lat),
                exp.PropertyEQ(this=exp.to_identifier("longitude"), expression=lon),
                exp.PropertyEQ(this=exp.to_identifier("human_address"), expression=human),
            ]
        )

    def f_url(self, e, url, description):
        if self.pg:
            return _fn(
                "jsonb_strip_nulls",
                _fn(
                    "jsonb_build_object", exp.Literal.string("url"), url, exp.Literal.string("description"), description
                ),
            )
        return exp.Struct(
            expressions=[
                exp.PropertyEQ(this=exp.to_identifier("url"), expression=self.cast(url, S.TEXT)),
                exp.PropertyEQ(this=exp.to_identifier("description"), expression=self.cast(description, S.TEXT)),
            ]
        )

    # full-text search ($q)
    def search(self, q: TypedQuery) -> exp.Expression:
        """``$q``: every term must match. PostgreSQL: English full-text search over
        the text columns (the store's GIN-indexed document). DuckDB: each term
        must appear as a whole token, case-insensitively, in a text or url column
        (no stemming). A numeric search also matches number columns equal to it."""
        text = q.search.strip()
        terms = [t for t in re.split(r"\s+", text) if t]
        if not terms:
            return exp.Boolean(this=True)
        cols = [c for c in q.search_columns if c.type is S.TEXT]
        urls = [c for c in q.search_columns if c.type is S.URL]
        conds: list[exp.Expression] = []
        if self.pg:
            from ..store.postgres import fulltext_document

            doc = fulltext_document(q.search_columns)
            if doc is not None:
                query = _fn("plainto_tsquery", exp.Literal.string("english"), exp.Literal.string(text))
                conds.append(exp.MatchAgainst(this=query, expressions=[doc]))
        else:
            parts = [self.column(c) for c in cols] + [
                self.sub(self.column(c), S.URL, n) for c in urls for n in ("url", "description")
            ]
            if parts:
                doc = _fn("concat_ws", exp.Literal.string(" "), *parts)
                conds.append(
                    exp.and_(
                        *[
                            _fn(
                                "regexp_matches",
                                doc,
                                exp.Literal.string(r"(^|[^\w.])" + re.escape(t) + r"\.?([^\w.]|$)"),
                                exp.Literal.string("i"),
                            )
                            for t in terms
                        ]
                    )
                )
        try:
            n = values.parse_number(text)
        except ValueError:
            n = None
        if n is not None:
            for c in q.search_columns:
                if c.type.is_numeric:
                    conds.append(exp.EQ(this=self.column(c), expression=self.cast(_num(n), S.NUMBER)))
        if not conds:
            return exp.Boolean(this=False)
        return _paren(exp.or_(*conds))


_OPS = {
    "op_=": "op_eq",
    "op_!=": "op_ne",
    "op_<": "op_lt",
    "op_<=": "op_le",
    "op_>": "op_gt",
    "op_>=": "op_ge",
    "op_+": "op_plus",
    "op_-": "op_minus",
    "op_*": "op_times",
    "op_/": "op_div",
    "op_%": "op_mod",
    "op_^": "op_pow",
    "op_||": "op_concat",
}


def _method_name(function: str) -> str:
    n = function.replace("$", "_")
    return _OPS.get(n, n)


_OPERATORS = (exp.Binary, exp.Not, exp.Neg, exp.Between, exp.In)


def _parenthesize(tree: exp.Expression) -> exp.Expression:
    """sqlglot prints operator trees without brackets; wrap every operator that
    is an operand of another operator so precedence is always the tree's."""
    for node in list(tree.walk()):
        if not isinstance(node, _OPERATORS):
            continue
        for key in ("this", "expression", "low", "high"):
            child = node.args.get(key)
            if isinstance(child, _OPERATORS):
                node.set(key, exp.Paren(this=child))
    return tree


def _order_key(c: Compiler, o) -> exp.Expression:
    return exp.Ordered(this=c.expr(o.expr), desc=not o.ascending, nulls_first=o.nulls_first)


# Late materialisation costs a second scan of ``:id``; it pays off once the sort would
# carry about this many values (rows up to the end of the page x selected columns).
# Measured with bench/soql.py's table (2 M rows, 52 columns): at 52 columns a first page
# of 1000 is ~10 % slower late, from offset 2000 on late wins (3 s -> 0.1 s at offset
# 1.5 M); 12 columns at offset 10,000 (132,000 values) is even.
LATE_PAGE_VALUES = 150_000


def _late_page(typed: TypedQuery, dialect: str) -> bool:
    """Whether an ordered page should pick its rows by ``:id`` first (DuckDB only):
    a plain row query (no grouping, aggregates or DISTINCT) with ORDER BY and LIMIT
    whose sort would otherwise carry at least ``LATE_PAGE_VALUES`` values."""
    if typed.limit is None:
        return False
    carried = (int(typed.limit) + int(typed.offset or 0)) * max(1, len(typed.select))
    return (
        dialect == "duckdb"
        and carried >= LATE_PAGE_VALUES
        and bool(typed.order_by)
        and not typed.grouped
        and not typed.group_by
        and typed.having is None
        and not typed.distinct
    )


def _late_materialised_page(q: exp.Select, keys: list[exp.Ordered], typed: TypedQuery, table) -> exp.Select:
    """An ordered page in two steps: choose the page's ``:id``s by sorting only
    the filter and sort-key columns, then read the selected columns of just those
    rows. DuckDB otherwise carries every selected column through the sort, which
    on a wide table makes deep pages (and even first pages) slow. ``:id`` (unique)
    ends both orderings, so the page's rows and their order are the same in the
    inner and outer query, and a page boundary never splits ties arbitrarily."""
    row_id = exp.column(exp.to_identifier(SYSTEM_ID, quoted=True))
    if not any(isinstance(k.this, exp.Column) and k.this.name == SYSTEM_ID for k in keys):
        keys = [*keys, exp.Ordered(this=row_id.copy(), desc=False, nulls_first=False)]
    inner = exp.Select(expressions=[row_id.copy()]).from_(table.copy(), copy=False)
    where = q.args.get("where")
    if where is not None:
        inner.set("where", where.copy())
    inner = inner.order_by(*[k.copy() for k in keys], copy=False)
    inner = inner.limit(exp.Literal.number(int(typed.limit)), copy=False)
    if typed.offset:
        inner = inner.offset(exp.Literal.number(int(typed.offset)), copy=False)
    outer = exp.Select(expressions=q.expressions).from_(table.copy(), copy=False)
    outer = outer.where(row_id.copy().isin(query=inner), copy=False)
    return outer.order_by(*keys, copy=False)


def compile_query(
    typed: TypedQuery, dialect: str, table: exp.Expression, *, case_insensitive: bool = False
) -> CompiledQuery:
    """SQL for an analysed query over ``table`` (``store.table(id, version)``).

    ``case_insensitive`` is Socrata's legacy mode: text in WHERE, GROUP BY,
    HAVING and ORDER BY (and selected group keys) is compared upper-cased."""
    c = Compiler(dialect, case_insensitive)
    select_exprs = []
    group_keys = list(typed.group_by)
    for s in typed.select:
        c.upper_text = case_insensitive and any(s.expr == g for g in group_keys)
        value = c.expr(s.expr)
        if isinstance(value, exp.Column) and value.name == s.name and not value.table:
            select_exprs.append(value)  # a column under its own name needs no alias
        else:
            select_exprs.append(exp.Alias(this=value, alias=exp.Identifier(this=s.name, quoted=True)))
    c.upper_text = case_insensitive
    q = exp.Select(expressions=select_exprs).from_(table.copy(), copy=False)
    if typed.distinct:
        q = q.distinct(copy=False)
    conds = []
    if typed.where is not None:
        conds.append(c.expr(typed.where))
    if typed.search is not None:
        conds.append(c.search(typed))
    if conds:
        q = q.where(exp.and_(*conds) if len(conds) > 1 else conds[0], copy=False)
    if typed.group_by:
        q = q.group_by(*[c.expr(g) for g in typed.group_by], copy=False)
    if typed.having is not None:
        q = q.having(c.expr(typed.having), copy=False)
    if typed.grouped or typed.distinct:
        counted = q.copy()
    else:  # the row count of a plain query does not depend on its selected values
        counted = exp.Select(expressions=[exp.Literal.number(1)]).from_(table.copy(), copy=False)
        if q.args.get("where") is not None:
            counted.set("where", q.args["where"].copy())
    # ordering by a constant orders nothing (and DuckDB refuses ``ORDER BY NULL``)
    keys = [_order_key(c, o) for o in typed.order_by if not isinstance(o.expr, TypedLiteral)]
    if _late_page(typed, dialect):
        q = _late_materialised_page(q, keys, typed, table)
    else:
        if keys:
            q = q.order_by(*keys, copy=False)
        if typed.limit is not None:
            q = q.limit(exp.Literal.number(int(typed.limit)), copy=False)
        if typed.offset:
            q = q.offset(exp.Literal.number(int(typed.offset)), copy=False)
    if typed.grouped and not typed.group_by and not typed.select:
        counted = exp.Select(expressions=[exp.Literal.number(1)]).from_(table.copy())
    q, counted = _parenthesize(q), _parenthesize(counted)
    count = exp.Select(expressions=[exp.alias_(exp.Count(this=exp.Star()), "n")]).from_(
        exp.Subquery(this=counted, alias=exp.TableAlias(this=exp.to_identifier("q")))
    )
    columns = [OutputColumn(s.name, s.expr.type if s.expr.type is not None else S.TEXT) for s in typed.select]
    return CompiledQuery(
        sql=q.sql(dialect=dialect, copy=False),
        params=[],
        columns=columns,
        count_sql=count.sql(dialect=dialect, copy=False),
        count_params=[],
        expression=q,
    )
