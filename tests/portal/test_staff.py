"""The staff area: sign in/out, CSRF, roles, the publish wizard, editing,
replacing data, audit, tokens and users."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from openborough.accounts.models import ApiKey, AppToken, User
from openborough.catalog.models import AuditEntry, Dataset
from openborough.catalog.search import search_datasets
from tests.portal.conftest import DEMO, HOSTILE, signed_in

pytestmark = pytest.mark.django_db


def body(resp) -> str:
    return resp.content.decode()


def test_sign_in_and_out(client, publisher):
    assert client.get("/staff/").status_code == 302
    bad = client.post("/staff/sign-in", {"username": "pat", "password": "wrong"})
    assert bad.status_code == 200 and "Enter a correct username and password" in body(bad)
    empty = client.post("/staff/sign-in", {"username": "", "password": ""})
    assert "Enter your username" in body(empty) and 'href="#id_username"' in body(empty)
    ok = client.post("/staff/sign-in", {"username": "pat", "password": "pw-pat-long-enough", "next": "/staff/audit"})
    assert ok.status_code == 302 and ok["Location"] == "/staff/audit"
    assert "Signed in as <strong>pat</strong>" in body(client.get("/staff/"))
    assert client.get("/staff/sign-out").status_code == 405  # signing out needs a POST with a CSRF token
    client.post("/staff/sign-out")
    assert client.get("/staff/").status_code == 302


def test_sign_in_refuses_offsite_redirects(client, publisher):
    resp = client.post(
        "/staff/sign-in", {"username": "pat", "password": "pw-pat-long-enough", "next": "https://evil.example/"}
    )
    assert resp["Location"] == "/staff/"


def test_csrf_is_enforced(publisher):
    c = Client(enforce_csrf_checks=True)
    assert c.post("/staff/sign-in", {"username": "pat", "password": "pw-pat-long-enough"}).status_code == 403
    page = body(c.get("/staff/sign-in"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    ok = c.post("/staff/sign-in", {"username": "pat", "password": "pw-pat-long-enough", "csrfmiddlewaretoken": token})
    assert ok.status_code == 302


def test_roles(client, viewer, publisher, admin_user, pcn):
    signed_in(client, viewer)
    assert client.get("/staff/").status_code == 200
    assert client.get(f"/staff/datasets/{pcn.id}/").status_code == 200
    for url in (
        "/staff/publish",
        f"/staff/datasets/{pcn.id}/edit",
        f"/staff/datasets/{pcn.id}/replace",
        "/staff/users",
    ):
        assert client.get(url).status_code == 403, url
    signed_in(client, publisher)
    assert client.get("/staff/publish").status_code == 200
    assert client.get(f"/staff/datasets/{pcn.id}/edit").status_code == 200
    assert client.get("/staff/users").status_code == 403
    signed_in(client, admin_user)
    assert client.get("/staff/users").status_code == 200


def column_form_values(page: str) -> dict[str, str]:
    """The column form's fields as the page fills them in."""
    form = {}
    for m in re.finditer(
        r'<input class="govuk-input[^"]*" id="[^"]+" name="((?:name|field)_\d+)" type="text" value="([^"]*)"', page
    ):
        form[m.group(1)] = html.unescape(m.group(2))
    for m in re.finditer(r'<textarea[^>]* name="(description_\d+)"[^>]*>(.*?)</textarea>', page, re.S):
        form[m.group(1)] = html.unescape(m.group(2))
    for m in re.finditer(r'<select class="govuk-select" id="[^"]+" name="(type_\d+)">(.*?)</select>', page, re.S):
        form[m.group(1)] = re.search(r'<option value="([^"]+)" selected>', m.group(2)).group(1)
    return form


def _upload(client, path, url="/staff/publish"):
    with open(path, "rb") as fh:
        return client.post(url, {"file": fh})


def test_publish_wizard_end_to_end(client, publisher):
    signed_in(client, publisher)
    resp = _upload(client, DEMO / "camden_pcns.csv")
    assert resp.status_code == 302
    columns_url = resp["Location"]
    page = body(client.get(columns_url))
    assert "Validation report" in page and "886" in page
    # the inferred type of cdate is offered as the selected option
    assert re.search(r'<option value="floating_timestamp" selected>', page)
    form = column_form_values(page)
    idx = next(k.split("_")[1] for k, v in form.items() if k.startswith("field_") and v == "cdesc")
    form[f"field_{idx}"] = "contravention"
    form[f"name_{idx}"] = "Contravention"
    form[f"description_{idx}"] = "What the vehicle was doing wrong"
    resp = client.post(columns_url, form)
    assert resp.status_code == 302, body(resp)[:3000]
    meta_url = resp["Location"]
    resp = client.post(
        meta_url,
        {
            "m-name": "Wizard PCNs",
            "m-description": "Published *through* the wizard",
            "m-category": "Parking",
            "m-tags": "parking, wizard",
            "m-organisation": "London Borough of Camden",
            "m-licence": "OGL-UK-3.0",
            "m-update_frequency": "monthly",
            "v-visibility": "public",
        },
    )
    assert resp.status_code == 302, body(resp)[:3000]
    ds = Dataset.objects.get(name="Wizard PCNs")
    assert ds.row_count == 886 and ds.is_public and ds.created_by == publisher
    col = ds.columns.get(field_name="contravention")
    assert (col.name, col.description) == ("Contravention", "What the vehicle was doing wrong")
    assert [d.id for d in search_datasets("wizard").datasets] == [ds.id]
    assert "Published Wizard PCNs" in body(client.get(resp["Location"]))
    assert AuditEntry.objects.filter(dataset_id=ds.id, action="publish", actor="pat").exists()


