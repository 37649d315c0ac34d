"""What each harvest brought in, so that the next run updates rather than duplicates."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class HarvestRecord(models.Model):
    """One source dataset and the local dataset it became."""

    source = models.CharField(max_length=500, help_text="the portal or feed URL, normalised")
    kind = models.CharField(max_length=16)  # socrata | ckan | dcat
    source_id = models.CharField(max_length=500)
    dataset_id = models.CharField(max_length=9, db_index=True)
    title = models.CharField(max_length=300, blank=True)
    #: what the source said about its rows (modified time, row count) when last harvested
    data_key = models.CharField(max_length=500, blank=True)
    #: a digest of the metadata last applied
    meta_key = models.CharField(max_length=64, blank=True)
    rows = models.BigIntegerField(default=0)
    harvested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        unique_together = [("source", "source_id")]

    def __str__(self):
        return f"{self.source} {self.source_id} -> {self.dataset_id}"


class HarvestRun(models.Model):
    """A run of ``openborough harvest`` (or the staff page), with its progress and report."""

    source = models.CharField(max_length=500)
    kind = models.CharField(max_length=16, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, default="running")  # running | finished | failed
    report = models.JSONField(default=dict, blank=True)
    actor = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"harvest of {self.source} at {self.started_at:%Y-%m-%d %H:%M} ({self.status})"
