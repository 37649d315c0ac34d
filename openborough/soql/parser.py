"""SoQL parser: tokens -> ``ast.Query`` / expressions (recursive descent).

Precedence, loosest first: OR; AND; NOT; IS [NOT] NULL, [NOT] BETWEEN,
[NOT] IN, [NOT] LIKE; comparisons; ``+ - ||``; ``* / %``; ``^`` (right
associative); unary ``+ -``; ``::`` casts; ``.``/``[ ]`` sub-fields; atoms.
"""

from __future__ import annotations

from . import tokens as T
from .ast import ColumnRef, Expr, FunctionCall, Literal, OrderItem, Query, SelectItem
from .errors import BAD_PARSE, UNEXPECTED_EOF, UNSUPPORTED, SoQLError

MAX_DEPTH = 60
_COMPARE = {
    "=": "op$=",
    "==": "op$=",
    "!=": "op$!=",
    "<>": "op$!=",
    "<": "op$<",
    "<=": "op$<=",
    ">": "op$>",
    ">=": "op$>=",
}
_ADDITIVE = {"+": "op$+", "-": "op$-", "||": "op$||"}
_MULT = {"*": "op$*", "/": "op$/", "%": "op$%"}
# keywords that cannot be bare identifiers
_RESERVED = T.KEYWORDS - {"first", "last"}


def _balanced(name: str, items: list[Expr], ops: list[T.Token]) -> Expr:
    """``a AND b AND c …`` as a balanced tree (AND and OR are associative), so
    long generated filters stay shallow for the later stages."""
    if len(items) == 1:
        return items[0]
    mid = len(items) // 2
    left = _balanced(name, items[:mid], ops[: mid - 1])
    right = _balanced(name, items[mid:], ops[mid:])
    return FunctionCall(name, (left, right), ops[mid - 1].pos, name[3:])


