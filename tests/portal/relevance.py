"""A relevance test set for catalogue search over the real Socrata catalogues.

Each query comes with a judgement written before looking at the engine's
output: a pattern a relevant dataset's title matches. Precision@5 is the
share of the top five results whose titles match. Run
``python -m tests.portal.relevance`` to print the table kept in docs/search.md."""

from __future__ import annotations

import re

#: (query, what a relevant title matches)
QUERIES: list[tuple[str, str]] = [
    ("parking tickets", r"parking.*(ticket|violation|citation)|(ticket|violation|citation).*parking"),
    ("parkng tikets", r"parking.*(ticket|violation|citation)|(ticket|violation|citation).*parking"),
    ("parking citations", r"parking.*(ticket|violation|citation)|(ticket|violation|citation).*parking"),
    ("restaurant inspections", r"(restaurant|food).*inspect|inspect.*(restaurant|food)"),
    ("restaurent inspection", r"(restaurant|food).*inspect|inspect.*(restaurant|food)"),
    ("crime", r"crime|offen[cs]e|incident"),
    ("building permits", r"(building|construction).*permit|permit.*(building|construction)"),
    ("street trees", r"\btrees?\b"),
    ("311 service requests", r"\b311\b"),
    ("budget", r"budget"),
    ("salaries", r"salar|payroll|wage|compensation|pay\b"),
    ("schools", r"school"),
    ("bike lanes", r"bike|bicycle|cycl"),
    ("traffic accidents", r"accident|collision|crash"),
    ("graffiti", r"graffiti"),
    ("grafiti removal", r"graffiti"),
    ("potholes", r"pot ?hole"),
    ("libraries", r"librar"),
    ("farmers markets", r"farmer"),
    ("fire stations", r"fire"),
    ("police stations", r"police"),
    ("rodent complaints", r"rodent|\brats?\b"),
    ("noise complaints", r"noise"),
    ("water quality", r"water"),
    ("air quality", r"air (quality|pollut|monitor)"),
    ("population census", r"census|population"),
    ("city contracts", r"contract"),
    ("lobbyists", r"lobby"),
    ("business licences", r"business.*licen[cs]e|licen[cs]e.*business"),
    ("election results", r"election|vot"),
    ("taxi", r"taxi|\bcabs?\b|for.hire"),
    ("wifi hotspots", r"wi-?fi|hotspot"),
    ("energy consumption", r"energy|electric|gas\b|consumption|kwh"),
    ("affordable housing", r"housing|affordable|homes?\b"),
    ("bicycle racks", r"bike|bicycle|rack"),
    ("street lights", r"light"),
]


def evaluate(search, k: int = 5) -> list[tuple[str, float, list[str]]]:
    """[(query, precision@k, top titles)] using ``search(q) -> SearchResult``."""
    out = []
    for q, pattern in QUERIES:
        titles = [d.name for d in search(q).datasets[:k]]
        rx = re.compile(pattern, re.IGNORECASE)
        hits = sum(1 for t in titles if rx.search(t))
        out.append((q, hits / k, titles))
    return out


def markdown_table(rows) -> str:
    lines = ["| query | P@5 | top result |", "|---|---|---|"]
    for q, p, titles in rows:
        top = (titles[0] if titles else "(none)").replace("|", "\\|")
        lines.append(f"| {q} | {p:.1f} | {top} |")
    mean = sum(p for _, p, _ in rows) / len(rows)
    lines.append(f"| **mean over {len(rows)} queries** | **{mean:.2f}** | |")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - a report, run by hand
    import os
    import tempfile

    os.environ.setdefault("OPENBOROUGH_DATA_DIR", tempfile.mkdtemp(prefix="openborough-relevance-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openborough.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from openborough.catalog.search import search_datasets
    from tests.conftest import SHARED
    from tests.portal.catalogue import load_socrata_catalogues

    load_socrata_catalogues(SHARED)
    print(markdown_table(evaluate(lambda q: search_datasets(q, limit=5))))
