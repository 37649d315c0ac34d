"""Type inference and validation in DuckDB SQL, over the whole file.

Two scans: a sample (the first rows) proposes candidate types for each
column — a kind is a candidate when at least 95 % of the sample's non-blank
cells parse as it — and one aggregate scan over the whole file counts, for
every candidate and every type the publisher fixed, the cells that do not
parse. A column gets an inferred type only when no cell fails it; a
candidate that fails a few cells becomes a hint. Row numbers and examples
are fetched afterwards, only for what failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..soql.types import SoQLType
from .options import IngestOptions
from .plan import OutColumn
from .report import MAX_EXAMPLES, Finding
from .source import Source, lit, q
from .sqltypes import AMBIGUOUS_DATE, INFER_KINDS, KIND_NOUN, KIND_TYPE, SHAPES, blank, kinds_for

SAMPLE_ROWS = 5_000
DEDUPE_SHARE = 0.5  # distinct values / non-blank cells in the sample, at most
NEAR_MISS = 0.95


def cell(src: Source, c) -> str:
    return src.text(c)


def latlon_point(src: Source, oc: OutColumn) -> str:
    lat, lon = oc.latlon
    return f"ob_mkpoint(ob_number({cell(src, lon)}), ob_number({cell(src, lat)}))"


def latlon_blank(src: Source, oc: OutColumn) -> str:
    lat, lon = oc.latlon
    return f"({blank(cell(src, lat))} AND {blank(cell(src, lon))})"


def typed_expr(src: Source, oc: OutColumn) -> str:
    """SQL for the stored value of an output column."""
    if oc.kind == "latlon":
        return latlon_point(src, oc)
    if oc.kind == "physical":
        return q(oc.src.col)
    if oc.kind is None:
        return cell(src, oc.src)
    if oc.kind == "number" and oc.verified:
        return f"ob_number_verified({cell(src, oc.src)})"
    return f"ob_{oc.kind}({cell(src, oc.src)})"


def bad_value(kind: str, v: str) -> str:
    """SQL: text ``v`` is not blank and does not convert as ``kind``."""
    if kind in ("number", "numeric"):
        return f"({v} IS NOT NULL AND ob_{kind}_bad({v}))"
    return f"(NOT {blank(v)} AND ob_{kind}({v}) IS NULL)"


def bad_condition(src: Source, oc: OutColumn, kind: str) -> str:
    if kind == "latlon":
        return f"(NOT {latlon_blank(src, oc)} AND {latlon_point(src, oc)} IS NULL)"
    return bad_value(kind, cell(src, oc.src))


@dataclass
class Analysis:
    row_count: int = 0
    problems: list[Finding] = field(default_factory=list)
    hints: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    coerced: dict[str, int] = field(default_factory=dict)
    row_id_stats: tuple[int, int] | None = None  # (non-null values, distinct values) of the row id column
    ragged_rows: int = 0  # rows with fewer or more cells than the header


class Analyser:
    def __init__(
        self,
        con,
        src: Source,
        cols: list[OutColumn],
        opts: IngestOptions,
        row_id: str | None = None,
        dedupe: bool = True,
    ):
        self.con, self.src, self.cols, self.opts = con, src, cols, opts
        self.allow_dedupe = dedupe
        self.row_id = next((c for c in cols if c.field_name == row_id), None) if row_id else None

    # -- helpers --------------------------------------------------------------
    def _one(self, sql: str) -> tuple:
        return self.con.execute(sql).fetchone()

    def examples(self, cond: str, value: str, limit: int = MAX_EXAMPLES) -> list[tuple[int, object]]:
        sql = (
            f"SELECT __row, {value} FROM (SELECT row_number() OVER () AS __row, * FROM {self.src.sql}) "
            f"WHERE {cond} LIMIT {limit}"
        )
        return self.con.execute(sql).fetchall()

    # -- the scans --------------------------------------------------------------
    def _sample(self) -> dict[int, dict[str, float]]:
        """Sample pass. Returns, for each column to infer, the kinds with their share of the
        sample's non-blank cells; notes which columns repeat values enough to check them
        value by value rather than cell by cell."""
        todo = [i for i, oc in enumerate(self.cols) if oc.fixed is None and oc.src is not None]
        with_src = [i for i, oc in enumerate(self.cols) if oc.src is not None and not oc.src.physical]
        self._ambiguous: dict[int, int] = {}
        self._dedupe: set[int] = set()
        if not with_src:
            return {}
        aggs = []
        for i in with_src:
            v = cell(self.src, self.cols[i].src)
            aggs += [f"count(*) FILTER (WHERE NOT {blank(v)})", f"approx_count_distinct({v})"]
        for i in todo:
            v = cell(self.src, self.cols[i].src)
            aggs += [f"count(*) FILTER (WHERE regexp_full_match({v}, {lit(SHAPES[k])}))" for k in INFER_KINDS]
            aggs.append(f"count(*) FILTER (WHERE regexp_full_match({v}, {lit(AMBIGUOUS_DATE)}))")
        n = self.opts.sample_rows or SAMPLE_ROWS
        row = self._one(f"SELECT {', '.join(aggs)} FROM (SELECT * FROM {self.src.sql} LIMIT {n})")
        nonblank = {}
        for j, i in enumerate(with_src):
            nonblank[i], ndv = row[2 * j], row[2 * j + 1]
            if self.allow_dedupe and nonblank[i] and ndv <= DEDUPE_SHARE * nonblank[i]:
                self._dedupe.add(i)
        row = row[2 * len(with_src) :]
        out = {}
        width = len(INFER_KINDS) + 1
        for j, i in enumerate(todo):
            part = row[j * width : (j + 1) * width]
            shares = {}
            if nonblank[i]:
                for k, passed in zip(INFER_KINDS, part[:-1], strict=True):
                    if passed / nonblank[i] >= NEAR_MISS:
                        shares[k] = passed / nonblank[i]
            out[i] = shares
            self._ambiguous[i] = part[-1]
        return out

    def run(self) -> Analysis:
        result = Analysis()
        src, cols, opts = self.src, self.cols, self.opts
        candidates = self._sample()
        checks: list[tuple[int, str]] = []  # (column index, kind) whose failures the full scan counts
        for i, oc in enumerate(cols):
            if oc.kind == "latlon":
                checks.append((i, "latlon"))
            elif oc.src is not None and oc.src.physical:
                oc.kind, oc.type = "physical", oc.fixed
            elif oc.fixed is not None:
                oc.type = oc.fixed
                kinds = kinds_for(oc.fixed, opts.date_order)
                checks += [(i, k) for k in kinds]
            else:
                checks += [(i, k) for k in candidates.get(i, {})]
        aggs = ["count(*)"]
        # a column that repeats its values is checked value by value, each weighted by its count
        for i, k in checks:
            if i in self._dedupe and k != "latlon":
                v = cell(src, cols[i].src)
                aggs.append(
                    f"coalesce(list_sum(list_transform(list_filter(map_entries(histogram({v})), "
                    f"lambda e: {bad_value(k, 'e.key')}), lambda e: e.value)), 0)"
                )
            else:
                aggs.append(f"count(*) FILTER (WHERE {bad_condition(src, cols[i], k)})")
        # non-empty cells of columns that may get a hint, to tell a near miss from a far one
        hinted = [i for i in candidates if candidates[i]]
        aggs += [f"count({cell(src, cols[i].src)})" for i in hinted]
        if src.ragged:
            last = q(src.columns[-1].col)
            x = [q(c) for c in src.extra_cols]
            data_extra = " OR ".join(f"NOT {blank(c)}" for c in x)
            aggs += [
                f"count(*) FILTER (WHERE {last} IS NULL)",
                f"count(*) FILTER (WHERE {x[0]} IS NOT NULL)",
                f"count(*) FILTER (WHERE {data_extra})",
                "sum(" + " + ".join(f"CASE WHEN NOT {blank(c)} THEN 1 ELSE 0 END" for c in x) + ")",
                f"count(*) FILTER (WHERE {x[-1]} IS NOT NULL)",
            ]
        # uniqueness of the row identifier under each type it may end up with
        rid_kinds: list[str | None] = []
        if self.row_id is not None and self.row_id.kind not in ("latlon", "physical") and self.row_id.src:
            rid = cols.index(self.row_id)
            rid_kinds = [k for i, k in checks if i == rid] or [None]
            for k in rid_kinds:
                v = cell(src, self.row_id.src)
                # the values the column will hold if kind k passes (then the plain cast is exact)
                expr = v if k is None else f"ob_number_verified({v})" if k == "number" else f"ob_{k}({v})"
                aggs += [f"count({expr})", f"count(DISTINCT {expr})"]
        row = self._one(f"SELECT {', '.join(aggs)} FROM {src.sql}")
        result.row_count = row[0]
        rid_stats = {}
        if rid_kinds:
            tail = row[len(row) - 2 * len(rid_kinds) :]
            row = row[: len(row) - 2 * len(rid_kinds)]
            rid_stats = {k: (tail[2 * j], tail[2 * j + 1]) for j, k in enumerate(rid_kinds)}
        failures: dict[int, dict[str, int]] = {}
        for (i, k), bad in zip(checks, row[1 : 1 + len(checks)], strict=True):
            failures.setdefault(i, {})[k] = bad
        row = row[1 + len(checks) :]
        self._nonblank = dict(zip(hinted, row[: len(hinted)], strict=True))
        row = row[len(hinted) :]
        if src.ragged:
            self._ragged(result, *row)
        if src.long_rows is not None:
            lr = src.long_rows
            self._long_rows(result, lr.count, lr.rows, [], lr.cells)
        for i, oc in enumerate(cols):
            self._decide(result, i, oc, failures.get(i, {}), candidates.get(i, {}))
        if self.row_id is not None and self.row_id.kind in rid_stats:
            if not failures.get(cols.index(self.row_id), {}).get(self.row_id.kind):
                result.row_id_stats = rid_stats[self.row_id.kind]
        return result

    # -- decisions ------------------------------------------------------------
    def _decide(self, result: Analysis, i: int, oc: OutColumn, fails: dict[str, int], shares: dict[str, float]):
        if oc.kind in ("physical",):
            return
        if oc.kind == "latlon":
            bad = fails.get("latlon", 0)
            if bad:
                self._bad(result, oc, "latlon", bad, "valid latitude/longitude pairs")
            return
        if oc.fixed is not None:
            kinds = kinds_for(oc.fixed, self.opts.date_order)
            if not kinds:
                oc.kind = None
                return
            best = min(kinds, key=lambda k: (fails.get(k, 0), kinds.index(k)))
            oc.kind = best
            if fails.get(best):
                self._bad(result, oc, best, fails[best], KIND_NOUN[best])
            return
        oc.inferred = True
        sampled = self.opts.sample_rows is not None
        passing = [k for k in INFER_KINDS if k in shares and (fails.get(k) == 0 or (sampled and shares[k] == 1.0))]
        if passing:
            kind = passing[0]
            if kind in ("dmy", "mdy") and "dmy" in passing and "mdy" in passing:
                kind = self.opts.date_order
                if self._ambiguous.get(i):
                    result.warnings.append(
                        f"dates in {oc.field_name} fit both day/month orders; read them as "
                        + ("day/month/year" if kind == "dmy" else "month/day/year")
                        + " (date_order)"
                    )
            oc.kind, oc.type = kind, KIND_TYPE[kind]
            if fails.get(kind):
                self._bad(result, oc, kind, fails[kind], KIND_NOUN[kind])
            else:
                oc.verified = kind in fails  # checked over the whole file, not only the sample
            return
        oc.kind, oc.type = None, SoQLType.TEXT
        nonblank = self._nonblank.get(i) or 0
        near = [k for k in INFER_KINDS if k in shares and fails.get(k) and fails[k] <= (1 - NEAR_MISS) * nonblank]
        if near:
            k = near[0]
            found = self.examples(bad_condition(self.src, oc, k), cell(self.src, oc.src))
            noun = KIND_NOUN[k]
            result.hints.append(
                Finding(
                    kind="near-miss",
                    field=oc.field_name,
                    count=fails[k],
                    message=f"{fails[k]:,} values in {oc.field_name} are not {noun} (e.g. "
                    + ", ".join(repr(v) for _, v in found[:3])
                    + "); kept as text",
                    rows=[r for r, _ in found],
                    examples=[str(v) for _, v in found],
                )
            )

    def _bad(self, result: Analysis, oc: OutColumn, kind: str, count: int, noun: str):
        if kind == "latlon":
            lat, lon = oc.latlon
            value = f"concat_ws(', ', {cell(self.src, lat)}, {cell(self.src, lon)})"
        else:
            value = cell(self.src, oc.src)
        found = self.examples(bad_condition(self.src, oc, kind), value)
        want = oc.type.value
        result.problems.append(
            Finding(
                kind="bad-value",
                field=oc.field_name,
                count=count,
                message=f"{count:,} values in {oc.field_name} are not {noun} ({want})",
                rows=[r for r, _ in found],
                examples=[str(v) for _, v in found],
            )
        )
        if self.opts.on_bad == "null":
            result.coerced[oc.field_name] = result.coerced.get(oc.field_name, 0) + count

    def _ragged(self, result: Analysis, short: int, long_any: int, long_data: int, extra_cells: int, cut: int):
        src = self.src
        result.ragged_rows = short + long_any
        if short:
            found = self.examples(f"{q(src.columns[-1].col)} IS NULL", "NULL", 10)
            rows = ", ".join(str(r) for r, _ in found) + (" …" if short > len(found) else "")
            result.warnings.append(
                f"{short:,} rows have fewer cells than the header's {len(src.columns)}; "
                f"the missing cells are null (rows {rows})"
            )
        if long_any > long_data:
            result.warnings.append(
                f"{long_any - long_data:,} rows end with empty cells beyond the header's {len(src.columns)} columns; ignored"
            )
        if long_data:
            x = [q(c) for c in src.extra_cols]
            cond = " OR ".join(f"NOT {blank(c)}" for c in x)
            found = self.examples(cond, f"concat_ws(',', {', '.join(x[:4])})", MAX_EXAMPLES)
            self._long_rows(result, long_data, [r for r, _ in found], [str(v) for _, v in found], extra_cells, cut)

    def _long_rows(self, result, count, rows, examples, cells, cut=0):
        width = len(self.src.columns)
        msg = f"{count:,} rows have more cells than the header's {width} columns ({cells:,} extra cells"
        msg += ", some rows have even more)" if cut else ")"
        result.problems.append(
            Finding(kind="long-row", count=count, message=msg, rows=list(rows), examples=list(examples))
        )
        if self.opts.on_bad == "null":
            result.coerced["(cells beyond the header)"] = cells
