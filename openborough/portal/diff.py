"""What changed between two versions of a dataset: rows added, removed and
changed (by the row identifier when the dataset has one, else whole rows)."""

from __future__ import annotations

import logging

from ..catalog.storage import get_store

log = logging.getLogger(__name__)


_CHANGE = {
    "create": "Created with no rows",
    "replace": "Data replaced",
    "append": "Rows added",
    "upsert": "Rows added or updated",
    "delete": "Rows deleted",
}


def with_change_labels(ds, versions) -> list:
    """The versions, each with ``change``: what that version did, in words. The first version with
    data is its first publication, whatever mode wrote it (a first publish "replaces" nothing)."""
    versions = list(versions)
    first = ds.versions.exclude(kind="create").order_by("number").values_list("number", flat=True).first()
    for v in versions:
        if v.number == first and v.kind in ("replace", "append", "upsert"):
            v.change = "First published"
        else:
            v.change = _CHANGE.get(v.kind, v.kind)
            if v.kind in ("append", "upsert", "delete"):
                v.change += f": +{v.rows_created} ~{v.rows_updated} −{v.rows_deleted}"
    return versions


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def version_diff(dataset_id: str, old: int, new: int, old_fields: list[str], new_fields: list[str], row_id: str = ""):
    """{"added", "removed", "changed" (None without a row identifier), "columns_added", "columns_removed"};
    None when a version's rows are no longer stored."""
    store = get_store()
    if not (store.has_version(dataset_id, old) and store.has_version(dataset_id, new)):
        return None
    a = store.table(dataset_id, old).sql(store.dialect)
    b = store.table(dataset_id, new).sql(store.dialect)
    common = [f for f in new_fields if f in set(old_fields)]
    out = {
        "columns_added": [f for f in new_fields if f not in set(old_fields)],
        "columns_removed": [f for f in old_fields if f not in set(new_fields)],
        "changed": None,
    }
    cols = ", ".join(_q(f) for f in common) or "1"

    def scalar(sql: str) -> int:
        cur = store.execute(sql)
        try:
            return int(cur.fetchmany(1)[0][0] or 0)
        finally:
            cur.close()

    if row_id and row_id in common:
        rid = _q(row_id)
        out["added"] = scalar(
            f"SELECT count(*) FROM {b} n WHERE NOT EXISTS (SELECT 1 FROM {a} o WHERE o.{rid} = n.{rid})"
        )
        out["removed"] = scalar(
            f"SELECT count(*) FROM {a} o WHERE NOT EXISTS (SELECT 1 FROM {b} n WHERE o.{rid} = n.{rid})"
        )
        differs = " OR ".join(f"o.{_q(f)} IS DISTINCT FROM n.{_q(f)}" for f in common if f != row_id) or "FALSE"
        out["changed"] = scalar(f"SELECT count(*) FROM {a} o JOIN {b} n ON o.{rid} = n.{rid} WHERE {differs}")
    else:
        out["added"] = scalar(f"SELECT count(*) FROM (SELECT {cols} FROM {b} EXCEPT ALL SELECT {cols} FROM {a}) d")
        out["removed"] = scalar(f"SELECT count(*) FROM (SELECT {cols} FROM {a} EXCEPT ALL SELECT {cols} FROM {b}) d")
    return out


def describe(diff: dict | None) -> str:
    if not diff:
        return ""
    rows = "row" if diff["added"] == 1 else "rows"
    parts = [f"{diff['added']:,} {rows} added", f"{diff['removed']:,} removed"]
    if diff["changed"] is not None:
        parts.append(f"{diff['changed']:,} changed")
    text = ", ".join(parts)
    if diff["columns_added"]:
        text += "; new columns: " + ", ".join(diff["columns_added"])
    if diff["columns_removed"]:
        text += "; columns dropped: " + ", ".join(diff["columns_removed"])
    return text