class Parser:
    def __init__(self, text: str):
        self.toks = T.tokenize(text)
        self.i = 0
        self.depth = 0

    # -- token helpers ---------------------------------------------------------
    @property
    def tok(self) -> T.Token:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> T.Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def advance(self) -> T.Token:
        t = self.toks[self.i]
        if t.kind != T.EOF:
            self.i += 1
        return t

    def fail(self, expected: str, tok: T.Token | None = None):
        tok = tok or self.tok
        if tok.kind == T.EOF:
            raise SoQLError(UNEXPECTED_EOF, f"Unexpected end of input; expected {expected}", tok.pos)
        raise SoQLError(BAD_PARSE, f"Expected {expected}, but got {tok.describe()}", tok.pos)

    def accept_kw(self, *words: str) -> T.Token | None:
        if self.tok.is_kw(*words):
            return self.advance()
        return None

    def expect_kw(self, word: str) -> T.Token:
        if not self.tok.is_kw(word):
            self.fail(word.upper())
        return self.advance()

    def accept_op(self, *ops: str) -> T.Token | None:
        if self.tok.is_op(*ops):
            return self.advance()
        return None

    def expect_op(self, op: str) -> T.Token:
        if not self.tok.is_op(op):
            self.fail(f"`{op}`")
        return self.advance()

    def expect_eof(self) -> None:
        if self.tok.kind != T.EOF:
            if self.tok.is_op("|>"):
                raise SoQLError(UNSUPPORTED, "Query chaining (|>) is not supported", self.tok.pos)
            self.fail("end of input")

    def identifier(self) -> T.Token:
        t = self.tok
        if t.kind == T.QUOTED_IDENT or (t.kind == T.IDENT and t.value not in _RESERVED):
            return self.advance()
        self.fail("an identifier")

    # -- expressions -----------------------------------------------------------
    def expr(self) -> Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise SoQLError(BAD_PARSE, "Expression is nested too deeply", self.tok.pos)
        try:
            return self.or_expr()
        finally:
            self.depth -= 1

    def or_expr(self) -> Expr:
        items, ops = [self.and_expr()], []
        while t := self.accept_kw("or"):
            ops.append(t)
            items.append(self.and_expr())
        return _balanced("op$or", items, ops)

    def and_expr(self) -> Expr:
        items, ops = [self.not_expr()], []
        while t := self.accept_kw("and"):
            ops.append(t)
            items.append(self.not_expr())
        return _balanced("op$and", items, ops)

    def not_expr(self) -> Expr:
        if t := self.accept_kw("not"):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise SoQLError(BAD_PARSE, "Expression is nested too deeply", t.pos)
            try:
                return FunctionCall("op$not", (self.not_expr(),), t.pos, "not")
            finally:
                self.depth -= 1
        return self.is_expr()

    def is_expr(self) -> Expr:
        left = self.compare()
        while True:
            t = self.tok
            if t.is_kw("is"):
                self.advance()
                negated = bool(self.accept_kw("not"))
                self.expect_kw("null")
                left = FunctionCall("is_not_null" if negated else "is_null", (left,), t.pos)
                continue
            negated = False
            if t.is_kw("not") and self.peek().is_kw("between", "in", "like"):
                self.advance()
                negated = True
            if self.accept_kw("between"):
                lo = self.compare()
                self.expect_kw("and")
                hi = self.compare()
                left = FunctionCall("not_between" if negated else "between", (left, lo, hi), t.pos)
            elif self.accept_kw("in"):
                self.expect_op("(")
                items = [self.expr()]
                while self.accept_op(","):
                    items.append(self.expr())
                self.expect_op(")")
                left = FunctionCall("not_in" if negated else "in", (left, *items), t.pos)
            elif self.accept_kw("like"):
                left = FunctionCall("not_like" if negated else "like", (left, self.compare()), t.pos)
            else:
                if negated:  # pragma: no cover - guarded by the peek above
                    self.fail("BETWEEN, IN or LIKE")
                return left

    def compare(self) -> Expr:
        left = self.additive()
        while self.tok.kind == T.OP and self.tok.value in _COMPARE:
            t = self.advance()
            left = FunctionCall(_COMPARE[t.value], (left, self.additive()), t.pos, t.value)
        return left

    def additive(self) -> Expr:
        left = self.mult()
        while self.tok.kind == T.OP and self.tok.value in _ADDITIVE:
            t = self.advance()
            left = FunctionCall(_ADDITIVE[t.value], (left, self.mult()), t.pos, t.value)
        return left

    def mult(self) -> Expr:
        left = self.power()
        while self.tok.kind == T.OP and self.tok.value in _MULT:
            t = self.advance()
            left = FunctionCall(_MULT[t.value], (left, self.power()), t.pos, t.value)
        return left

    def power(self) -> Expr:
        base = self.unary()
        if t := self.accept_op("^"):
            self.depth += 1
            try:
                return FunctionCall("op$^", (base, self.power()), t.pos, "^")
            finally:
                self.depth -= 1
        return base

    def unary(self) -> Expr:
        if self.tok.is_op("+", "-"):
            t = self.advance()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise SoQLError(BAD_PARSE, "Expression is nested too deeply", t.pos)
            try:
                operand = self.unary()
            finally:
                self.depth -= 1
            return FunctionCall("op$neg" if t.value == "-" else "op$pos", (operand,), t.pos, t.value)
        return self.cast()

    def cast(self) -> Expr:
        e = self.postfix()
        while t := self.accept_op("::"):
            ty = self.identifier()
            e = FunctionCall("cast$" + ty.value, (e,), t.pos, ty.raw)
        return e

    def postfix(self) -> Expr:
        e = self.atom()
        while True:
            if t := self.accept_op("."):
                f = self.identifier()
                e = FunctionCall("subfield", (e, Literal("string", f.value, f.pos)), t.pos)
            elif t := self.accept_op("["):
                key = self.expr()
                self.expect_op("]")
                e = FunctionCall("subfield", (e, key), t.pos)
            else:
                return e

    def atom(self) -> Expr:
        t = self.tok
        if t.kind == T.STRING:
            self.advance()
            return Literal("string", t.value, t.pos)
        if t.kind == T.NUMBER:
            self.advance()
            return Literal("number", t.value, t.pos)
        if t.kind == T.SYSTEM_IDENT and t.value != ":*":
            self.advance()
            return ColumnRef(t.value, t.pos)
        if t.kind == T.QUOTED_IDENT:
            self.advance()
            return ColumnRef(t.value, t.pos)
        if t.is_op("("):
            self.advance()
            e = self.expr()
            self.expect_op(")")
            return e
        if t.kind == T.IDENT:
            if t.value in ("true", "false"):
                self.advance()
                return Literal("boolean", t.value == "true", t.pos)
            if t.value == "null":
                self.advance()
                return Literal("null", None, t.pos)
            if t.value == "case" and not self.peek().is_op("("):
                return self.sql_case()
            if t.value in _RESERVED:
                self.fail("an expression")
            self.advance()
            if self.tok.is_op("("):
                return self.call(t)
            return ColumnRef(t.value, t.pos)
        if t.is_op("@"):
            raise SoQLError(UNSUPPORTED, "Table references (@table) are not supported", t.pos)
        self.fail("an expression")

    def call(self, name: T.Token) -> Expr:
        self.expect_op("(")
        if self.accept_op("*"):
            self.expect_op(")")
            return self.window_check(FunctionCall(name.value, (), name.pos, name.raw, star=True))
        distinct = bool(self.accept_kw("distinct"))
        args: list[Expr] = []
        if not self.tok.is_op(")"):
            args.append(self.expr())
            while self.accept_op(","):
                args.append(self.expr())
        self.expect_op(")")
        return self.window_check(FunctionCall(name.value, tuple(args), name.pos, name.raw, distinct=distinct))

    def window_check(self, call: FunctionCall) -> FunctionCall:
        if self.tok.is_kw("over"):
            raise SoQLError(UNSUPPORTED, "Window functions (OVER) are not supported", self.tok.pos)
        if self.tok.is_kw("filter") and self.peek().is_op("("):
            raise SoQLError(UNSUPPORTED, "Aggregate FILTER clauses are not supported", self.tok.pos)
        return call

    def sql_case(self) -> Expr:
        """``CASE WHEN c THEN v ... [ELSE e] END`` -> ``case(c, v, ..., true, e)``."""
        start = self.advance()
        args: list[Expr] = []
        while self.accept_kw("when"):
            args.append(self.expr())
            self.expect_kw("then")
            args.append(self.expr())
        if not args:
            self.fail("WHEN")
        form = "case"
        if t := self.accept_kw("else"):
            args += [Literal("boolean", True, t.pos), self.expr()]
            form = "case-else"
        self.expect_kw("end")
        return FunctionCall("case", tuple(args), start.pos, start.raw, keyword=form)

    # -- clauses ---------------------------------------------------------------
    def selection(self, q: Query) -> None:
        items: list[SelectItem] = []
        while True:
            t = self.tok
            if t.kind == T.SYSTEM_IDENT and t.value == ":*":
                self.advance()
                if q.system_star:
                    raise SoQLError(BAD_PARSE, "`:*` given twice", t.pos)
                q.system_star, q.system_star_index = True, len(items)
            elif t.is_op("*"):
                self.advance()
                if q.star:
                    raise SoQLError(BAD_PARSE, "`*` given twice", t.pos)
                q.star, q.star_index = True, len(items)
            else:
                paren = t.is_op("(")
                e = self.expr()
                alias = alias_pos = None
                if self.accept_kw("as"):
                    a = self.identifier()
                    alias, alias_pos = a.value, a.pos
                items.append(SelectItem(e, alias, alias_pos, paren and isinstance(e, ColumnRef)))
            if not self.accept_op(","):
                break
        q.select = items

    def expr_list(self) -> list[Expr]:
        out = [self.expr()]
        while self.accept_op(","):
            out.append(self.expr())
        return out

    def order_list(self) -> list[OrderItem]:
        out = []
        while True:
            e = self.expr()
            asc = True
            if self.accept_kw("desc"):
                asc = False
            else:
                self.accept_kw("asc")
            nulls_first = None
            if self.accept_kw("null", "nulls"):
                if self.accept_kw("first"):
                    nulls_first = True
                elif self.accept_kw("last"):
                    nulls_first = False
                else:
                    self.fail("FIRST or LAST")
            out.append(OrderItem(e, asc, nulls_first))
            if not self.accept_op(","):
                return out

    def integer(self, what: str) -> int:
        t = self.tok
        if t.kind != T.NUMBER or not (t.value.isascii() and t.value.isdigit()):
            self.fail(f"a non-negative integer for {what}")
        if len(t.value) > 15:
            raise SoQLError(BAD_PARSE, f"{what} is too large", t.pos)
        self.advance()
        return int(t.value)

    def string(self, what: str) -> str:
        t = self.tok
        if t.kind != T.STRING:
            self.fail(f"a string literal for {what}")
        self.advance()
        return t.value

    def statement(self) -> Query:
        q = Query()
        self.expect_kw("select")
        q.distinct = bool(self.accept_kw("distinct"))
        self.selection(q)
        if self.tok.is_kw("from", "join"):
            raise SoQLError(UNSUPPORTED, "FROM and JOIN are not supported in SODA 2.1 queries", self.tok.pos)
        if self.accept_kw("where"):
            q.where = self.expr()
        if self.accept_kw("group"):
            self.expect_kw("by")
            q.group_by = self.expr_list()
        if self.accept_kw("having"):
            q.having = self.expr()
        seen_order = seen_search = False
        while True:
            if not seen_order and self.accept_kw("order"):
                self.expect_kw("by")
                q.order_by = self.order_list()
                seen_order = True
            elif not seen_search and self.accept_kw("search"):
                q.search = self.string("SEARCH")
                seen_search = True
            else:
                break
        seen_limit = seen_offset = False
        while True:
            if not seen_limit and self.accept_kw("limit"):
                q.limit = self.integer("LIMIT")
                seen_limit = True
            elif not seen_offset and self.accept_kw("offset"):
                q.offset = self.integer("OFFSET")
                seen_offset = True
            else:
                break
        if self.tok.is_kw("union", "intersect", "minus"):
            raise SoQLError(UNSUPPORTED, "UNION and other set operations are not supported", self.tok.pos)
        self.expect_eof()
        return q


# -- entry points ---------------------------------------------------------------
def parse_statement(text: str) -> Query:
    """A whole ``$query`` statement."""
    return Parser(text).statement()


def parse_expression(text: str) -> Expr:
    p = Parser(text)
    e = p.expr()
    p.expect_eof()
    return e


def parse_selection(text: str, q: Query) -> None:
    """``$select`` text into ``q`` (select items, stars, DISTINCT)."""
    p = Parser(text)
    q.distinct = bool(p.accept_kw("distinct"))
    p.selection(q)
    p.expect_eof()


def parse_expr_list(text: str) -> list[Expr]:
    p = Parser(text)
    out = p.expr_list()
    p.expect_eof()
    return out


def parse_order(text: str) -> list[OrderItem]:
    p = Parser(text)
    out = p.order_list()
    p.expect_eof()
    return out


def parse_integer(text: str, what: str) -> int:
    p = Parser(text)
    n = p.integer(what)
    p.expect_eof()
    return n
