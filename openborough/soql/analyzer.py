"""SoQL analysis: names against a ``Schema``, types, implicit literal
conversion, aggregate/grouping rules and implicit output names.

``analyze(query, schema)`` turns the parser's ``ast.Query`` into an
``ast.TypedQuery`` or raises ``SoQLError`` with Socrata's code.
"""

from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal

from . import values
from .ast import (
    ColumnRef,
    Expr,
    FunctionCall,
    Literal,
    Query,
    TypedCall,
    TypedColumn,
    TypedExpr,
    TypedLiteral,
    TypedOrder,
    TypedQuery,
    TypedSelect,
)
from .errors import (
    AGGREGATE_IN_UNGROUPED,
    CIRCULAR_ALIAS,
    DUPLICATE_ALIAS,
    NO_SUCH_COLUMN,
    NO_SUCH_FUNCTION,
    NOT_IN_GROUP_BYS,
    TYPE_MISMATCH,
    SoQLError,
)
from .functions import ALIASES, CASTS, CATALOGUE, ORDERABLE, ROW_ID, SUBFIELDS, TV, Sig
from .types import SYSTEM_CREATED_AT, SYSTEM_ID, SYSTEM_UPDATED_AT, Schema, SoQLType, parse_type

S = SoQLType
SYSTEM_TYPES = {SYSTEM_ID: ROW_ID, SYSTEM_CREATED_AT: S.FIXED_TIMESTAMP, SYSTEM_UPDATED_AT: S.FIXED_TIMESTAMP}

# order in which a string literal tries to become a wanted type
_CONVERSION_ORDER = [
    S.TEXT,
    S.NUMBER,
    S.DOUBLE,
    S.MONEY,
    S.FLOATING_TIMESTAMP,
    S.FIXED_TIMESTAMP,
    S.CHECKBOX,
    ROW_ID,
    S.POINT,
    S.MULTIPOINT,
    S.LINE,
    S.MULTILINE,
    S.POLYGON,
    S.MULTIPOLYGON,
    S.URL,
    S.LOCATION,
    S.BLOB,
]
_ROW_ID_RE = re.compile(r"^row-(\d{1,18})$", re.ASCII)


def type_name(t) -> str:
    return "null" if t is None else t.value


def convert_string(text: str, t):
    """Physical value of string literal ``text`` as type ``t``; ValueError if it is not one."""
    if t is ROW_ID:
        m = _ROW_ID_RE.match(text.strip())
        if not m:
            raise ValueError(f"not a row identifier: {text!r}")
        return int(m.group(1))
    return values.to_physical(text, t)


def _is_literal(e: TypedExpr) -> bool:
    return isinstance(e, TypedLiteral)


