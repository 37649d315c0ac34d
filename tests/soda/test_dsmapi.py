"""Socrata's Publishing API (DSMAPI): socrata-py 1.2.0, unchanged, runs its
README's create, replace, update and config flows against ``openborough serve``
(behind a loopback TLS relay, as socrata-py only speaks HTTPS), and bad input
answers DSMAPI's error shape."""

from __future__ import annotations

import json

import pytest
import requests
from django.test import Client

pytestmark = pytest.mark.django_db

CSV = "ref,ward,amount,issued\nPCN1,Belsize,40,2022-05-01\nPCN2,Hampstead,60,2022-05-02\nPCN3,Belsize,80,2022-05-03\n"


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = "tests.soda.extra_urls"


def _c(method, path, body=None, auth=None, **kw):
    data = json.dumps(body) if isinstance(body, dict | list) else (body or "")
    return getattr(Client(), method)(path, data, content_type=kw.pop("ct", "application/json"), **(auth or {}), **kw)


def test_needs_a_publisher(viewer_auth):
    r = _c("post", "/api/publishing/v1/revision", {"metadata": {"name": "x"}})
    assert r.status_code == 401 and set(r.json()) == {"key", "message", "params"}
    r = _c("post", "/api/publishing/v1/revision", {"metadata": {"name": "x"}}, viewer_auth)
    assert r.status_code == 403 and r.json()["key"] == "permission_denied"


def test_bad_input_is_a_dsmapi_4xx(pub_auth, dataset, private_dataset):
    new = "/api/publishing/v1/revision"
    cases = [
        (new, "{not json", 400, "malformed_json"),
        (new, [1, 2], 400, "malformed_json"),
        (new, {"metadata": {}}, 400, "invalid_metadata"),
        (new, {"metadata": {"name": "x", "colour": "red"}}, 400, "invalid_metadata"),
        (new, {"metadata": {"name": "x"}, "action": {"type": "explode"}}, 400, "invalid_action"),
        (new, {"metadata": {"name": "x"}, "action": {"type": "update", "permission": "private"}}, 400,
         "private_needs_exemption"),
        ("/api/publishing/v1/revision/zzzz-0000", {"action": {"type": "replace"}}, 404, "not_found"),
        (f"/api/publishing/v1/revision/{dataset.id}", {"config": "nope"}, 404, "not_found"),
        ("/api/publishing/v1/source", {"source_type": {"type": "url", "url": "http://x"}}, 400,
         "source_type_not_supported"),
        ("/api/publishing/v1/config", {"name": "c", "data_action": "merge"}, 400, "invalid_config"),
    ]  # fmt: skip
    for path, body, status, key in cases:
        r = _c("post", path, body, pub_auth)
        assert (r.status_code, r.json()["key"]) == (status, key), (path, body, r.content)
        assert r.json()["message"]
    # a private dataset is visible to a publisher; to nobody else
    assert _c("get", f"/api/publishing/v1/revision/{private_dataset.id}", None, pub_auth).status_code == 200
    assert _c("get", f"/api/publishing/v1/revision/{private_dataset.id}").status_code == 401


