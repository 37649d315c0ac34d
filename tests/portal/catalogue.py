"""Load the real Socrata /data.json catalogues (15,758 entries from 59 portals,
../shared/data/real/catalog/) as metadata-only datasets, for search tests and
the portal benchmark."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

CATALOG_SUBDIR = "data/real/catalog/socrata-data-json-2013-08-28"


def _date(value: str | None):
    try:
        d = dt.date.fromisoformat((value or "")[:10])
    except ValueError:
        return None
    return timezone.make_aware(dt.datetime(d.year, d.month, d.day, 12))


def load_socrata_catalogues(shared_dir: Path) -> int:
    """Create one Dataset (no rows) per catalogue entry; returns how many."""
    from openborough.catalog.ids import is_dataset_id, new_dataset_id
    from openborough.catalog.models import Dataset, Organisation
    from openborough.catalog.search import reindex_all

    folder = Path(shared_dir) / CATALOG_SUBDIR
    seen: set[str] = set(Dataset.objects.values_list("pk", flat=True))
    datasets = []
    with transaction.atomic():
        for path in sorted(folder.glob("*.json")):
            domain = path.stem
            org, _ = Organisation.objects.get_or_create(name=domain, defaults={"slug": slugify(domain)})
            for entry in json.loads(path.read_text(encoding="utf-8")):
                ident = str(entry.get("identifier") or "")
                if not is_dataset_id(ident) or ident in seen:
                    ident = new_dataset_id()
                    while ident in seen:
                        ident = new_dataset_id()
                seen.add(ident)
                keywords = entry.get("keywords") or [k for k in str(entry.get("keyword") or "").split(",")]
                tags = sorted({str(k).strip().lower()[:60] for k in keywords if str(k).strip()})
                modified = _date(entry.get("modified"))
                datasets.append(
                    Dataset(
                        id=ident,
                        name=str(entry.get("title") or ident)[:300],
                        description=str(entry.get("description") or ""),
                        tags=tags,
                        organisation=org,
                        licence="other",
                        published=True,
                        created_at=_date(entry.get("created")) or modified or timezone.now(),
                        updated_at=modified or timezone.now(),
                        data_updated_at=modified,
                    )
                )
        Dataset.objects.bulk_create(datasets, batch_size=1000)
    reindex_all()
    return len(datasets)