class Analyzer:
    def __init__(self, schema: Schema):
        self.schema = schema
        self.aliases: dict[str, Expr] = {}
        self.expanding: list[str] = []
        self.allow_aliases = True

    # -- names -------------------------------------------------------------------
    def column(self, ref: ColumnRef) -> TypedExpr:
        name = ref.name
        if self.allow_aliases and name in self.aliases and (not self.expanding or self.expanding[-1] != name):
            if name in self.expanding:
                raise SoQLError(CIRCULAR_ALIAS, f"Circular alias definition: {name}", ref.pos, name=name)
            self.expanding.append(name)
            try:
                return self.expr(self.aliases[name])
            finally:
                self.expanding.pop()
        if name in SYSTEM_TYPES:
            return TypedColumn(name, SYSTEM_TYPES[name])
        col = self.schema.get(name)
        if col is None:
            raise SoQLError(NO_SUCH_COLUMN, f"No such column: {name}", ref.pos, column=name)
        return TypedColumn(name, col.type)

    # -- expressions ------------------------------------------------------------
    def expr(self, e: Expr) -> TypedExpr:
        if isinstance(e, Literal):
            if e.kind == "string":
                if "\x00" in e.value:
                    raise SoQLError(TYPE_MISMATCH, "Text cannot contain the NUL character", e.pos)
                return TypedLiteral(e.value, S.TEXT, "string")
            if e.kind == "number":
                try:
                    return TypedLiteral(values.parse_number(e.value), S.NUMBER, "number")
                except ValueError:
                    raise SoQLError(TYPE_MISMATCH, f"Number out of range: {e.value}", e.pos) from None
            if e.kind == "boolean":
                return TypedLiteral(e.value, S.CHECKBOX)
            return TypedLiteral(None, None)
        if isinstance(e, ColumnRef):
            return self.column(e)
        return self.call(e)

    def call(self, f: FunctionCall) -> TypedExpr:
        name = f.name
        if name.startswith("cast$"):
            return self.cast(f)
        if name == "subfield":
            return self.subfield(f)
        name = ALIASES.get(name, name)
        if name not in CATALOGUE:
            raise SoQLError(NO_SUCH_FUNCTION, f"No such function: {f.raw_name or name}", f.pos, function=name)
        sigs = CATALOGUE[name]
        aggregate = any(s.aggregate for s in sigs)
        if f.distinct and name != "count":
            raise SoQLError(NO_SUCH_FUNCTION, f"DISTINCT is only allowed in count(), not {name}()", f.pos)
        if f.star:
            if name != "count":
                raise SoQLError(NO_SUCH_FUNCTION, f"Only count accepts *, not {name}", f.pos, function=name)
            return TypedCall("count", (), S.NUMBER, aggregate=True, star=True)
        args = []
        for a in f.args:
            t = self.expr(a)
            if name == "convex_hull" and contains_aggregate(t):
                name, sigs, aggregate = "convex_hull_of", CATALOGUE["convex_hull_of"], False
            if aggregate and contains_aggregate(t):
                raise SoQLError(AGGREGATE_IN_UNGROUPED, f"Aggregate inside aggregate {name}()", f.pos)
            args.append(t)
        for sig in sigs:
            got = self.match(sig, args)
            if got is not None:
                typed_args, result = got
                lit = typed_args[0] if typed_args else None
                if name in ("op$neg", "op$pos") and isinstance(lit, TypedLiteral) and lit.value is not None:
                    # fold signed number literals (``-0.1``) so they stay literals
                    return TypedLiteral(-lit.value if name == "op$neg" else lit.value, lit.type, lit.name_hint)
                return TypedCall(name, tuple(typed_args), result, aggregate=sig.aggregate, distinct=f.distinct)
        if not any(self.arity_ok(s, len(args)) for s in sigs):
            raise SoQLError(
                NO_SUCH_FUNCTION,
                f"Function {display_name(f)} does not take {len(args)} argument(s)",
                f.pos,
                function=name,
            )
        raise SoQLError(
            TYPE_MISMATCH,
            f"Type mismatch for {display_name(f)}: cannot apply to ({', '.join(type_name(a.type) for a in args)})",
            f.pos,
            function=name,
            types=[type_name(a.type) for a in args],
        )

    @staticmethod
    def arity_ok(sig: Sig, n: int) -> bool:
        return Analyzer.expand_params(sig, n) is not None

    @staticmethod
    def expand_params(sig: Sig, n: int):
        p = list(sig.params)
        if sig.variadic:
            fixed = len(p) - sig.repeat
            if n < len(p) or (n - fixed) % sig.repeat:
                # case() may end without a default pair; others need the full params
                return None
            while len(p) < n:
                p += list(sig.params[fixed:])
            return p
        lo = sig.min_args if sig.min_args is not None else len(p)
        if not lo <= n <= len(p):
            return None
        return p[:n]

    def match(self, sig: Sig, args: list[TypedExpr]):
        params = self.expand_params(sig, len(args))
        if params is None:
            return None
        bound: dict[str, object] = {}
        out: list[TypedExpr | None] = [None] * len(args)
        # first: non-literal arguments fix the type variables
        for i, (p, a) in enumerate(zip(params, args, strict=False)):
            if _is_literal(a):
                continue
            allowed = p.allowed if isinstance(p, TV) else p
            if a.type not in allowed:
                return None
            if isinstance(p, TV):
                if p.name in bound and bound[p.name] != a.type:
                    if not (a.type.is_numeric and bound[p.name].is_numeric):
                        return None
                bound.setdefault(p.name, a.type)
            out[i] = a
        # then: literals convert to what is wanted
        for i, (p, a) in enumerate(zip(params, args, strict=False)):
            if not _is_literal(a):
                continue
            allowed = p.allowed if isinstance(p, TV) else p
            if isinstance(p, TV) and p.name in bound:
                wanted = [bound[p.name]]
            else:
                wanted = [t for t in _CONVERSION_ORDER if t in allowed]
            lit = self.convert_literal(a, wanted)
            if lit is None:
                return None
            if isinstance(p, TV) and lit.type is not None:
                bound.setdefault(p.name, lit.type)
            out[i] = lit
        # null literals take the bound type
        for i, (p, a) in enumerate(zip(params, out, strict=False)):
            if a.type is None and isinstance(p, TV) and p.name in bound:
                out[i] = TypedLiteral(None, bound[p.name])
        res = sig.result
        if isinstance(res, TV):
            res = bound.get(res.name, S.TEXT)
        return out, res

    @staticmethod
    def convert_literal(a: TypedLiteral, wanted: list) -> TypedLiteral | None:
        if a.type is None:
            return a
        if a.type in wanted:
            return a
        if a.name_hint == "number":
            for t in wanted:
                if t.is_numeric:
                    return TypedLiteral(a.value, t, "number")
            return None
        if a.name_hint == "string":
            for t in wanted:
                try:
                    return TypedLiteral(convert_string(a.value, t), t)
                except ValueError:
                    continue
        return None

    def cast(self, f: FunctionCall) -> TypedExpr:
        try:
            target = parse_type(f.name[len("cast$") :])
        except ValueError:
            raise SoQLError(NO_SUCH_FUNCTION, f"No such type: {f.raw_name}", f.pos, function=f.name) from None
        arg = self.expr(f.args[0])
        if isinstance(arg, TypedLiteral) and arg.name_hint == "string":
            try:
                return TypedLiteral(convert_string(arg.value, target), target)
            except ValueError as e:
                raise SoQLError(TYPE_MISMATCH, f"Cannot convert {arg.value!r} to {target.value}: {e}", f.pos) from None
        if isinstance(arg, TypedLiteral) and arg.type is None:
            return TypedLiteral(None, target)
        if arg.type not in CASTS[target]:
            raise SoQLError(TYPE_MISMATCH, f"Cannot cast {type_name(arg.type)} to {target.value}", f.pos, function="::")
        if arg.type == target:
            return arg
        return TypedCall("cast", (arg,), target)

    def subfield(self, f: FunctionCall) -> TypedExpr:
        base = self.expr(f.args[0])
        key = f.args[1]
        if not (isinstance(key, Literal) and key.kind == "string"):
            raise SoQLError(TYPE_MISMATCH, "Sub-field names must be literal names", f.pos)
        fields = SUBFIELDS.get(base.type, {})
        if key.value not in fields:
            raise SoQLError(
                NO_SUCH_COLUMN, f"No such sub-field {key.value} of {type_name(base.type)}", key.pos, column=key.value
            )
        return TypedCall("subfield", (base, TypedLiteral(key.value, S.TEXT)), fields[key.value])


