"""The full-text index over portal_searchentry: FTS5 on SQLite (kept in sync
by triggers), a GIN index over the weighted tsvector on PostgreSQL. Then the
entries of datasets that already exist are written."""

from django.db import migrations

FTS_COLUMNS = "name, tags, colnames, description, organisation, category"


def _sqlite_sql() -> list[str]:
    cols = FTS_COLUMNS
    new = ", ".join(f"new.{c.strip()}" for c in cols.split(","))
    old = ", ".join(f"old.{c.strip()}" for c in cols.split(","))
    return [
        f"CREATE VIRTUAL TABLE portal_search_fts USING fts5({cols}, content='portal_searchentry', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER portal_search_ai AFTER INSERT ON portal_searchentry BEGIN "
        f"INSERT INTO portal_search_fts(rowid, {cols}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER portal_search_ad AFTER DELETE ON portal_searchentry BEGIN "
        f"INSERT INTO portal_search_fts(portal_search_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER portal_search_au AFTER UPDATE ON portal_searchentry BEGIN "
        f"INSERT INTO portal_search_fts(portal_search_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO portal_search_fts(rowid, {cols}) VALUES (new.id, {new}); END",
    ]


def forwards(apps, schema_editor):
    from openborough.catalog.search import PG_VECTOR_SQL

    conn = schema_editor.connection
    if conn.vendor == "sqlite":
        statements = _sqlite_sql()
    elif conn.vendor == "postgresql":
        statements = [f"CREATE INDEX portal_search_vec ON portal_searchentry USING GIN (({PG_VECTOR_SQL}))"]
    else:
        statements = []  # other databases: search falls back to substring matching
    for sql in statements:
        schema_editor.execute(sql)

    from openborough.catalog.search import entry_fields

    Dataset = apps.get_model("catalog", "Dataset")
    SearchEntry = apps.get_model("portal", "SearchEntry")
    batch = []
    for ds in Dataset.objects.select_related("organisation").prefetch_related("columns").iterator(chunk_size=500):
        batch.append(SearchEntry(dataset_id=ds.pk, **entry_fields(ds, list(ds.columns.all()))))
        if len(batch) >= 500:
            SearchEntry.objects.bulk_create(batch)
            batch = []
    SearchEntry.objects.bulk_create(batch)


def backwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "sqlite":
        for sql in (
            "DROP TRIGGER IF EXISTS portal_search_ai",
            "DROP TRIGGER IF EXISTS portal_search_ad",
            "DROP TRIGGER IF EXISTS portal_search_au",
            "DROP TABLE IF EXISTS portal_search_fts",
        ):
            schema_editor.execute(sql)
    elif conn.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS portal_search_vec")


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial"), ("catalog", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
