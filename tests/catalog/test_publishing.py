"""The publishing service: versions, visibility, audit, locks, crash safety."""

from __future__ import annotations

import threading

import pyarrow as pa
import pytest

from openborough.catalog import publishing
from openborough.catalog.ids import is_dataset_id, new_dataset_id
from openborough.catalog.models import AuditEntry, Dataset, Version
from openborough.catalog.publishing import PublishError, create_dataset, set_visibility, write_rows
from openborough.catalog.storage import get_store
from openborough.soql.types import Column, Schema, SoQLType

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMA = Schema((Column("ref", SoQLType.TEXT, "Ref"), Column("amount", SoQLType.NUMBER, "Amount")))


def rows(*pairs):
    return pa.table(
        {"ref": pa.array([p[0] for p in pairs], pa.string()), "amount": pa.array([p[1] for p in pairs], pa.float64())}
    )


def read_all(ds: Dataset) -> list[tuple]:
    store = get_store()
    cur = store.execute(f"SELECT ref, amount FROM {store.table(ds.id, ds.current_version).sql(store.dialect)} ORDER BY ref")
    try:
        return list(cur)
    finally:
        cur.close()


def test_ids_are_socrata_style():
    for _ in range(200):
        assert is_dataset_id(new_dataset_id())
    assert not is_dataset_id("ABCD-1234")
    assert not is_dataset_id("abcd1234")
    assert not is_dataset_id("abcd-12345")


def test_create_then_upsert_replace_and_audit():
    ds = create_dataset({"name": "Payments"}, SCHEMA, row_identifier="ref", actor="test")
    assert is_dataset_id(ds.id) and ds.current_version == 1 and ds.row_count == 0
    out = write_rows(ds, rows(("a", 1.0), ("b", 2.0)), SCHEMA, mode="upsert", actor="test")
    assert (out.created, out.updated, out.deleted) == (2, 0, 0)
    out = write_rows(ds, rows(("b", 20.0), ("c", 3.0)), SCHEMA, mode="upsert", deleted_ids=["a"], actor="test")
    assert (out.created, out.updated, out.deleted) == (1, 1, 1)
    ds.refresh_from_db()
    assert ds.current_version == 3 and ds.row_count == 2
    assert read_all(ds) == [("b", 20.0), ("c", 3.0)]
    out = write_rows(ds, rows(("z", 9.0)), SCHEMA, mode="replace", actor="test")
    ds.refresh_from_db()
    assert read_all(ds) == [("z", 9.0)]
    assert list(ds.versions.values_list("number", "kind")) == [(4, "replace"), (3, "upsert"), (2, "upsert"), (1, "create")]
    actions = list(AuditEntry.objects.filter(dataset_id=ds.id).order_by("at").values_list("action", flat=True))
    assert actions == ["publish", "upsert", "upsert", "replace"]


def test_private_needs_a_recorded_exemption():
    ds = create_dataset({"name": "Staff list"}, SCHEMA, actor="test")
    with pytest.raises(PublishError) as e:
        set_visibility(ds, "private", exemption="", reason="personal data")
    assert e.value.code == "exemption-required"
    with pytest.raises(PublishError):
        set_visibility(ds, "private", exemption="s40", reason="   ")
    set_visibility(ds, "private", exemption="s40", reason="Names of junior staff", actor="test")
    ds.refresh_from_db()
    assert ds.visibility == "private" and ds.exemption == "s40" and ds.exemption_review_date is not None
    assert not ds.is_public
    entry = AuditEntry.objects.filter(dataset_id=ds.id, action="visibility").latest("at")
    assert entry.details["exemption"] == "s40" and entry.details["after"] == "private"
    set_visibility(ds, "public", actor="test")
    ds.refresh_from_db()
    assert ds.is_public and ds.exemption == "" and ds.exemption_review_date is None


def test_new_dataset_needs_title_and_valid_id():
    with pytest.raises(PublishError) as e:
        create_dataset({"name": " "}, SCHEMA)
    assert e.value.code == "title-required"
    with pytest.raises(PublishError) as e:
        create_dataset({"name": "x"}, SCHEMA, dataset_id="NOT-AN-ID")
    assert e.value.code == "bad-id"


def test_crash_mid_write_keeps_previous_version_served():
    ds = create_dataset({"name": "Payments"}, SCHEMA, row_identifier="ref", actor="test")
    write_rows(ds, rows(("a", 1.0)), SCHEMA, mode="replace", actor="test")
    ds.refresh_from_db()

    def exploding():
        yield rows(("x", 1.0)).to_batches()[0]
        raise RuntimeError("disk pulled out mid-ingest")

    reader = pa.RecordBatchReader.from_batches(rows(("x", 1.0)).schema, exploding())
    store = get_store()
    with pytest.raises(Exception, match="disk pulled out"):
        store.write_version(ds.id, 3, SCHEMA, reader)
    assert not store.has_version(ds.id, 3)
    ds.refresh_from_db()
    assert ds.current_version == 2 and read_all(ds) == [("a", 1.0)]
    # an orphan file (a crash after the rename, before the catalogue commit) is cleaned by the next write
    store.write_version(ds.id, 3, SCHEMA, rows(("orphan", 0.0)).to_reader())
    write_rows(ds, rows(("b", 2.0)), SCHEMA, mode="upsert", actor="test")
    ds.refresh_from_db()
    assert ds.current_version == 3 and read_all(ds) == [("a", 1.0), ("b", 2.0)]


