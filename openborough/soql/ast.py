"""SoQL syntax trees.

The parser produces the untyped nodes (``Literal``, ``ColumnRef``,
``FunctionCall`` …, gathered in ``Query``); operators are function calls
with Socrata's operator names (``op$+``, ``op$and``, ``is_null``, ``in``,
``between``, ``like``, ``cast$number`` …). The analyzer produces the typed
nodes (``TypedLiteral``, ``TypedColumn``, ``TypedCall``, gathered in
``TypedQuery``), each carrying its SoQL type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .types import SoQLType

Pos = tuple[int, int]


# -- untyped ------------------------------------------------------------------
@dataclass(frozen=True)
class Literal:
    kind: str  # "string" | "number" | "boolean" | "null"
    value: Any  # str for string/number (number as written), bool, None
    pos: Pos = (1, 1)


@dataclass(frozen=True)
class ColumnRef:
    name: str  # lower-cased; system fields keep their ":" prefix
    pos: Pos = (1, 1)


@dataclass(frozen=True)
class FunctionCall:
    name: str  # lower-cased function or operator name
    args: tuple = ()
    pos: Pos = (1, 1)
    raw_name: str = ""  # as written, for implicit output names
    distinct: bool = False  # count(distinct x)
    star: bool = False  # count(*)
    keyword: str = ""  # "case" / "case-else": written ``CASE WHEN … [ELSE …] END``, not as a call


Expr = Literal | ColumnRef | FunctionCall


@dataclass(frozen=True)
class SelectItem:
    expr: Expr
    alias: str | None = None
    alias_pos: Pos | None = None
    parenthesized: bool = False  # ``(col)``: named implicitly, not after the column


@dataclass(frozen=True)
class OrderItem:
    expr: Expr
    ascending: bool = True
    nulls_first: bool | None = None  # None: Socrata default (last for ASC, first for DESC)


@dataclass
class Query:
    """One SoQL statement (or the SODA parameters that make one)."""

    select: list[SelectItem] | None = None  # None: ``*``
    star: bool = False  # ``*`` in the select list (user columns)
    system_star: bool = False  # ``:*`` in the select list
    distinct: bool = False
    where: Expr | None = None
    group_by: list[Expr] = field(default_factory=list)
    having: Expr | None = None
    order_by: list[OrderItem] = field(default_factory=list)
    search: str | None = None
    limit: int | None = None
    offset: int | None = None
    #: where the star appeared among the select items (index into ``select``)
    star_index: int = 0
    system_star_index: int = 0


# -- typed --------------------------------------------------------------------
@dataclass(frozen=True)
class TypedLiteral:
    value: Any  # physical Python value of ``type`` (see soql.values)
    type: SoQLType | None  # None: the null literal, typed by context
    name_hint: str = ""  # text for implicit output names


@dataclass(frozen=True)
class TypedColumn:
    name: str
    type: SoQLType


@dataclass(frozen=True)
class TypedCall:
    function: str  # catalogue name (soql.functions)
    args: tuple
    type: SoQLType
    aggregate: bool = False
    distinct: bool = False
    star: bool = False


TypedExpr = TypedLiteral | TypedColumn | TypedCall


@dataclass(frozen=True)
class TypedSelect:
    name: str
    expr: TypedExpr


@dataclass(frozen=True)
class TypedOrder:
    expr: TypedExpr
    ascending: bool
    nulls_first: bool


@dataclass
class TypedQuery:
    select: list[TypedSelect]
    distinct: bool = False
    where: TypedExpr | None = None
    group_by: list[TypedExpr] = field(default_factory=list)
    having: TypedExpr | None = None
    order_by: list[TypedOrder] = field(default_factory=list)
    search: str | None = None
    search_columns: list[TypedColumn] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None
    grouped: bool = False
