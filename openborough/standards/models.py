"""Assessments of council services against the LGDSS (or the GDS Service Standard)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from ..strategy.models import Phase, Service
from .points import POINTS, STANDARD_NAMES, point_label, point_numbers


class PointOutcome(models.TextChoices):
    MET = "met", "Met"
    PARTIAL = "partial", "Partially met"
    NOT_MET = "not_met", "Not met"


class OverallResult(models.TextChoices):
    MET = "met", "Met"
    PARTIAL = "partial", "Partially met (may proceed with actions)"
    NOT_MET = "not_met", "Not met"


class Assessment(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="assessments")
    standard = models.CharField(max_length=16, choices=list(STANDARD_NAMES.items()))
    phase = models.CharField(max_length=16, choices=Phase.choices, help_text="the service's phase when assessed")
    assessed_on = models.DateField(default=timezone.localdate)
    lead_assessor = models.CharField(max_length=200)
    panel = models.CharField(max_length=500, blank=True, help_text="other assessors, comma-separated")
    overall = models.CharField(max_length=16, choices=OverallResult.choices)
    summary = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        get_latest_by = ["assessed_on", "pk"]

    def __str__(self):
        return f"{self.service} – {self.assessed_on} ({self.get_standard_display()})"

    def clean(self):
        if self.assessed_on and self.assessed_on > timezone.localdate():
            raise ValidationError({"assessed_on": "an assessment cannot be dated in the future"})

    def results_by_point(self) -> list[tuple[int, str, PointResult | None]]:
        have = {r.point: r for r in self.results.all()}
        return [(n, label, have.get(n)) for n, label, _ in POINTS[self.standard]]

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in PointOutcome.values}
        for r in self.results.all():
            out[r.outcome] += 1
        out["unassessed"] = len(point_numbers(self.standard)) - sum(out.values())
        return out

    def suggested_overall(self) -> str:
        """Not met if any point is not met or unassessed; partially met if any is partial; else met."""
        c = self.counts()
        if c["not_met"] or c["unassessed"]:
            return OverallResult.NOT_MET
        if c["partial"]:
            return OverallResult.PARTIAL
        return OverallResult.MET


class PointResult(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    point = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=16, choices=PointOutcome.choices)
    evidence = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)

    class Meta:
        ordering = ["assessment", "point"]
        unique_together = [("assessment", "point")]

    def clean(self):
        if self.assessment_id and self.point not in point_numbers(self.assessment.standard):
            raise ValidationError({"point": f"{self.assessment.get_standard_display()} has no point {self.point}"})
        if self.outcome != PointOutcome.MET and not self.recommendations.strip():
            raise ValidationError({"recommendations": "say what must change when a point is not fully met"})

    @property
    def label(self) -> str:
        return point_label(self.assessment.standard, self.point)


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class Action(models.Model):
    """What will be done about a point not (fully) met, by whom and when."""

    result = models.ForeignKey(PointResult, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=200)
    due = models.DateField()
    status = models.CharField(max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due"]

    def clean(self):
        if self.result_id and self.result.outcome == PointOutcome.MET:
            raise ValidationError("action plans are for points not fully met")
        if self.status == ActionStatus.DONE and not self.completed_on:
            self.completed_on = timezone.localdate()

    @property
    def overdue(self) -> bool:
        return self.status == ActionStatus.OPEN and self.due < timezone.localdate()