def is_constant(e: TypedExpr) -> bool:
    """An expression that is the same for every row (no column, no aggregate)."""
    if isinstance(e, TypedLiteral):
        return True
    if isinstance(e, TypedCall):
        return not e.aggregate and all(is_constant(a) for a in e.args)
    return False


def contains_aggregate(e: TypedExpr) -> bool:
    if isinstance(e, TypedCall):
        return e.aggregate or any(contains_aggregate(a) for a in e.args)
    return False


def display_name(f: FunctionCall) -> str:
    n = f.name
    if n.startswith("op$"):
        return f"operator {n[3:]}"
    return f"{f.raw_name or n}()"


# -- implicit names -----------------------------------------------------------------
# As Socrata's alias analysis names an unaliased expression (soql-reference:
# ``Expression.findIdentsAndLiterals`` gives the words, brita's ``IdentifierFilter``
# joins them): words are joined by "synthetic" underscores, every character that
# is not a Java identifier character (or "-") becomes one, runs of them collapse
# to one, and one next to a real "_" or "-" or either end of the name is dropped.
_OPERATOR_WORDS = {"op$and": "AND", "op$or": "OR", "op$not": "NOT"}
_SPECIAL_HEADS = {"in": "#IN", "not_in": "#NOT_IN", "like": "#LIKE", "not_like": "#NOT_LIKE"}


