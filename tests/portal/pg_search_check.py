"""Run by test_search_pg.py in a subprocess whose Django database is PostgreSQL:
exercises the search index there and prints the results as JSON."""

from __future__ import annotations

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("OPENBOROUGH_DATA_DIR", tempfile.mkdtemp(prefix="ob-pg-search-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "openborough.settings"

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

call_command("migrate", verbosity=0)
from openborough.catalog.models import Dataset, DatasetColumn  # noqa: E402
from openborough.catalog.search import search_datasets  # noqa: E402

out = {"vendor": connection.vendor}
ds = Dataset.objects.create(id="pgpg-0001", name="Penalty charge notices", tags=["parking"], category="Parking")
DatasetColumn.objects.create(dataset=ds, field_name="contravention", name="Contravention", type="text", position=0)
Dataset.objects.create(id="pgpg-0002", name="Allotments", visibility="private", exemption="s40", exemption_reason="x")
out["penalty"] = [d.id for d in search_datasets("penalties").datasets]
out["column"] = [d.id for d in search_datasets("contravention").datasets]
out["typo"] = search_datasets("penlaty chrage").corrected
out["private"] = search_datasets("allotments").total
out["private_staff"] = search_datasets("allotments", include_private=True).total
out["hostile"] = search_datasets("'; DROP TABLE x; -- & | ! :*").total
if len(sys.argv) > 1:
    from tests.portal.catalogue import load_socrata_catalogues
    from tests.portal.relevance import evaluate

    load_socrata_catalogues(sys.argv[1])
    rows = evaluate(lambda q: search_datasets(q, limit=5))
    out["precision_at_5"] = sum(p for _, p, _ in rows) / len(rows)
    out["parking_tickets"] = [d.name for d in search_datasets("parking tickets", limit=3).datasets]
print(json.dumps(out))