def test_upload_commit_and_transforms(pub_auth):
    rev = _c("post", "/api/publishing/v1/revision", {"metadata": {"name": "Fines"}}, pub_auth).json()
    src = _c("post", rev["links"]["create_source"], {"source_type": {"type": "upload", "filename": "f.csv"}},
             None, **pub_auth).json()  # fmt: skip
    links = src["links"]
    r = _c("post", links["initiate"], {"content_type": "image/png"}, pub_auth)
    assert r.status_code == 400 and r.json()["key"] == "content_type_not_supported"
    assert _c("post", links["initiate"], {"content_type": "text/csv"}, pub_auth).status_code == 200
    data = CSV.encode()
    chunk = links["chunk"].format(seq_num=0, byte_offset=0)
    assert _c("post", chunk, data[:30], pub_auth, ct="application/octet-stream").status_code == 200
    # committing with a missing chunk is refused
    r = _c("post", links["commit"].format(seq_num=1, byte_offset=len(data)), None, pub_auth)
    assert r.status_code == 400 and r.json()["key"] == "upload_incomplete"
    chunk = links["chunk"].format(seq_num=1, byte_offset=30)
    assert _c("post", chunk, data[30:], pub_auth, ct="application/octet-stream").status_code == 200
    src = _c("post", links["commit"].format(seq_num=1, byte_offset=len(data)), None, pub_auth).json()
    (schema,) = src["resource"]["schemas"]
    assert [c["guessed_soql_type"] for c in schema["input_columns"]] == ["text", "text", "number",
                                                                        "floating_timestamp"]  # fmt: skip
    (out,) = schema["output_schemas"]
    assert [c["transform"]["transform_expr"] for c in out["output_columns"]] == [
        "to_text(`ref`)", "to_text(`ward`)", "to_number(`amount`)", "to_floating_timestamp(`issued`)"]  # fmt: skip
    transform = links["input_schema_links"]["transform"].replace("{input_schema_id}", str(schema["id"]))
    cols = out["output_columns"]
    cols[2]["transform"]["transform_expr"] = "to_number(`amount`) * 2"
    r = _c("post", transform, {"output_columns": cols}, pub_auth)
    assert r.status_code == 400 and r.json()["key"] == "transform_not_supported"
    assert _c("post", transform, {"output_columns": "all"}, pub_auth).json()["key"] == "invalid_output_schema"


# --- socrata-py against a live server ------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    from tests.live import LiveServer, TlsRelay, clean_env, cli

    tmp = tmp_path_factory.mktemp("dsmapi")
    data = tmp / "data"
    env = clean_env(OPENBOROUGH_SODA_ANON_RATE="0", OPENBOROUGH_SODA_TOKEN_RATE="0")
    cli(data, "user", "add", "alice", "--password", "s3cret-pw-long-enough", "--role", "publisher", env=env)
    srv = LiveServer(data, env=env, workers=2, threads=4)
    relay = TlsRelay(srv.port, tmp)
    yield srv, relay, tmp
    relay.close()
    srv.stop()


def _auth(relay):
    from socrata.authorization import Authorization

    auth = Authorization(f"127.0.0.1:{relay.port}", "alice", "s3cret-pw-long-enough")
    auth.live_dangerously()  # the relay's certificate is self-signed
    return auth


def _rows(srv, ds_id, **params):
    return requests.get(f"{srv.url}/resource/{ds_id}.json", params={"$order": "ref", **params}, timeout=30).json()


