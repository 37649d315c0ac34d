"""Dataset attachments: uploaded in the staff area, listed in the view's
metadata as Socrata lists them, downloadable; private datasets' stay hidden."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4 a data dictionary\n" * 40


@pytest.fixture
def site(settings, publisher):
    settings.ROOT_URLCONF = "openborough.urls"
    c = Client()
    c.force_login(publisher)
    return c


def _attach(site, ds, name="Data dictionary", filename="../../etc/dictionary v2.pdf", content=PDF):
    return site.post(
        f"/staff/datasets/{ds.id}/attachments",
        {"name": name, "file": SimpleUploadedFile(filename, content, "application/pdf")},
    )


def test_upload_list_download_remove(site, dataset):
    r = _attach(site, dataset)
    assert r.status_code == 302 and r["Location"].endswith(f"/staff/datasets/{dataset.id}/#attachments")
    page = site.get(f"/staff/datasets/{dataset.id}/").content.decode()
    assert "Data dictionary" in page and "dictionary v2.pdf" in page
    meta = Client().get(f"/api/views/{dataset.id}.json").json()["metadata"]
    (att,) = meta["attachments"]
    assert att["filename"] == "dictionary v2.pdf"  # no path parts from the uploader's name
    assert att["name"] == "Data dictionary" and att["assetId"] == att["blobId"]
    r = Client().get(f"/api/views/{dataset.id}/files/{att['assetId']}", {"download": "true"})
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert r["Content-Type"] == "application/pdf" and r["Content-Length"] == str(len(PDF))
    assert r["Content-Disposition"].startswith("attachment") and "dictionary v2.pdf" in r["Content-Disposition"]
    r = Client().get(f"/api/views/{dataset.id}/files/{att['assetId']}")
    assert r["Content-Disposition"].startswith("inline")
    # removing it
    r = site.post(f"/staff/datasets/{dataset.id}/attachments", {"remove": att["assetId"]})
    assert r.status_code == 302
    assert "attachments" not in Client().get(f"/api/views/{dataset.id}.json").json()["metadata"]
    r = Client().get(f"/api/views/{dataset.id}/files/{att['assetId']}")
    assert r.status_code == 404 and r.json()["code"] == "soda.attachment.not-found"
    from openborough.catalog.models import AuditEntry

    assert AuditEntry.objects.filter(dataset_id=dataset.id, action="attachment").count() == 2


def test_private_datasets_attachments_are_hidden(site, private_dataset, pub_auth):
    _attach(site, private_dataset)
    asset = private_dataset.attachments.get().asset_id
    r = Client().get(f"/api/views/{private_dataset.id}/files/{asset}")
    assert r.status_code == 404 and r.json()["code"] == "soda.dataset.not-found"
    assert Client().get(f"/api/views/{private_dataset.id}/files/{asset}", **pub_auth).status_code == 200


def test_bad_uploads_are_refused_with_a_message(site, dataset, settings):
    r = _attach(site, dataset, content=b"")
    assert r.status_code == 302 and not dataset.attachments.exists()
    assert "The file is empty" in site.get(f"/staff/datasets/{dataset.id}/").content.decode()
    settings.OPENBOROUGH_MAX_UPLOAD_BYTES = 100
    _attach(site, dataset)
    assert not dataset.attachments.exists()
    r = site.post(f"/staff/datasets/{dataset.id}/attachments", {"name": "nothing"})
    assert r.status_code == 302 and "Choose a file" in site.get(f"/staff/datasets/{dataset.id}/").content.decode()
    assert site.post(f"/staff/datasets/{dataset.id}/attachments", {"remove": "0" * 32}).status_code == 404


def test_only_publishers_attach(settings, dataset, db):
    from openborough.accounts.models import User

    settings.ROOT_URLCONF = "openborough.urls"
    viewer = User.objects.create_user("viewer", password="pw-viewer", role="viewer")
    c = Client()
    c.force_login(viewer)
    r = c.post(f"/staff/datasets/{dataset.id}/attachments", {"file": SimpleUploadedFile("a.txt", b"x")})
    assert r.status_code in (302, 403) and not dataset.attachments.exists()
    anon = Client().post(f"/staff/datasets/{dataset.id}/attachments", {"file": SimpleUploadedFile("a.txt", b"x")})
    assert anon.status_code in (302, 403) and not dataset.attachments.exists()


def test_unknown_asset_ids(dataset):
    assert Client().get(f"/api/views/{dataset.id}/files/{'a' * 32}").status_code == 404
    r = Client().get(f"/api/views/{dataset.id}/files/not-an-id")
    assert r.status_code == 404 and r.json()["code"] == "not_found"  # the /api fallback


def test_deleting_the_dataset_removes_its_files(site, dataset):
    from openborough.catalog.attachments import path_of, root
    from openborough.catalog.publishing import delete_dataset

    _attach(site, dataset)
    path, ds_id = path_of(dataset.attachments.get()), dataset.id
    assert path.read_bytes() == PDF
    delete_dataset(dataset, actor="test")
    assert not path.exists() and not (root() / ds_id).exists()
