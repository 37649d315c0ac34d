"""SODA producer writes on ``/resource``: upsert (POST), replace (PUT), row and
dataset-level deletes, and soda-js's row paths. Every write goes through
``catalog.publishing.write_rows`` (dataset lock, a new immutable version,
audit), so concurrent upserts run one after another and none is lost."""

from __future__ import annotations

from typing import Any

import orjson
import pyarrow as pa
from django.http import HttpResponse

from ..catalog.publishing import write_rows
from ..soql.types import SoQLType
from .access import get_dataset
from .auth import require_publisher
from .body import json_rows
from .errors import JSON_TYPE, SodaError

IGNORED_KEYS = {":created_at", ":updated_at", ":version"}


def counters(created=0, updated=0, deleted=0, errors=0, by_rowid=0, by_sid=0) -> dict:
    return {
        "By RowIdentifier": by_rowid,
        "Rows Updated": updated,
        "Rows Deleted": deleted,
        "Rows Created": created,
        "Errors": errors,
        "By SID": by_sid,
    }


def json_response(payload: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(payload), status=status, content_type=JSON_TYPE)


def to_table(rows: list[dict], schema) -> pa.Table:
    """SODA JSON rows → the physical Arrow table of ``schema`` (user columns)."""
    from ..soql import values

    try:
        return values.build_table(schema, rows)
    except SodaError:
        raise
    except (ValueError, TypeError) as e:
        raise SodaError(400, "soda.column.maltyped", str(e)) from None


def _row_key(value, ty: SoQLType):
    """A row-identifier value as the store compares it (its physical value)."""
    if ty.is_numeric:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise SodaError(400, "soda.column.maltyped", f"Row identifier value {value!r} is not a number") from None
    return str(value)


def _sid(value) -> int:
    from ..soql.output import parse_row_id

    try:
        return int(parse_row_id(str(value)))
    except (ValueError, TypeError, KeyError):
        raise SodaError(400, "soda.row.malformed-id", f"{value!r} is not a row id (row-…)") from None


class Batch:
    """Incoming rows split into upserts and deletions, checked against the schema."""

    def __init__(self, ds, raw: list, *, replace: bool):
        self.ds = ds
        self.schema = ds.schema()
        self.fields = {c.field_name: c for c in self.schema.columns}
        self.rid = ds.row_identifier or ""
        self.rows: list[dict] = []
        self.deletes: list = []
        for i, item in enumerate(raw):
            self._add(i, item, replace)

    def _err(self, i: int, code: str, msg: str) -> SodaError:
        return SodaError(400, code, f"Row {i}: {msg}", {"row": i})

    def _add(self, i: int, item, replace: bool) -> None:
        if isinstance(item, list):
            if len(item) != 1:
                raise self._err(i, "soda.row.upsert-row-not-an-object", "a row is an object, or [id] to delete")
            item = {(self.rid or ":id"): item[0], ":deleted": True}
        if not isinstance(item, dict):
            raise self._err(i, "soda.row.upsert-row-not-an-object", "a row must be a JSON object")
        row = {}
        deleted = False
        sid = None
        for key, value in item.items():
            if key == ":deleted":
                deleted = (
                    value is True or value == 1 or (isinstance(value, str) and value.strip().lower() in ("true", "1"))
                )
            elif key == ":id":
                sid = value
            elif key in IGNORED_KEYS:
                continue
            elif key in self.fields:
                row[key] = value
            else:
                raise self._err(i, "soda.row.column-not-found", f"no column {key!r} in dataset {self.ds.id}")
        if deleted:
            if replace:
                return
            if self.rid:
                if row.get(self.rid) is None:
                    raise self._err(i, "soda.row.delete-without-primary-key", f"a deletion needs {self.rid}")
                self.deletes.append(_row_key(row[self.rid], self.fields[self.rid].type))
            else:
                if sid is None:
                    raise self._err(i, "soda.row.delete-without-primary-key", "a deletion needs :id")
                self.deletes.append(_sid(sid))
            return
        if self.rid:
            if row.get(self.rid) is None:
                raise self._err(
                    i, "soda.row.primary-key-nonexistent-or-null", f"the row identifier {self.rid} is missing or null"
                )
        elif sid is not None and not replace:
            raise self._err(
                i,
                "soda.row.update-by-sid-unsupported",
                f"dataset {self.ds.id} has no row identifier column, so rows cannot be updated by :id; "
                "delete the row and add it again, or give the dataset a row identifier",
            )
        self.rows.append(row)

    def fill_partial(self) -> None:
        """An upserted object that names only some columns keeps the others' stored values.
        Call it under the dataset's lock (``write_rows`` with a table function), with
        ``self.ds`` the dataset as it is then, or a concurrent write can be lost."""
        if not self.rid or self.ds.current_version is None:
            return
        partial = [r for r in self.rows if set(r) != set(self.fields)]
        if not partial:
            return
        from .reading import execute, prepare, rows

        col = self.fields[self.rid]
        for start in range(0, len(partial), 500):
            chunk = partial[start : start + 500]
            lits = ", ".join("'" + str(r[self.rid]).replace("'", "''") + "'" for r in chunk)
            prep = prepare(self.ds, {"$select": "*", "$where": f"`{col.field_name}` IN ({lits})"})
            from .render import json_values

            existing = {}
            for vals in json_values(prep.columns, rows(execute(prep))):
                rec = dict(zip(prep.names, vals, strict=False))
                existing[str(_row_key(rec[self.rid], col.type))] = rec
            for r in chunk:
                old = existing.get(str(_row_key(r[self.rid], col.type)))
                if old:
                    for k, v in old.items():
                        r.setdefault(k, v)