def test_wizard_rejects_big_empty_and_bad_files(client, publisher, settings, tmp_path):
    signed_in(client, publisher)
    settings.OPENBOROUGH_MAX_UPLOAD_BYTES = 1000
    resp = _upload(client, DEMO / "camden_pcns.csv")
    assert resp.status_code == 400 and "files must be smaller than" in body(resp)
    settings.OPENBOROUGH_MAX_UPLOAD_BYTES = 10**9
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "The file you chose is empty" in body(_upload(client, empty))
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    resp = _upload(client, binary)
    page = client.get(resp["Location"])
    assert page.status_code == 400 and "The file cannot be published as it is" in body(page)
    bad = tmp_path / "bad.csv"
    bad.write_text("n,when\n1,2020-01-01\n2,2020-01-02\n")
    resp = _upload(client, bad)
    page = body(client.get(resp["Location"]))
    form = {
        "name_0": "n",
        "field_0": "n",
        "type_0": "number",
        "description_0": "",
        "name_1": "When",
        "field_1": "when",
        "type_1": "checkbox",
        "description_1": "",
    }
    again = client.post(resp["Location"], form)  # dates cannot be checkboxes
    assert again.status_code == 400 and "Some cells do not fit their column&#x27;s type" in body(again)
    form["field_1"] = "Bad Name!"
    assert "Field names use lower-case letters" in body(client.post(resp["Location"], form))
    assert client.get("/staff/publish/not-a-token/columns").status_code == 404


def test_private_needs_an_exemption(client, publisher, tmp_path):
    signed_in(client, publisher)
    p = tmp_path / "names.csv"
    p.write_text("site,holder\nHeath,Ann\n")
    columns_url = _upload(client, p)["Location"]
    form = {
        "name_0": "site",
        "field_0": "site",
        "type_0": "text",
        "name_1": "holder",
        "field_1": "holder",
        "type_1": "text",
    }
    meta_url = client.post(columns_url, form)["Location"]
    resp = client.post(meta_url, {"m-name": "Allotment holders", "m-licence": "OGL-UK-3.0", "v-visibility": "private"})
    html = body(resp)
    assert resp.status_code == 400
    assert "choose the exemption" in html and "explain why" in html and "Enter a date to review" in html
    resp = client.post(
        meta_url,
        {
            "m-name": "Allotment holders",
            "m-licence": "OGL-UK-3.0",
            "v-visibility": "private",
            "v-exemption": "s40",
            "v-reason": "Names of residents",
            "v-review_date": "2099-01-01",
        },
    )
    assert resp.status_code == 302
    ds = Dataset.objects.get(name="Allotment holders")
    assert ds.visibility == "private" and ds.exemption == "s40" and str(ds.exemption_review_date) == "2099-01-01"
    assert AuditEntry.objects.filter(dataset_id=ds.id, action="visibility").exists()
    assert search_datasets("allotment").total == 0


def test_edit_metadata_and_visibility(client, publisher, pcn):
    signed_in(client, publisher)
    resp = client.post(
        f"/staff/datasets/{pcn.id}/edit",
        {
            "m-name": "Renamed PCNs",
            "m-description": HOSTILE,
            "m-licence": "CC-BY-4.0",
            "m-tags": "a, b",
            "v-visibility": "public",
        },
    )
    assert resp.status_code == 302
    pcn.refresh_from_db()
    assert pcn.name == "Renamed PCNs" and pcn.licence == "CC-BY-4.0" and pcn.tags == ["a", "b"]
    assert AuditEntry.objects.filter(dataset_id=pcn.id, action="metadata").exists()
    assert HOSTILE not in body(client.get(f"/datasets/{pcn.id}/"))
    bad = client.post(
        f"/staff/datasets/{pcn.id}/edit",
        {"m-name": "", "m-licence": "nope", "v-visibility": "public", "m-contact_email": "not-an-email"},
    )
    assert bad.status_code == 400 and "Enter a title" in body(bad) and "Enter an email address" in body(bad)


