"""Portal tables: the catalogue search index and daily usage counts."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SearchEntry(models.Model):
    """One row per dataset holding the text the catalogue search matches.

    On SQLite an FTS5 table mirrors these rows through triggers; on
    PostgreSQL a GIN index over their weighted tsvector serves the search
    (both are created by migration 0002)."""

    dataset = models.OneToOneField("catalog.Dataset", on_delete=models.CASCADE, related_name="search_entry")
    name = models.TextField(blank=True)
    tags = models.TextField(blank=True)
    colnames = models.TextField(blank=True)
    description = models.TextField(blank=True)
    organisation = models.TextField(blank=True)
    category = models.TextField(blank=True)
    indexed_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return f"search entry for {self.dataset_id}"


class DailyUsage(models.Model):
    """How often a dataset was viewed, downloaded and queried through the API
    on one day. Counts only: no IP addresses, user agents or identifiers."""

    dataset_id = models.CharField(max_length=9, db_index=True)
    day = models.DateField(db_index=True)
    views = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)

    class Meta:
        unique_together = [("dataset_id", "day")]
        ordering = ["-day"]

    def __str__(self):
        return f"{self.dataset_id} {self.day}: {self.views}/{self.downloads}/{self.api_calls}"