def _literal_word(e: Literal) -> str:
    if e.kind == "string":
        return json.dumps(e.value, ensure_ascii=False)
    if e.kind == "number":
        try:
            return str(Decimal(e.value))  # as Java's BigDecimal.toString writes it
        except ArithmeticError:
            return str(e.value)
    if e.kind == "boolean":
        return "TRUE" if e.value else "FALSE"
    return "null"


def _words(e: Expr) -> list[str]:
    if isinstance(e, Literal):
        return [_literal_word(e)]
    if isinstance(e, ColumnRef):
        return [e.name]
    n = e.name
    args = [_words(a) for a in e.args]
    flat = [w for a in args for w in a]
    if n == "is_null":
        return flat + ["is", "null"]
    if n == "is_not_null":
        return flat + ["is", "not", "null"]
    if n in ("between", "not_between"):
        head = ["between"] if n == "between" else ["not", "between"]
        return args[0] + head + args[1] + ["and"] + args[2]
    if n in _SPECIAL_HEADS:
        return [_SPECIAL_HEADS[n]] + flat
    if n in ("op$-", "op$neg"):
        return flat  # so that minus does not read as a real underscore
    if n.startswith("op$"):
        op = _OPERATOR_WORDS.get(n, e.raw_name or n[3:])
        if len(args) == 1:
            return [op] + flat
        return args[0] + [op] + args[1]
    if n.startswith("cast$"):
        return args[0] + [e.raw_name or n[5:]]
    if n == "subfield":
        return args[0] + ["[]"] + args[1]
    if n == "case" and e.keyword:
        words = ["case"]
        whens = args[:-2] if e.keyword == "case-else" else args
        for cw, vw in zip(whens[0::2], whens[1::2], strict=False):
            words += ["when", *cw, "then", *vw]
        if e.keyword == "case-else":
            words += ["else", *args[-1]]
        return words + ["end"]
    if e.star:
        return [(e.raw_name or n) + "/*"]
    if e.distinct:
        return [(e.raw_name or n).lower() + "_distinct"] + flat
    return [e.raw_name or n] + flat


def _java_part(c: str) -> bool:
    """Java's Character.isJavaIdentifierPart (what brita keeps), plus "-"."""
    if c == "-":
        return True
    cat = unicodedata.category(c)
    if cat[0] == "L" or cat in ("Nd", "Nl", "Sc", "Pc", "Mn", "Mc", "Cf"):
        return True
    o = ord(c)
    return 0 <= o <= 8 or 0x0E <= o <= 0x1B or 0x7F <= o <= 0x9F


def _java_start(c: str) -> bool:
    return c == "-" or unicodedata.category(c) in ("Lu", "Ll", "Lt", "Lm", "Lo", "Nl", "Sc", "Pc")


_SYN, _START, _END = object(), object(), object()


