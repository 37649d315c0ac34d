"""Which catalogue dataset holds each Transparency Code template's data, and
every publication made against a template (the record compliance is read from)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..catalog.models import Dataset


class TemplateDataset(models.Model):
    template_key = models.CharField(max_length=60, unique=True)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")

    def __str__(self):
        return f"{self.template_key} → {self.dataset_id}"


class Publication(models.Model):
    template_key = models.CharField(max_length=60, db_index=True)
    dataset = models.ForeignKey(Dataset, null=True, on_delete=models.SET_NULL, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    period_label = models.CharField(max_length=40)
    rows = models.PositiveIntegerField(default=0)
    redactions = models.PositiveIntegerField(default=0)
    #: personal-data flags the publisher confirmed were not personal data
    personal_flags_confirmed = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-published_at"]

    def __str__(self):
        return f"{self.template_key} {self.period_label}"
