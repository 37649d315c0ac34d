"""Records for the toolkit tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_user(django_user_model):
    from openborough.strategy.models import ToolkitRole

    def make(username, role=None, service=None, **extra):
        user = django_user_model.objects.create_user(username=username, password="pw-" + username, **extra)
        if role:
            ToolkitRole.objects.create(user=user, role=role, service=service)
        return user

    return make


@pytest.fixture
def basics(db):
    """Two services, two outcomes, two criteria, three initiatives."""
    from unittest import mock

    from openborough.standards import published as standards_published
    from openborough.strategy import published as strategy_published
    from openborough.strategy.models import Criterion, Initiative, Outcome, Service

    # set-up records are not published here: each test publishes what it changes
    with mock.patch.object(strategy_published, "schedule"), mock.patch.object(standards_published, "schedule"):
        return _basics(Criterion, Initiative, Outcome, Service)


def _basics(Criterion, Initiative, Outcome, Service):
    parking = Service.objects.create(name="Parking", service_area="Environment", phase="live")
    care = Service.objects.create(name="Adult social care", service_area="Adults", phase="beta")
    streets = Outcome.objects.create(name="Clean, safe streets", delivery_lead="Director of Environment")
    health = Outcome.objects.create(name="Healthy, independent lives", delivery_lead="Director of Adults")
    sav = Criterion.objects.create(name="Savings", weight=3, scale_min=0, scale_max=5, position=1)
    res = Criterion.objects.create(name="Resident impact", weight=1, scale_min=0, scale_max=5, position=2)
    a = Initiative.objects.create(ref="DIG-01", name="Online parking permits", owning_service=parking)
    b = Initiative.objects.create(ref="DIG-02", name="Care portal", owning_service=care)
    c = Initiative.objects.create(ref="DIG-03", name="Data warehouse", owning_service=parking)
    return {
        "parking": parking,
        "care": care,
        "streets": streets,
        "health": health,
        "sav": sav,
        "res": res,
        "a": a,
        "b": b,
        "c": c,
    }


def read_dataset(dataset_id: str, columns: str) -> list[tuple]:
    """The rows of a dataset's current version, straight from the store."""
    from openborough.catalog.models import Dataset
    from openborough.catalog.storage import get_store

    ds = Dataset.objects.get(pk=dataset_id)
    store = get_store()
    cur = store.execute(f"SELECT {columns} FROM {store.table(ds.id, ds.current_version).sql(store.dialect)}")
    try:
        return sorted(cur, key=repr)
    finally:
        cur.close()