def _identifier(words: list[str]) -> str:
    buf: list = [_START]
    for i, w in enumerate(words):
        if i:
            buf.append(_SYN)
        buf += [c if _java_part(c) else _SYN for c in w]
    buf.append(_END)
    runs: list = []
    for x in buf:
        if not (x is _SYN and runs and runs[-1] is _SYN):
            runs.append(x)

    def boundary(x) -> bool:
        return x is _START or x is _END or x in ("_", "-")

    kept: list = []
    last_boundary = False
    for i, x in enumerate(runs):
        if x is _SYN and (last_boundary or (i + 1 < len(runs) and boundary(runs[i + 1]))):
            continue
        last_boundary = boundary(x)
        kept.append(x)
    name = "".join("_" if x is _SYN else x for x in kept[1:-1])
    if not name:
        return "_"
    return name if _java_start(name[0]) else "_" + name


def implicit_name(e: Expr) -> str:
    """The base of the name Socrata gives an unaliased select expression."""
    return _identifier(_words(e))


def unique_name(base: str, in_use) -> str:
    """``base``, or the first of ``base_1``, ``base_2`` … not ``in_use`` (compared case-insensitively);
    no extra "_" when ``base`` already ends in "_" or "-"."""
    if not in_use(base):
        return base
    prefix = base if base.endswith(("_", "-")) else base + "_"
    k = 1
    while in_use(f"{prefix}{k}"):
        k += 1
    return f"{prefix}{k}"


# -- queries ------------------------------------------------------------------------
def _check_grouped(e: TypedExpr, keys: list[TypedExpr], where: str) -> None:
    if any(e == k for k in keys):
        return
    if isinstance(e, TypedLiteral):
        return
    if isinstance(e, TypedColumn):
        raise SoQLError(
            NOT_IN_GROUP_BYS, f"Column {e.name} in {where} is neither grouped nor aggregated", column=e.name
        )
    if e.aggregate:
        return
    for a in e.args:
        _check_grouped(a, keys, where)


