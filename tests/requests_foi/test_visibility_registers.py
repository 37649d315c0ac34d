"""Registers built from other records (the FOI figures, the request register,
the Transparency Code compliance table) never name a dataset that is not
public: they are rebuilt whenever a dataset's visibility changes, by any path."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.test import Client

from openborough.accounts.models import User
from openborough.catalog.models import Dataset
from openborough.catalog.publishing import create_dataset, delete_dataset, set_visibility, write_rows
from openborough.requests_foi.foi_figures import FIGURES_ID, refresh_figures
from openborough.requests_foi.models import DatasetRequest, FOIRequest, Outcome, Status
from openborough.requests_foi.register import REGISTER_ID, refresh_register
from openborough.soql.types import Column, Schema, SoQLType
from openborough.soql.values import build_table
from openborough.transparency.compliance import COMPLIANCE_ID, refresh_compliance
from openborough.transparency.models import TemplateDataset

# on_commit hooks run only when transactions really commit
pytestmark = pytest.mark.django_db(transaction=True)

MARKER = "Quokkamarker"
SCHEMA = Schema((Column("quokkacolumnmarker", SoQLType.TEXT, f"{MARKER} column"),))


def _secretive():
    ds = create_dataset({"name": f"{MARKER} register of home addresses"}, SCHEMA, actor="test")
    write_rows(ds, build_table(SCHEMA, [{"quokkacolumnmarker": "x"}]), SCHEMA, mode="replace", actor="test")
    return Dataset.objects.get(pk=ds.pk)


def _body(r) -> str:
    return (b"".join(r.streaming_content) if r.streaming else r.content).decode()


def _all_views(c: Client) -> str:
    out = []
    for ds_id in (FIGURES_ID, REGISTER_ID, COMPLIANCE_ID):
        for ext in ("json", "csv", "geojson"):
            r = c.get(f"/resource/{ds_id}.{ext}")
            assert r.status_code == 200, (ds_id, ext, r.content[:300])
            out.append(_body(r))
        out.append(_body(c.get(f"/api/views/{ds_id}/rows.csv")))
    for path in ("/requests/foi/dashboard/", "/requests/", "/transparency/"):
        r = c.get(path)
        assert r.status_code == 200, path
        out.append(_body(r))
    return "\n".join(out)


def _basic(username, password):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def _fixtures(x: Dataset):
    FOIRequest.objects.create(
        reference="FOI-1",
        received=dt.date(2025, 3, 1),
        answered=dt.date(2025, 3, 5),
        topic="addresses",
        outcome=Outcome.PUBLISHED_S21,
        dataset=x,
    )
    req = DatasetRequest.objects.create(
        title="Addresses please", description="the list", status=Status.PUBLISHED, dataset=x
    )
    TemplateDataset.objects.create(template_key=next(iter(_templates())), dataset_id=x.pk)
    refresh_figures()
    refresh_register()
    refresh_compliance()
    return req


def _templates():
    from openborough.transparency.code import TEMPLATES

    return TEMPLATES


@pytest.mark.parametrize("how", ["soda", "publishing", "unpublish", "delete"])
def test_private_dataset_leaves_every_register(how):
    x = _secretive()
    x_id = x.pk
    req = _fixtures(x)
    anon = Client()
    before = _all_views(anon)
    assert MARKER in before and x.pk in before  # the registers did name it while it was public

    if how == "soda":
        User.objects.create_user("pub", password="pw-pub-long-enough", role="publisher")
        r = anon.put(
            f"/api/views/{x.pk}.json?method=setPermission&value=private&exemption=s40&reason=personal+data",
            **_basic("pub", "pw-pub-long-enough"),
        )
        assert r.status_code == 200, r.content
    elif how == "publishing":
        set_visibility(x, "private", exemption="s40", reason="personal data", actor="test")
    elif how == "unpublish":
        x.published = False
        x.save(update_fields=["published"])
    else:
        delete_dataset(x, actor="test")

    after = _all_views(anon)
    assert MARKER not in after
    assert x_id not in after
    page = anon.get(f"/requests/{req.pk}/").content.decode()
    assert MARKER not in page and x_id not in page

    if how in ("soda", "publishing"):  # and back: the registers name it again
        set_visibility(Dataset.objects.get(pk=x_id), "public", actor="test")
        assert MARKER in _all_views(anon)


def test_unrelated_saves_do_not_rebuild_registers():
    x = _secretive()
    _fixtures(x)
    version = Dataset.objects.get(pk=FIGURES_ID).current_version
    x.description = "new words"
    x.save()
    assert Dataset.objects.get(pk=FIGURES_ID).current_version == version