def test_replace_data_makes_a_new_version(client, publisher, pcn, tmp_path):
    signed_in(client, publisher)
    p = tmp_path / "fewer.csv"
    lines = (DEMO / "camden_pcns.csv").read_text().splitlines()
    p.write_text("\n".join(lines[:101]) + "\n")
    columns_url = _upload(client, p, f"/staff/datasets/{pcn.id}/replace")["Location"]
    page = body(client.get(columns_url))
    form = column_form_values(page)
    meta_url = client.post(columns_url, form)["Location"]
    meta_page = body(client.get(meta_url))
    assert 'value="Parking penalty charge notices"' in meta_page  # the current metadata is offered
    resp = client.post(meta_url, {"m-name": pcn.name, "m-licence": "OGL-UK-3.0", "v-visibility": "public"})
    assert resp.status_code == 302
    pcn.refresh_from_db()
    assert pcn.current_version == 2 and pcn.row_count == 100
    page = body(client.get(resp["Location"]))
    assert "Version 2: 100 rows (was 886)" in page and "2 (current)" in page
    assert "Compared with version 1: 0 rows added, 786 removed." in page


def test_replace_diff_by_row_identifier(client, publisher, tmp_path):
    from openborough.catalog.publishing import publish_file

    first = tmp_path / "trees.csv"
    first.write_text("tree_id,species\n1,Oak\n2,Ash\n3,Elm\n")
    ds = publish_file(first, meta={"name": "Trees"}, row_id="tree_id", actor="test").dataset
    second = tmp_path / "trees2.csv"
    second.write_text("tree_id,species,height\n1,Oak,3\n2,Birch,4\n4,Yew,5\n")
    signed_in(client, publisher)
    columns_url = _upload(client, second, f"/staff/datasets/{ds.id}/replace")["Location"]
    meta_url = client.post(columns_url, column_form_values(body(client.get(columns_url))))["Location"]
    resp = client.post(meta_url, {"m-name": "Trees", "m-licence": "OGL-UK-3.0", "v-visibility": "public"})
    page = body(client.get(resp["Location"]))
    assert "1 row added, 1 removed, 1 changed; new columns: height" in page


def test_audit_log_tokens_and_keys(client, publisher, viewer, pcn):
    signed_in(client, publisher)
    html = body(client.get("/staff/audit", {"dataset": pcn.id}))
    assert "publish" in html and pcn.id in html
    resp = client.post("/staff/tokens", {"name": "My app", "kind": "app"})
    token = AppToken.objects.get(owner=publisher)
    assert token.token in body(resp)
    resp = client.post("/staff/tokens", {"name": "Loader", "kind": "key"})
    key = ApiKey.objects.get(owner=publisher)
    secret = re.search(r"Secret: <code>([^<]+)</code>", body(resp)).group(1)
    assert key.verify(secret)
    client.post("/staff/tokens", {"revoke": f"key:{key.pk}"})
    key.refresh_from_db()
    assert not key.active
    signed_in(client, viewer)
    resp = client.post("/staff/tokens", {"name": "Viewer key", "kind": "key"})
    assert "Only publishers can have API keys" in body(resp)
    assert client.post("/staff/tokens", {"revoke": f"app:{token.pk}"}).status_code == 404  # not theirs


def test_user_management(client, admin_user):
    signed_in(client, admin_user)
    resp = client.post(
        "/staff/users",
        {"username": "newbie", "email": "n@example.gov.uk", "role": "publisher", "password": "a-long-password-1"},
    )
    assert resp.status_code == 302
    u = User.objects.get(username="newbie")
    assert u.role == "publisher" and u.check_password("a-long-password-1")
    short = client.post("/staff/users", {"username": "x", "role": "viewer", "password": "short"})
    assert "at least 12 characters" in body(short)
    dup = client.post("/staff/users", {"username": "NEWBIE", "role": "viewer", "password": "a-long-password-1"})
    assert "already a user" in body(dup)
    client.post(f"/staff/users/{u.pk}", {"role": "viewer"})
    u.refresh_from_db()
    assert u.role == "viewer" and not u.is_active
    own = client.post(f"/staff/users/{admin_user.pk}", {"role": "viewer", "active": "on"})
    assert "cannot remove your own" in body(own)


def test_hostile_file_content_is_escaped_in_the_wizard(client, publisher, tmp_path):
    signed_in(client, publisher)
    p = tmp_path / "evil.csv"
    cell = '"' + HOSTILE.replace('"', '""') + '"'  # CSV quoting
    p.write_text(f"{cell},amount\nx,notanumber\n{cell},2\n")
    page = body(client.get(_upload(client, p)["Location"]))
    assert "Column 1:" in page and HOSTILE not in page and "&lt;script&gt;" in page