def analyze(q: Query, schema: Schema) -> TypedQuery:
    """Type-check ``q`` against ``schema``; SoQLError on bad names, types or grouping."""
    an = Analyzer(schema)
    items = list(q.select or [])
    # explicit aliases
    bare_names = {
        it.expr.name for it in items if isinstance(it.expr, ColumnRef) and it.alias is None and not it.parenthesized
    }
    for it in items:
        if it.alias is None:
            continue
        if it.alias in an.aliases or it.alias in bare_names:
            raise SoQLError(DUPLICATE_ALIAS, f"Duplicate alias: {it.alias}", it.alias_pos, alias=it.alias)
        if it.alias.startswith(":"):
            raise SoQLError(DUPLICATE_ALIAS, f"Aliases cannot start with ':': {it.alias}", it.alias_pos)
        an.aliases[it.alias] = it.expr
    # implicit aliases, as Socrata's alias analysis assigns them: clear of every
    # column and every explicit or bare-column name (case-insensitively), usable
    # in the other clauses like explicit ones (``$order=count DESC``)
    taken = {c.field_name.lower() for c in schema.columns} | {a.lower() for a in an.aliases} | bare_names
    implicit: dict[int, str] = {}
    for i, it in enumerate(items):
        if it.alias is None and (it.parenthesized or not isinstance(it.expr, ColumnRef)):
            name = unique_name(implicit_name(it.expr), lambda n: n.lower() in taken)
            taken.add(name.lower())
            implicit[i] = name
            an.aliases.setdefault(name.lower(), it.expr)
    # select list, with stars expanded in place
    select: list[TypedSelect] = []
    names: set[str] = set()

    positions: dict[str, tuple[int, int]] = {}

    def add(name: str, e: TypedExpr, pos=None):
        if pos is not None:
            positions[name] = pos
        if name in names:
            raise SoQLError(DUPLICATE_ALIAS, f"Duplicate output column: {name}", pos, alias=name)
        names.add(name)
        select.append(TypedSelect(name, e))

    def stars_at(i: int):
        if q.system_star and q.system_star_index == i:
            for n, t in SYSTEM_TYPES.items():
                add(n, TypedColumn(n, t))
        if (q.star or q.select is None) and q.star_index == i:
            for c in schema.columns:
                add(c.field_name, TypedColumn(c.field_name, c.type))

    for i, it in enumerate(items):
        stars_at(i)
        if it.alias is not None or i in implicit:
            name = it.alias if it.alias is not None else implicit[i]
            an.expanding.append(name.lower())
            try:
                t = an.expr(it.expr)
            finally:
                an.expanding.pop()
            add(name, t, _pos(it.expr))
        else:
            an.allow_aliases = False
            try:
                t = an.expr(it.expr)
            finally:
                an.allow_aliases = True
            add(it.expr.name, t, it.expr.pos)
    stars_at(len(items))

    out = TypedQuery(select=select, distinct=q.distinct, limit=q.limit, offset=q.offset)
    if q.where is not None:
        out.where = an.expr(q.where)
        if contains_aggregate(out.where):
            raise SoQLError(AGGREGATE_IN_UNGROUPED, "Aggregates are not allowed in $where", _pos(q.where))
        _want_bool(out.where, q.where, "$where")
    for g in q.group_by:
        t = an.expr(g)
        if contains_aggregate(t):
            raise SoQLError(AGGREGATE_IN_UNGROUPED, "Aggregates are not allowed in $group", _pos(g))
        out.group_by.append(t)
    if q.having is not None:
        out.having = an.expr(q.having)
        _want_bool(out.having, q.having, "$having")
    for o in q.order_by:
        t = an.expr(o.expr)
        if t.type is not None and t.type not in ORDERABLE:
            raise SoQLError(TYPE_MISMATCH, f"Cannot order by a {type_name(t.type)}", _pos(o.expr))
        if is_constant(t):  # SQL reads ORDER BY 1 as "the first column", and rejects ORDER BY 'x'
            raise SoQLError(
                TYPE_MISMATCH, "$order needs a column or an expression of one, not a constant", _pos(o.expr)
            )
        nulls_first = o.nulls_first if o.nulls_first is not None else not o.ascending
        out.order_by.append(TypedOrder(t, o.ascending, nulls_first))
    out.grouped = bool(
        out.group_by
        or out.having is not None
        or any(contains_aggregate(s.expr) for s in select)
        or any(contains_aggregate(o.expr) for o in out.order_by)
    )
    if out.grouped:
        for s in select:
            _check_grouped_at(s.expr, out.group_by, "$select", positions.get(s.name))
        for o, src in zip(out.order_by, q.order_by, strict=False):
            _check_grouped_at(o.expr, out.group_by, "$order", _pos(src.expr))
        if out.having is not None:
            _check_grouped_at(out.having, out.group_by, "$having", _pos(q.having))
    if out.distinct:
        selected = [s.expr for s in select]
        for o, src in zip(out.order_by, q.order_by, strict=True):
            if not any(o.expr == e for e in selected):
                raise SoQLError(
                    NOT_IN_GROUP_BYS, "With DISTINCT, $order may only use selected expressions", _pos(src.expr)
                )
    if q.search is not None:
        if "\x00" in q.search:
            raise SoQLError(TYPE_MISMATCH, "Search text cannot contain the NUL character", parameter="$q")
        out.search = q.search
        out.search_columns = [
            TypedColumn(c.field_name, c.type) for c in schema.columns if c.type in (S.TEXT, S.URL) or c.type.is_numeric
        ]
    return out


def _check_grouped_at(e, keys, where, pos=None):
    try:
        _check_grouped(e, keys, where)
    except SoQLError as err:
        if pos is not None and "position" not in err.data:
            err.data["position"] = {"line": pos[0], "column": pos[1]}
        raise


def _pos(e: Expr):
    return getattr(e, "pos", None)


def _want_bool(t: TypedExpr, e: Expr, where: str) -> None:
    if t.type not in (S.CHECKBOX, None):
        raise SoQLError(TYPE_MISMATCH, f"{where} must be a boolean expression, not {type_name(t.type)}", _pos(e))
