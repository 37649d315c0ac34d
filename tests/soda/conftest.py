"""Fixtures for the SODA API tests: users, credentials and small datasets
written straight through the publishing service."""

from __future__ import annotations

import base64
import datetime as dt

import pyarrow as pa
import pytest
from django.core.cache import caches

from openborough.soql.types import POINT_STRUCT, Column, Schema, SoQLType

SCHEMA = Schema(
    (
        Column("name", SoQLType.TEXT, "Name"),
        Column("amount", SoQLType.NUMBER, "Amount"),
        Column("issued", SoQLType.FLOATING_TIMESTAMP, "Issued"),
        Column("paid", SoQLType.CHECKBOX, "Paid"),
        Column("location", SoQLType.POINT, "Location"),
    )
)


def table(n: int = 5, start: int = 0) -> pa.Table:
    base = dt.datetime(2020, 1, 1)
    return pa.table(
        {
            "name": pa.array([f"item {i}" for i in range(start, start + n)]),
            "amount": pa.array([float(i) * 1.5 for i in range(start, start + n)]),
            "issued": pa.array([base + dt.timedelta(days=i) for i in range(start, start + n)], pa.timestamp("ms")),
            "paid": pa.array([i % 2 == 0 for i in range(start, start + n)]),
            "location": pa.array(
                [{"lon": -0.14 + i / 1000, "lat": 51.55} if i % 3 else None for i in range(start, start + n)],
                POINT_STRUCT,
            ),
        }
    )


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture(autouse=True)
def _soda_only(settings):
    """SODA routes alone, and fresh throttle counters, for every test."""
    settings.ROOT_URLCONF = "tests.soda.urls"
    settings.OPENBOROUGH_SODA_ANON_RATE = settings.OPENBOROUGH_SODA_TOKEN_RATE = 0  # the throttle test sets its own
    caches["soda"].clear()
    yield


@pytest.fixture
def publisher(db):
    from openborough.accounts.models import User

    return User.objects.create_user("pub", password="pw-pub", role="publisher")


@pytest.fixture
def pub_auth(publisher) -> dict:
    return {"HTTP_AUTHORIZATION": basic("pub", "pw-pub")}


@pytest.fixture
def viewer_auth(db) -> dict:
    from openborough.accounts.models import User

    User.objects.create_user("viewer", password="pw-viewer", role="viewer")
    return {"HTTP_AUTHORIZATION": basic("viewer", "pw-viewer")}


def make_dataset(name="Parking fines", rows: int = 5, row_identifier: str = "name", tags=("parking",), **meta):
    from openborough.catalog.publishing import create_dataset, write_rows

    ds = create_dataset(
        {"name": name, "category": meta.pop("category", "Transport"), "tags": list(tags), **meta},
        SCHEMA,
        row_identifier=row_identifier,
        actor="test",
    )
    if rows:
        write_rows(ds, table(rows), SCHEMA, mode="replace", actor="test")
        ds.refresh_from_db()
    return ds


@pytest.fixture
def dataset(db):
    return make_dataset()


@pytest.fixture
def private_dataset(db):
    from openborough.catalog.publishing import set_visibility

    ds = make_dataset("Secret zebra register", tags=("zebrasecret",), category="Hidden category")
    set_visibility(ds, "private", exemption="s40", reason="personal data", actor="test")
    ds.refresh_from_db()
    return ds