def test_the_wizard_reads_the_file_once_per_set_of_choices(client, publisher, tmp_path, monkeypatch):
    import openborough.ingest as ingest

    calls = []
    real = ingest.prepare
    monkeypatch.setattr(ingest, "prepare", lambda *a, **k: calls.append(1) or real(*a, **k))
    signed_in(client, publisher)
    p = tmp_path / "t.csv"
    p.write_text("a,b\n1,x\n2,y\n")
    url = _upload(client, p)["Location"]
    client.get(url)
    client.get(url)
    assert len(calls) == 1
    client.post(url, {"action": "options", "on_bad": "null", "date_order": "dmy"})
    client.get(url)
    client.get(url)
    assert len(calls) == 2


def _main(page: str) -> str:
    return re.search(r"<main.*?</main>", page, re.S).group(0)


def test_wizard_speaks_plainly_shows_samples_and_goes_back(client, publisher, tmp_path):
    """No CLI syntax, each problem said once, sample values per column, a Back link on steps 2
    and 3, and a first publish is called that (not "replace")."""
    signed_in(client, publisher)
    src = tmp_path / "fines.csv"
    src.write_text("ref,amount,issued\nA1,10,2020-01-02\nA2,abc,2020-01-03\nA3,12,2020-01-04\nA3,12,2020-01-04\n")
    columns_url = _upload(client, src)["Location"]
    page = body(client.get(columns_url))
    assert 'class="govuk-back-link"' in page and 'href="/staff/publish" class="govuk-back-link"' in page
    samples = re.findall(r"Values in the file, for example: (.*?)</p>", page)
    assert [re.findall(r'<strong class="ob-sample">([^<]*)</strong>', s) for s in samples] == [
        ["A1", "A2", "A3"],
        ["10", "abc", "12"],
        ["2020-01-02", "2020-01-03", "2020-01-04"],
    ]
    assert "Date and time (floating_timestamp)" in page  # types in words, the API name after
    form = column_form_values(page)
    form["type_1"] = "number"
    bad = client.post(columns_url, form)
    assert bad.status_code == 400
    main = html.unescape(_main(body(bad)))
    text = re.sub(r"<[^>]+>", " ", main)  # what a person reads
    for cli_syntax in ("on_bad", "--on-bad", "'null'"):
        assert cli_syntax not in text
    assert "Some cells do not fit their column's type" in main
    assert "“Publish them as empty cells”" in main
    problems = re.search(r"<h3 class=\"govuk-heading-s\">Problems</h3>(.*?)</ul>", main, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", problems, re.S)
    assert items == ["1 cell in amount does not fit the column's type (number): row 2; for example “abc”"]
    assert text.count("1 cell in amount") == 1  # said once, not again in the summary
    # publish the bad cell as empty, then step 3 has a Back link to step 2
    client.post(columns_url, {"action": "options", "on_bad": "null", "date_order": "dmy"})
    meta_url = client.post(columns_url, form)["Location"]
    again = body(client.get(columns_url))  # samples are the values as published: the bad cell is empty
    assert re.findall(r'<strong class="ob-sample">([^<]*)</strong>', again)[3:6] == ["10", "12"] + ["2020-01-02"]
    meta = body(client.get(meta_url))
    assert f'<a href="{columns_url}" class="govuk-back-link">' in meta
    assert client.get(columns_url).status_code == 200  # going back keeps the wizard's state
    done = client.post(meta_url, {"m-name": "Fines", "m-licence": "OGL-UK-3.0", "v-visibility": "public"})
    assert done.status_code == 302, body(done)[:2000]
    ds = Dataset.objects.get(name="Fines")

    def changes():
        page = body(client.get(f"/staff/datasets/{ds.id}/"))
        table = re.search(r"Version history</h2>.*?</table>", page, re.S).group(0)
        return [
            re.findall(r'<td class="govuk-table__cell">([^<]*)</td>', row)[3]
            for row in re.findall(r"<tr class=\"govuk-table__row\"><td.*?</tr>", table, re.S)
        ]

    assert changes() == ["First published"]
    assert "(first published)" in body(client.get(f"/datasets/{ds.id}/"))
    assert AuditEntry.objects.get(dataset_id=ds.id, action="publish").summary == f"{ds.id} v1 first published: 4 rows"
    # a second upload is a replacement, and says so
    columns2 = _upload(client, src, f"/staff/datasets/{ds.id}/replace")["Location"]
    assert f'href="/staff/datasets/{ds.id}/replace" class="govuk-back-link"' in body(client.get(columns2))
    client.post(columns2, {"action": "options", "on_bad": "null", "date_order": "dmy"})
    meta2 = client.post(columns2, form)["Location"]
    client.post(meta2, {"m-name": "Fines", "m-licence": "OGL-UK-3.0", "v-visibility": "public"})
    assert changes() == ["Data replaced", "First published"]
