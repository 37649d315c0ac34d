"""A member of the public asks for data, votes, staff accept and publish it, and the
requester's email carries the links."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest
from django.core import mail

from openborough.catalog.models import AuditEntry
from openborough.catalog.publishing import create_dataset, write_rows
from openborough.catalog.storage import get_store
from openborough.requests_foi.models import DatasetRequest, Follower, Status
from openborough.requests_foi.register import REGISTER_ID
from openborough.soql.types import Column, Schema, SoQLType
from tests.requests_foi.conftest import confirm_link

pytestmark = pytest.mark.django_db


def _submit(client, token, **extra):
    data = {
        "title": "Parking bay locations",
        "description": "Every on-street bay with its type",
        "use": "A map app",
        "email": "resident@example.org",
        "form_token": token,
        "website": "",
        **extra,
    }
    return client.post("/requests/new/", data)


def _bays_dataset():
    schema = Schema((Column("bay", SoQLType.TEXT, "Bay"),))
    ds = create_dataset({"name": "Parking bays"}, schema, actor="test")
    write_rows(ds, pa.table({"bay": pa.array(["A1", "B2"], pa.string())}), schema, mode="replace", actor="test")
    return ds


def register_rows():
    store = get_store()
    from openborough.catalog.models import Dataset

    ds = Dataset.objects.get(pk=REGISTER_ID)
    cur = store.execute(
        f"SELECT request_id, title, status, votes, dataset_id FROM {store.table(ds.id, ds.current_version).sql(store.dialect)} ORDER BY request_id"
    )
    try:
        return list(cur)
    finally:
        cur.close()


def test_submit_vote_accept_publish_link_and_email(client, staff_client, old_token):
    public = client
    resp = _submit(public, old_token)
    assert resp.status_code == 302
    req = DatasetRequest.objects.get()
    assert resp["Location"] == f"/requests/{req.pk}/sent/"
    page = public.get(resp["Location"])
    assert f"/requests/{req.pk}/" in page.content.decode()
    # acknowledgement email with the follow link and a delete link
    assert len(mail.outbox) == 1
    ack = mail.outbox[0]
    assert ack.to == ["resident@example.org"]
    assert f"http://testserver/requests/{req.pk}/" in ack.body
    token = Follower.objects.get().token
    assert f"/requests/forget/{token}/" in ack.body
    # updates start once the address is confirmed (GET asks, POST confirms)
    link = confirm_link(ack)
    assert "Yes, email me" in public.get(link).content.decode()
    assert Follower.objects.get().confirmed_at is None
    assert public.post(link).status_code == 302
    assert Follower.objects.get().confirmed_at is not None

    # vote once per browser; a second vote from the same browser does not count
    public.post(f"/requests/{req.pk}/vote/")
    public.post(f"/requests/{req.pk}/vote/")
    req.refresh_from_db()
    assert req.votes == 1
    from django.test import Client

    Client().post(f"/requests/{req.pk}/vote/")
    req.refresh_from_db()
    assert req.votes == 2

    # staff triage: review, accept, then publish with the dataset linked
    r = staff_client.post(f"/requests/{req.pk}/manage/", {"status": "under_review"})
    assert r.status_code == 302
    r = staff_client.post(f"/requests/{req.pk}/manage/", {"status": "accepted", "target_date": "2030-01-31"})
    assert r.status_code == 302
    # publishing without a dataset is refused, nothing changes
    r = staff_client.post(f"/requests/{req.pk}/manage/", {"status": "published", "dataset_id": ""})
    assert r.status_code == 400
    assert "needs the dataset" in r.content.decode()
    req.refresh_from_db()
    assert req.status == Status.ACCEPTED
    ds = _bays_dataset()
    r = staff_client.post(f"/requests/{req.pk}/manage/", {"status": "published", "dataset_id": ds.id})
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.PUBLISHED and req.dataset_id == ds.id and req.closed_at is not None

    # the requester was told of every status change; the last email links the dataset
    statuses = [m for m in mail.outbox if "is now" in m.subject]
    assert [m.subject.rsplit(" ", 1)[-1] for m in statuses] == ["review", "accepted", "published"]
    last = statuses[-1]
    assert ds.id in last.body
    assert f"http://testserver/requests/{req.pk}/" in last.body
    html = last.alternatives[0][0]
    assert f'href="http://testserver/requests/{req.pk}/"' in html
    # closed: the address is gone
    assert not Follower.objects.exists()

    # the public page shows the dataset; every change was audited
    body = public.get(f"/requests/{req.pk}/").content.decode()
    assert "Parking bays" in body and "Published" in body
    actions = list(AuditEntry.objects.filter(action__startswith="request.").values_list("action", flat=True))
    assert actions.count("request.status") == 3 and "request.submit" in actions

    # the register dataset has the request, without any email address
    rows = register_rows()
    assert rows == [(float(req.pk), "Parking bay locations", "Published", 2.0, ds.id)]
    from openborough.catalog.models import DatasetColumn

    assert not DatasetColumn.objects.filter(dataset_id=REGISTER_ID, field_name__icontains="email").exists()


def test_decline_needs_a_reason_from_the_list(staff_client, client, old_token):
    _submit(client, old_token)
    client.post(confirm_link(mail.outbox[0]))
    req = DatasetRequest.objects.get()
    r = staff_client.post(f"/requests/{req.pk}/manage/", {"status": "declined"})
    assert r.status_code == 400 and "Choose why" in r.content.decode()
    r = staff_client.post(f"/requests/{req.pk}/manage/", {"status": "declined", "decline_reason": "foi_exemption"})
    assert r.status_code == 400 and "FOI Act section" in r.content.decode()
    r = staff_client.post(f"/requests/{req.pk}/manage/", {"status": "declined", "decline_reason": "other"})
    assert r.status_code == 400 and "Explain" in r.content.decode()
    r = staff_client.post(
        f"/requests/{req.pk}/manage/",
        {"status": "declined", "decline_reason": "foi_exemption", "decline_exemption": "s40"},
    )
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == Status.DECLINED and req.public_reason().endswith("s.40 Personal data")
    assert "s.40 Personal data" in client.get(f"/requests/{req.pk}/").content.decode()
    declined_mail = [m for m in mail.outbox if "declined" in m.subject][0]
    assert "s.40 Personal data" in declined_mail.body


def test_workflow_forbids_skipping_and_staff_only(client, staff_client, old_token):
    _submit(client, old_token)
    req = DatasetRequest.objects.get()
    r = staff_client.post(f"/requests/{req.pk}/manage/", {"status": "published"})
    assert r.status_code == 400 and "can move only to" in r.content.decode()
    from django.test import Client

    anon = Client()
    assert anon.post(f"/requests/{req.pk}/manage/", {"status": "accepted"}).status_code == 302
    req.refresh_from_db()
    assert req.status == Status.SUBMITTED


def test_internal_notes_and_assignment_are_not_public(client, staff_client, publisher, old_token):
    _submit(client, old_token)
    req = DatasetRequest.objects.get()
    staff_client.post(f"/requests/{req.pk}/note/", {"note": "Ask parking team SECRET-NOTE"})
    staff_client.post(f"/requests/{req.pk}/manage/", {"assigned_to": str(publisher.pk), "target_date": "2031-02-03"})
    req.refresh_from_db()
    assert req.assigned_to == publisher
    public = client.get(f"/requests/{req.pk}/").content.decode()
    assert "SECRET-NOTE" not in public and "officer" not in public
    assert "SECRET-NOTE" in staff_client.get(f"/requests/{req.pk}/manage/").content.decode()
    assert AuditEntry.objects.filter(action="request.update").exists()


def test_comments_are_moderated(client, staff_client, old_token):
    _submit(client, old_token)
    req = DatasetRequest.objects.get()
    r = client.post(f"/requests/{req.pk}/comment/", {"comment": "Rude words here", "form_token": old_token})
    assert r.status_code == 302
    assert "Rude words" in client.get(f"/requests/{req.pk}/").content.decode()
    c = req.comments.get()
    staff_client.post(f"/requests/comments/{c.pk}/moderate/", {"hidden": "1"})
    assert "Rude words" not in client.get(f"/requests/{req.pk}/").content.decode()


def test_follow_and_delete_my_email(client, old_token):
    _submit(client, old_token, email="")
    req = DatasetRequest.objects.get()
    assert not mail.outbox
    r = client.post(f"/requests/{req.pk}/follow/", {"email": "neighbour@example.org", "form_token": old_token})
    assert r.status_code == 302
    f = Follower.objects.get()
    msg = mail.outbox[-1]
    link = re.search(r"http://testserver(/requests/forget/[^/\s]+/)", msg.body).group(1)
    # GET only asks; POST deletes
    assert "Delete my email address" in client.get(link).content.decode()
    assert Follower.objects.filter(pk=f.pk).exists()
    assert client.post(link).status_code == 200
    assert not Follower.objects.exists()
    assert client.get(link).status_code == 404


def test_bad_email_is_a_clear_error(client, old_token):
    r = _submit(client, old_token, email="not an email")
    assert r.status_code == 400
    assert "correct format" in r.content.decode()
    assert not DatasetRequest.objects.exists()


def test_unconfirmed_addresses_get_no_updates_and_expire(client, staff_client, old_token):
    import datetime as dt

    from django.utils import timezone

    from openborough.requests_foi import workflow

    _submit(client, old_token)
    req = DatasetRequest.objects.get()
    staff_client.post(f"/requests/{req.pk}/manage/", {"status": "under_review"})
    assert len(mail.outbox) == 1  # only the first email: no status email to an unconfirmed address
    Follower.objects.update(created_at=timezone.now() - dt.timedelta(days=8))
    assert workflow.purge_unconfirmed() == 1
    assert client.get(confirm_link(mail.outbox[0])).status_code == 404


def test_request_register_and_foi_figures_are_found_before_any_request(client):
    """A fresh install: the requests page links to the register, which is a dataset with 0 rows (not a 404),
    and every page links to the public FOI figures."""
    import json

    from openborough.catalog.models import Dataset

    assert not Dataset.objects.filter(pk=REGISTER_ID).exists()
    page = client.get("/requests/").content.decode()
    link = re.search(r'register of requests is also an <a class="govuk-link" href="([^"]+)"', page).group(1)
    assert link == f"/datasets/{REGISTER_ID}/"
    about = client.get(link)
    assert about.status_code == 200 and "Dataset requests register" in about.content.decode()
    api = client.get(f"/resource/{REGISTER_ID}.json")
    assert api.status_code == 200 and json.loads(api.getvalue()) == []
    assert Dataset.objects.get(pk=REGISTER_ID).row_count == 0
    client.get("/requests/")  # seeing the page again creates nothing more
    assert Dataset.objects.get(pk=REGISTER_ID).current_version == 1
    for path in ("/", "/datasets/", "/requests/"):
        html = client.get(path).content.decode()
        assert 'href="/requests/foi/dashboard/"' in html, path
    assert client.get("/requests/foi/dashboard/").status_code == 200