def _run(request, user, ds, raw: list, *, replace: bool) -> dict:
    batch = Batch(ds, raw, replace=replace)
    if replace and batch.rid:
        keys = [str(_row_key(r[batch.rid], batch.fields[batch.rid].type)) for r in batch.rows]
        if len(set(keys)) != len(keys):
            raise SodaError(400, "soda.row.duplicate-key", f"Rows repeat values of the row identifier {batch.rid}")
    before = ds.row_count

    def table(current):  # under the dataset's lock: the stored rows a partial upsert keeps are current
        if not replace:
            batch.ds = current
            batch.fill_partial()
        return to_table(batch.rows, batch.schema)

    actor = f"api:{user.get_username()}"
    out = write_rows(
        ds,
        table,
        batch.schema,
        mode="replace" if replace else "upsert",
        deleted_ids=batch.deletes,
        user=user,
        actor=actor,
    )
    if replace:
        return counters(created=out.version.row_count, deleted=before)
    by = out.updated + out.deleted
    return counters(
        created=out.created,
        updated=out.updated,
        deleted=out.deleted,
        by_rowid=by if batch.rid else 0,
        by_sid=0 if batch.rid else out.deleted,
    )


def dataset_write(request, user, dataset_id: str) -> HttpResponse:
    user = require_publisher(request, user)
    ds = get_dataset(dataset_id, user)
    if request.method == "DELETE":  # soda-js truncate
        return json_response(_run(request, user, ds, [], replace=True))
    raw = json_rows(request)
    return json_response(_run(request, user, ds, raw, replace=request.method == "PUT"))


def row_write(request, user, dataset_id: str, rowid: str) -> HttpResponse:
    user = require_publisher(request, user)
    ds = get_dataset(dataset_id, user)
    from .resource import find_row

    if request.method == "DELETE":
        prep, row = find_row(ds, rowid, True)
        rec = dict(zip(prep.names, row, strict=False))
        key = {ds.row_identifier: rowid} if ds.row_identifier else {":id": rowid}
        if ds.row_identifier and rec.get(ds.row_identifier) is not None:
            from .render import json_values

            key = {ds.row_identifier: next(json_values(prep.columns, [row]))[prep.names.index(ds.row_identifier)]}
        result = _run(request, user, ds, [{**key, ":deleted": True}], replace=False)
        return json_response(result)
    (obj,) = json_rows(request, single=True)
    if not ds.row_identifier:
        raise SodaError(
            400,
            "soda.row.update-by-sid-unsupported",
            f"dataset {ds.id} has no row identifier column; add rows with POST /resource/{ds.id}.json",
        )
    obj = {k: v for k, v in obj.items() if k not in (":id",)}
    obj.setdefault(ds.row_identifier, rowid)
    if request.method == "PUT":  # replace the whole row: unnamed columns become null
        schema = ds.schema()
        for c in schema.columns:
            obj.setdefault(c.field_name, None)
    return json_response(_run(request, user, ds, [obj], replace=False))
