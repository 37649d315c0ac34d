"""Portal fixtures: staff users of each role and datasets published through
the publishing service from real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache

DEMO = Path(__file__).resolve().parents[2] / "openborough" / "demo_data"
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield


def _user(username, role):
    from openborough.accounts.models import User

    return User.objects.create_user(username, password=f"pw-{username}-long-enough", role=role)


@pytest.fixture
def viewer(db):
    return _user("vera", "viewer")


@pytest.fixture
def publisher(db):
    return _user("pat", "publisher")


@pytest.fixture
def admin_user(db):
    return _user("ada", "admin")


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def pcn(db):
    """Camden's Penalty Charge Notices (886 real rows) with a hostile description."""
    from openborough.catalog.publishing import publish_file

    out = publish_file(
        DEMO / "camden_pcns.csv",
        meta={
            "name": "Parking penalty charge notices",
            "description": f"Issued by **Camden**. {HOSTILE} [click](javascript:alert(1))",
            "category": "Parking",
            "tags": ["parking", "pcn"],
            "organisation": "London Borough of Camden",
            "licence": "OGL-UK-3.0",
            "attribution": "Contains public sector information licensed under the Open Government Licence v3.0.",
            "update_frequency": "monthly",
        },
        actor="test",
    )
    return out.dataset


@pytest.fixture
def private_ds(db, tmp_path):
    from openborough.catalog.publishing import publish_file

    p = tmp_path / "allotments.csv"
    p.write_text("site,holder\nHeath,Ann Smith\nFleet,Bob Jones\n")
    out = publish_file(
        p,
        meta={"name": "Allotment holders", "category": "Leisure"},
        visibility={"visibility": "private", "exemption": "s40", "reason": "Names of residents"},
        actor="test",
    )
    return out.dataset
