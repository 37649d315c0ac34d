"""Service standard assessment results, published as an open dataset (fixed id).

One row per assessment and point. Assessors' names are not published."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from ..soql.types import Column, SoQLType
from ..strategy.models import Service
from ..strategy.opendata import OpenTable, register, schedule
from .models import Action, Assessment, PointResult
from .points import POINTS

RESULTS_ID = "lgds-rslt"
T = SoQLType.TEXT


def result_rows() -> list[dict]:
    rows = []
    qs = Assessment.objects.select_related("service").prefetch_related("results__actions")
    for a in qs:
        have = {r.point: r for r in a.results.all()}
        for number, label, _ in POINTS[a.standard]:
            r = have.get(number)
            rows.append(
                {
                    "service": a.service.name,
                    "service_area": a.service.service_area,
                    "standard": a.get_standard_display(),
                    "assessed_on": a.assessed_on,
                    "phase": a.get_phase_display(),
                    "overall_result": a.get_overall_display(),
                    "point": number,
                    "point_label": label,
                    "result": r.get_outcome_display() if r else "Not assessed",
                    "evidence": r.evidence if r else "",
                    "recommendations": r.recommendations if r else "",
                    "open_actions": sum(1 for x in r.actions.all() if x.status == "open") if r else 0,
                }
            )
    return rows


register(
    OpenTable(
        RESULTS_ID,
        {
            "name": "Service standard assessment results",
            "description": "Results of assessing council services against the Local Government Digital Service "
            "Standard (or the GDS Service Standard): one row per assessment and point, with evidence and "
            "recommendations. Published automatically by the digital leadership toolkit.",
            "category": "Digital strategy",
            "licence": "OGL-UK-3.0",
            "update_frequency": "irregular",
            "tags": ["lgdss", "service standard", "open by default"],
        },
        (
            Column("service", T, "Service"),
            Column("service_area", T, "Service area"),
            Column("standard", T, "Standard"),
            Column("assessed_on", SoQLType.FLOATING_TIMESTAMP, "Assessed on"),
            Column("phase", T, "Phase when assessed"),
            Column("overall_result", T, "Overall result"),
            Column("point", SoQLType.NUMBER, "Point"),
            Column("point_label", T, "Point of the standard"),
            Column("result", T, "Result"),
            Column("evidence", T, "Evidence"),
            Column("recommendations", T, "Recommendations"),
            Column("open_actions", SoQLType.NUMBER, "Open actions"),
        ),
        result_rows,
    )
)


def _changed(sender, **kwargs):
    if not kwargs.get("raw"):
        schedule(RESULTS_ID)


def connect() -> None:
    for model in (Assessment, PointResult, Action, Service):
        post_save.connect(_changed, sender=model, dispatch_uid=f"standards-open-{model.__name__}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"standards-open-del-{model.__name__}")