@pytest.mark.slow
def test_socrata_py_create_replace_update_and_config(live):
    from socrata import Socrata

    srv, relay, tmp = live
    path = tmp / "cool_dataset.csv"
    path.write_text(CSV)
    socrata = Socrata(_auth(relay))

    # README "Create a new Dataset from a csv": create, change metadata, apply, wait
    with open(path, "rb") as file:
        (revision, output) = socrata.create(name="Penalty charge notices", description="PCNs issued").csv(file)
        output = (
            output.change_column_metadata("amount", "display_name").to("Amount (GBP)")
            .change_column_metadata("amount", "description").to("The charge")
            .change_column_metadata("issued", "field_name").to("issued_on")
            .drop_column("ward")
            .run()
        )  # fmt: skip
        output = output.wait_for_finish()
        assert output.attributes["error_count"] == 0
        job = revision.apply(output_schema=output)
        job = job.wait_for_finish()
        assert job.attributes["status"] == "successful"
    view_id = revision.view_id()
    meta = requests.get(f"{srv.url}/api/views/{view_id}.json", timeout=30).json()
    assert meta["name"] == "Penalty charge notices" and meta["description"] == "PCNs issued"
    assert [(c["fieldName"], c["name"], c["dataTypeName"]) for c in meta["columns"]] == [
        ("ref", "ref", "text"),
        ("amount", "Amount (GBP)", "number"),
        ("issued_on", "issued", "calendar_date"),
    ]
    assert meta["columns"][1]["description"] == "The charge"  # fmt: skip
    assert [r["amount"] for r in _rows(srv, view_id)] == ["40", "60", "80"]

    # README "Generating a config and using it to update": the config keeps the transforms
    config = output.build_config("pcn-config", "update")
    assert config.attributes["name"] == "pcn-config"
    view = socrata.views.lookup(view_id)
    path2 = tmp / "updated-cool-dataset.csv"
    path2.write_text("ref,ward,amount,issued\nPCN4,Belsize,100,2022-05-04\n")
    with open(path2, "rb") as my_file:
        (revision, job) = socrata.using_config("pcn-config", view).csv(my_file)
    job.wait_for_finish()
    rows = _rows(srv, view_id)
    assert [r["ref"] for r in rows] == ["PCN1", "PCN2", "PCN3", "PCN4"]
    assert rows[3]["issued_on"] == "2022-05-04T00:00:00.000" and "ward" not in rows[3]

    # replace: a replace revision on the view, upload, apply
    path3 = tmp / "replacement.csv"
    path3.write_text("ref,ward,amount,issued\nPCN9,Hampstead,20,2023-01-01\n")
    view = socrata.views.lookup(view_id)
    rev = view.revisions.create_replace_revision(metadata={"description": "Replaced in 2023"})
    upload = rev.create_upload("replacement.csv")
    with open(path3, "rb") as f:
        source = upload.csv(f)
    output_schema = source.get_latest_input_schema().get_latest_output_schema()
    output_schema = output_schema.set_row_id("ref").wait_for_finish()
    job = rev.apply(output_schema=output_schema)
    job.wait_for_finish()
    rows = _rows(srv, view_id)
    assert [(r["ref"], r["ward"], r["amount"]) for r in rows] == [("PCN9", "Hampstead", "20")]
    meta = requests.get(f"{srv.url}/api/views/{view_id}.json", timeout=30).json()
    assert meta["description"] == "Replaced in 2023" and meta["metadata"]["rowIdentifier"] == "ref"

    # update (upsert by the row identifier): PCN9 changes, PCN10 is added
    path4 = tmp / "update.csv"
    path4.write_text("ref,ward,amount,issued\nPCN9,Hampstead,25,2023-01-01\nPCN10,Belsize,30,2023-01-02\n")
    rev = view.revisions.create_update_revision()
    upload = rev.create_upload("update.csv")
    with open(path4, "rb") as f:
        source = upload.csv(f)
    job = rev.apply(output_schema=source.get_latest_input_schema().get_latest_output_schema())
    job.wait_for_finish()
    log = job.attributes["log"]
    assert {"Rows Created": 1, "Rows Updated": 1}.items() <= next(
        e["details"] for e in log if e["stage"] == "upsert_complete"
    ).items()
    assert [(r["ref"], r["amount"]) for r in _rows(srv, view_id)] == [("PCN10", "30"), ("PCN9", "25")]

    # the revision history, and an applied revision cannot be applied again
    revs = view.revisions.list()
    assert [r.attributes["revision_seq"] for r in revs] == [0, 1, 2, 3]
    assert all(r.attributes["closed_at"] for r in revs)
    from socrata.http import UnexpectedResponseException

    with pytest.raises(UnexpectedResponseException) as e:
        revs[-1].apply()
    assert e.value.status == 409 and e.value.body["key"] == "revision_closed"


@pytest.mark.slow
def test_socrata_py_unsupported_transform_fails_clearly(live):
    from socrata import Socrata
    from socrata.http import UnexpectedResponseException

    srv, relay, tmp = live
    path = tmp / "temps.csv"
    path.write_text("date,celsius\n2017-08-24,22\n2017-08-25,20\n")
    with open(path, "rb") as file:
        (revision, output) = Socrata(_auth(relay)).create(name="Temperatures").csv(file)
    with pytest.raises(UnexpectedResponseException) as e:
        output.add_column("fahrenheit", "Degrees (Fahrenheit)", "(to_number(`celsius`) * (9 / 5)) + 32").run()
    assert e.value.status == 400 and e.value.body["key"] == "transform_not_supported"
    assert "to_<type>(`column`)" in e.value.body["message"]
    # the guessed schema still applies
    job = revision.apply(output_schema=output)
    assert job.attributes["status"] == "successful"
    rows = requests.get(f"{srv.url}/resource/{revision.view_id()}.json", timeout=30).json()
    assert [r["celsius"] for r in rows] == ["22", "20"]