def test_catalogue_failure_removes_the_new_version(monkeypatch):
    ds = create_dataset({"name": "Payments"}, SCHEMA, row_identifier="ref", actor="test")

    def boom(*a, **k):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Version.objects, "create", boom)
    with pytest.raises(RuntimeError):
        write_rows(ds, rows(("a", 1.0)), SCHEMA, mode="upsert", actor="test")
    ds.refresh_from_db()
    assert ds.current_version == 1
    assert not get_store().has_version(ds.id, 2)


def test_concurrent_upserts_lose_nothing():
    ds = create_dataset({"name": "Payments"}, SCHEMA, row_identifier="ref", actor="test")
    errors = []

    def worker(prefix):
        from django.db import connection

        try:
            for i in range(5):
                d = Dataset.objects.get(pk=ds.id)
                write_rows(d, rows((f"{prefix}{i}", float(i))), SCHEMA, mode="upsert", actor="test")
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(p,)) for p in "abc"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    ds.refresh_from_db()
    assert ds.row_count == 15 and ds.current_version == 16
    assert sorted(r[0] for r in read_all(ds)) == sorted(f"{p}{i}" for p in "abc" for i in range(5))


def test_old_versions_are_pruned(settings):
    settings.OPENBOROUGH_KEEP_VERSIONS = 2
    ds = create_dataset({"name": "Payments"}, SCHEMA, row_identifier="ref", actor="test")
    for i in range(4):
        write_rows(ds, rows((f"r{i}", 1.0)), SCHEMA, mode="replace", actor="test")
    ds.refresh_from_db()
    store = get_store()
    assert [store.has_version(ds.id, n) for n in range(1, 6)] == [False, False, False, True, True]
    assert list(ds.versions.filter(stored=True).values_list("number", flat=True)) == [5, 4]


def test_publish_modes_need_an_existing_dataset():
    with pytest.raises(PublishError) as e:
        publishing._dataset_for_write(None, "append", {"name": "x"})
    assert e.value.code == "not-found"
    with pytest.raises(PublishError):
        publishing._dataset_for_write("abcd-1234", "upsert", {})


def test_update_columns_changes_names_and_descriptions_without_a_version():
    schema = Schema((Column("ref", SoQLType.TEXT, "Ref"), Column("amount", SoQLType.NUMBER, "Amount")))
    ds = create_dataset({"name": "Columns"}, schema, actor="test")
    versions = Version.objects.filter(dataset=ds).count()
    changed = publishing.update_columns(
        ds, {"ref": {"name": "Reference", "description": "PCN number"}, "amount": {"name": "Amount"}}, actor="test"
    )
    assert changed == ["ref"]
    assert [(c.field_name, c.name, c.description) for c in ds.schema().columns] == [
        ("ref", "Reference", "PCN number"),
        ("amount", "Amount", ""),
    ]
    assert Version.objects.filter(dataset=ds).count() == versions
    assert AuditEntry.objects.filter(dataset_id=ds.id, action="metadata").latest("pk").details == {"fields": ["ref"]}
    with pytest.raises(PublishError) as e:
        publishing.update_columns(ds, {"nope": {"name": "x"}}, actor="test")
    assert e.value.code == "no-such-column"
def test_publish_file_keeps_row_times_from_named_columns(tmp_path):
    """``stamps``: a harvested portal's row times become :created_at / :updated_at, not user columns."""
    from openborough.catalog.publishing import publish_file
    from openborough.ingest import IngestOptions

    path = tmp_path / "rows.csv"
    path.write_text("src_created,src_updated,ref\n2019-04-01T09:30:00.000Z,2021-06-07T08:09:00.000Z,A\n,,B\n")
    ts = {"src_created": SoQLType.FIXED_TIMESTAMP, "src_updated": SoQLType.FIXED_TIMESTAMP}
    stamps = {"src_created": ":created_at", "src_updated": ":updated_at"}
    out = publish_file(path, meta={"name": "Times"}, options=IngestOptions(types=dict(ts)), stamps=stamps)
    assert [c.field_name for c in out.dataset.schema().columns] == ["ref"]
    store = get_store()
    t = store.table(out.dataset.id, out.version.number).sql(store.dialect)
    cur = store.execute(f'SELECT ref, ":created_at", ":updated_at" FROM {t} ORDER BY ref')
    try:
        (a, b) = list(cur)
    finally:
        cur.close()
    import datetime as dt

    assert (a[1], a[2]) == (dt.datetime(2019, 4, 1, 9, 30, tzinfo=dt.UTC), dt.datetime(2021, 6, 7, 8, 9, tzinfo=dt.UTC))
    assert b[1] is not None and b[1].year >= 2025  # an empty cell gets the time of publishing
    with pytest.raises(PublishError) as e:
        publish_file(path, meta={"name": "Times"}, options=IngestOptions(), stamps={"nope": ":created_at"})
    assert e.value.code == "bad-stamps"
    with pytest.raises(PublishError) as e:
        publish_file(
            path, dataset_id=out.dataset.id, mode="append", options=IngestOptions(types=dict(ts)), stamps=stamps
        )
    assert e.value.code == "bad-mode"
