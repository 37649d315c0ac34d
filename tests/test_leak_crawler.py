"""The leak crawler: private and unpublished datasets whose names, descriptions,
tags, column names and cells hold unique markers; every GET route — listed from
the URL configuration, so a new route is crawled automatically — is fetched
anonymously with public, private, unpublished and unknown ids. No marker may
appear in any body or header, and no route may answer 500."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from openborough.catalog.models import Dataset
from openborough.catalog.publishing import create_dataset, set_visibility, write_rows
from openborough.soql.types import Column, Schema, SoQLType
from openborough.soql.values import build_table

pytestmark = pytest.mark.django_db(transaction=True)

MARK = "qvzleak"  # in every private field; never in anything public
#: what only the private and unpublished datasets hold (queries send MARK alone, so echoes of it are no leak)
LEAKS = [f"{m}{suffix}" for m in (f"{MARK}p", f"{MARK}d") for suffix in ("_col", " cell", " column", " category", " things")]
LEAKS += [f"{MARK} addresses", f"{MARK} draft"]


def _dataset(name, marker, category):
    schema = Schema(
        (
            Column("name", SoQLType.TEXT, "Name"),
            Column(f"{marker}_col", SoQLType.TEXT, f"{marker} column"),
            Column("amount", SoQLType.NUMBER, "Amount"),
        )
    )
    ds = create_dataset(
        {"name": name, "description": f"About {marker} things", "category": category, "tags": [marker]},
        schema,
        row_identifier="name",
        actor="test",
    )
    rows = [{"name": f"item {i}", f"{marker}_col": f"{marker} cell {i}", "amount": i} for i in range(3)]
    write_rows(ds, build_table(schema, rows), schema, mode="replace", actor="test")
    return Dataset.objects.get(pk=ds.pk)


@pytest.fixture
def world():
    from openborough.requests_foi.foi_figures import refresh_figures
    from openborough.requests_foi.models import DatasetRequest, FOIRequest, Outcome
    from openborough.requests_foi.register import refresh_register

    public = _dataset("Parking bays", "pub", "Transport")
    private = _dataset(f"{MARK.title()} addresses", f"{MARK}p", f"{MARK} category")
    draft = _dataset(f"{MARK.title()} draft", f"{MARK}d", f"{MARK} draft category")
    FOIRequest.objects.create(reference="F-1", received=dt.date(2025, 1, 2), answered=dt.date(2025, 1, 9),
                              topic="addresses", outcome=Outcome.PUBLISHED_S21, dataset=private)  # fmt: skip
    DatasetRequest.objects.create(title="Addresses", description="please", status="published", dataset=private)
    refresh_figures()
    refresh_register()
    set_visibility(private, "private", exemption="s40", reason="personal data", actor="test")
    draft.published = False
    draft.save()
    return {"public": public, "private": private, "draft": draft}


def _values(name: str, w) -> list[str]:
    ids = sorted(Dataset.objects.values_list("id", flat=True)) + ["zzzz-9999"]  # registers included
    return {
        "dataset_id": ids,
        "rowid": ["item 1", "1"],
        "ext": ["json", "csv", "geojson", "xml"],
        "pk": ["1", "2", "999"],
        "user_id": ["1", "999"],
        "token": ["x"],
        "name": ["monthly", "datasets", "topics"],
        "key": ["spending-over-500", "x"],
        "ref": ["x"],
        "kind_name": ["x"],
        "slug": ["x"],
    }.get(name, ["x"])


def _expand_regex(rx: str, w) -> list[str]:
    rx = rx.strip("^$")
    m = re.search(r"\(\?:((?:[^()]|\([^()]*\))*)\)\?", rx)  # an optional group: with and without it
    if m:
        return _expand_regex(rx[: m.start()] + m.group(1) + rx[m.end() :], w) + _expand_regex(
            rx[: m.start()] + rx[m.end() :], w
        )
    m = re.search(r"\(\?P<(\w+)>([^()]*)\)", rx)
    if m:
        name, body = m.groups()
        options = body.split("|") if re.fullmatch(r"[\w|]+", body) else _values(name, w)
        return list(itertools.chain.from_iterable(
            _expand_regex(rx[: m.start()] + re.escape(o) + rx[m.end() :], w) for o in options))  # fmt: skip
    return [re.sub(r"\\(.)", r"\1", rx)]


def _expand_route(route: str, w) -> list[str]:
    m = re.search(r"<(?:\w+:)?(\w+)>", route)
    if not m:
        return [route]
    return list(itertools.chain.from_iterable(
        _expand_route(route[: m.start()] + v + route[m.end() :], w) for v in _values(m.group(1), w)))  # fmt: skip


def _paths(w) -> list[str]:
    out = []

    def walk(patterns, prefixes):
        for p in patterns:
            pat = p.pattern
            text = pat.regex.pattern if hasattr(pat, "_regex") and not hasattr(pat, "_route") else str(pat)
            parts = _expand_route(text, w) if hasattr(pat, "_route") else _expand_regex(text, w)
            here = [a + b for a in prefixes for b in parts]
            if isinstance(p, URLResolver):
                if "admin" not in text:
                    walk(p.url_patterns, here)
            else:
                out.extend(here)

    walk(get_resolver().url_patterns, [""])
    return sorted({"/" + p for p in out})


def test_no_marker_on_any_route_for_the_public(world):
    paths = _paths(world)
    assert len(paths) > 150  # the whole URL configuration, expanded
    c = Client()
    leaks, errors, seen = [], [], set()
    for path in paths:
        for params in ({}, {"q": MARK}, {"$q": MARK}):
            r = c.get(path, params)
            body = b"".join(r.streaming_content) if r.streaming else r.content
            text = body.decode("utf-8", "replace").lower() + " ".join(f"{k}: {v}" for k, v in r.items()).lower()
            seen |= {probe for probe in ("pub_col", "pub cell", "about pub things", "pub column") if probe in text}
            for leak in LEAKS:
                if leak in text:
                    at = text.find(leak)
                    leaks.append(f"{path} {params}: {text[max(0, at - 80) : at + 40]!r}")
            if r.status_code >= 500:
                errors.append(f"{path} {params}: {r.status_code}")
    assert leaks == []
    assert errors == []
    # the crawl does reach the data: the public dataset's equivalents of every marker were seen
    assert seen == {"pub_col", "pub cell", "about pub things", "pub column"}


def test_private_and_unknown_ids_answer_alike(world):
    """A private or unpublished id is indistinguishable from one that does not exist."""
    c = Client()
    for template in ("/resource/{}.json", "/api/views/{}.json", "/datasets/{}/", "/datasets/{}/data",
                     "/datasets/{}/download.csv", "/api/views/{}/rows.csv", "/d/{}"):  # fmt: skip
        answers = set()
        for ds_id in (world["private"].id, world["draft"].id, "zzzz-9999"):
            r = c.get(template.format(ds_id))
            body = b"".join(r.streaming_content) if r.streaming else r.content
            answers.add((r.status_code, body.replace(ds_id.encode(), b"ID")))
        assert len(answers) == 1, (template, answers)