@pytest.mark.slow
def test_socrata_py_create_from_pandas(live):
    """README "Create a new Dataset from Pandas"."""
    import pandas as pd
    from socrata import Socrata

    srv, relay, _ = live
    df = pd.DataFrame({"site": ["Library", "Pool"], "visits": [120, 85]})
    (revision, output) = Socrata(_auth(relay)).create(name="Pandas Dataset", description="From a DataFrame").df(df)
    revision.apply(output_schema=output).wait_for_finish()
    rows = requests.get(f"{srv.url}/resource/{revision.view_id()}.json", params={"$order": "site"}, timeout=30).json()
    assert rows == [{"site": "Library", "visits": "120"}, {"site": "Pool", "visits": "85"}]


def test_upload_limit_and_discard(pub_auth, settings):
    settings.OPENBOROUGH_MAX_UPLOAD_BYTES = 100
    rev = _c("post", "/api/publishing/v1/revision", {"metadata": {"name": "Big"}}, pub_auth).json()
    src = _c("post", rev["links"]["create_source"], {"source_type": {"type": "upload", "filename": "f.csv"}},
             pub_auth).json()  # fmt: skip
    links = src["links"]
    _c("post", links["initiate"], {"content_type": "text/csv"}, pub_auth)
    ok = _c("post", links["chunk"].format(seq_num=0, byte_offset=0), b"x" * 60, pub_auth, ct="application/octet-stream")
    assert ok.status_code == 200
    # sending chunk 0 again replaces it; a second chunk past the limit is refused, wherever it claims to start
    again = _c("post", links["chunk"].format(seq_num=0, byte_offset=0), b"y" * 60, pub_auth,
               ct="application/octet-stream")  # fmt: skip
    assert again.status_code == 200
    for offset in (60, 0):
        r = _c("post", links["chunk"].format(seq_num=1, byte_offset=offset), b"z" * 60, pub_auth,
               ct="application/octet-stream")  # fmt: skip
        assert r.status_code == 413 and r.json()["key"] == "upload_too_large"
    r = _c("delete", rev["links"]["discard"], None, pub_auth)
    assert r.status_code == 200 and r.json()["resource"]["discarded_at"]
    r = _c("post", rev["links"]["create_source"], {"source_type": {"type": "upload"}}, pub_auth)
    assert r.status_code == 409 and r.json()["key"] == "revision_closed"


@pytest.mark.slow
def test_socrata_py_metadata_only_revision(live):
    """README "Metadata only revisions": a source from the dataset itself, column metadata changed, applied."""
    from socrata import Socrata
    from socrata.http import UnexpectedResponseException

    srv, relay, tmp = live
    path = tmp / "meta.csv"
    path.write_text("a,b,c\n1,x,2022-01-01\n2,y,2022-01-02\n")
    socrata = Socrata(_auth(relay))
    with open(path, "rb") as file:
        (revision, output) = socrata.create(name="Metadata only").csv(file)
    revision.apply(output_schema=output).wait_for_finish()
    view = socrata.views.lookup(revision.view_id())

    revision = view.revisions.create_replace_revision(metadata={"description": "Described later"})
    source = revision.source_from_dataset()
    output_schema = source.get_latest_input_schema().get_latest_output_schema()
    new_output_schema = (
        output_schema.change_column_metadata("a", "description").to("meh")
        .change_column_metadata("b", "display_name").to("bbbb")
        .run()
    )  # fmt: skip
    revision.apply(output_schema=new_output_schema).wait_for_finish()
    meta = requests.get(f"{srv.url}/api/views/{view.attributes['id']}.json", timeout=30).json()
    cols = {c["fieldName"]: c for c in meta["columns"]}
    assert cols["a"]["description"] == "meh" and cols["b"]["name"] == "bbbb" and cols["c"]["name"] == "c"
    assert meta["description"] == "Described later" and meta["rowCount"] == 2

    # a field-name change needs the data again: refused, with the reason
    revision = view.revisions.create_replace_revision()
    output_schema = revision.source_from_dataset().get_latest_input_schema().get_latest_output_schema()
    renamed = output_schema.change_column_metadata("c", "field_name").to("ccc").run()
    with pytest.raises(UnexpectedResponseException) as e:
        revision.apply(output_schema=renamed)
    assert e.value.status == 400 and e.value.body["key"] == "view_source_change_not_supported"
    assert "c -> ccc" in e.value.body["message"]
