"""Socrata's Publishing API (DSMAPI) at ``/api/publishing/v1``: revisions,
sources with chunked uploads, input and output schemas, import configs and
apply, as socrata-py drives them.

Every resource answers ``{"resource": …, "links": {…}}``; clients build their
next calls from the ``links`` (names exactly as DSMAPI's), so the link names
here are a contract. An uploaded file is read by the importer
(``ingest.prepare``) when its last chunk is committed; applying a revision
publishes it through ``catalog.publishing.publish_file`` (one new immutable
version under the dataset's lock), synchronously, so the job it returns has
already finished. Output-schema transforms are the importer's options:
``to_<type>(`column`)`` (or a bare `` `column` ``) per output column, with
field name, display name, description, row identifier and dropped columns;
any other SoQL transform expression is refused with a 400."""

from __future__ import annotations

import functools
import os
import re
import shutil
from pathlib import Path

import orjson
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone

from ..catalog.ids import is_dataset_id, new_dataset_id
from ..catalog.models import Dataset
from ..catalog.publishing import PublishError, publish_file, update_columns, update_metadata
from ..soql.types import SoQLType
from .access import get_dataset
from .auth import require_publisher
from .body import parse_json, read_body
from .errors import SodaError
from .http import soda_view
from .models import PublishingConfig, PublishingOutputSchema, PublishingRevision, PublishingSource
from .viewshape import LICENCE_BY_ID

BASE = "/api/publishing/v1"
JSON_TYPE = "application/json; charset=utf-8"
MAX_JSON = 1024 * 1024
CHUNK_SIZE = 4 * 1024 * 1024
#: upload content types → the importer's format names
FORMATS = {
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.geo+json": "geojson",
    "application/json": "json",
}
#: our types → the transform function DSMAPI names for them
TRANSFORM_FN = {
    SoQLType.TEXT: "to_text",
    SoQLType.NUMBER: "to_number",
    SoQLType.DOUBLE: "to_number",
    SoQLType.MONEY: "to_number",
    SoQLType.CHECKBOX: "to_boolean",
    SoQLType.FLOATING_TIMESTAMP: "to_floating_timestamp",
    SoQLType.FIXED_TIMESTAMP: "to_fixed_timestamp",
    SoQLType.POINT: "to_point",
    SoQLType.LOCATION: "to_location",
    SoQLType.URL: "to_url",
}
FN_TYPE = {
    "to_text": SoQLType.TEXT,
    "to_number": SoQLType.NUMBER,
    "to_boolean": SoQLType.CHECKBOX,
    "to_checkbox": SoQLType.CHECKBOX,
    "to_floating_timestamp": SoQLType.FLOATING_TIMESTAMP,
    "to_fixed_timestamp": SoQLType.FIXED_TIMESTAMP,
    "to_point": SoQLType.POINT,
    "to_location": SoQLType.LOCATION,
    "to_url": SoQLType.URL,
}
_TRANSFORM = re.compile(r"^\s*(?:(?P<fn>[a-z_]+)\s*\(\s*)?`(?P<col>[^`]+)`\s*(?(fn)\))\s*$")
#: revision metadata keys → catalogue fields
META_KEYS = {
    "name": "name",
    "description": "description",
    "category": "category",
    "tags": "tags",
    "attribution": "attribution",
    "contact_email": "contact_email",
    "contactEmail": "contact_email",
}
META_IGNORED = {"metadata", "privateMetadata", "private_metadata", "attributionLink", "attribution_link"}


class DsmapiError(Exception):
    """A DSMAPI client error: ``{"key": …, "message": …, "params": {…}}``."""

    def __init__(self, status: int, key: str, message: str, params: dict | None = None):
        super().__init__(message)
        self.status, self.key, self.message, self.params = status, key, message, params or {}


def _json(body, status: int = 200) -> HttpResponse:
    return HttpResponse(orjson.dumps(body), status=status, content_type=JSON_TYPE)


def _error(status: int, key: str, message: str, params: dict | None = None) -> HttpResponse:
    return _json({"key": key, "message": message, "params": params or {}}, status)


def dsmapi_view(methods):
    """soda_view (auth, throttling, CORS, never a 500) with DSMAPI's error shape and a publisher required."""

    def deco(view):
        @soda_view(methods)
        @functools.wraps(view)
        def wrapped(request, user, *args, **kwargs):
            try:
                user = require_publisher(request, user)
                return view(request, user, *args, **kwargs)
            except DsmapiError as e:
                return _error(e.status, e.key, e.message, e.params)
            except SodaError as e:
                resp = _error(e.status, e.code, e.message, e.data if isinstance(e.data, dict) else {})
                for k, v in e.headers.items():
                    resp[k] = v
                return resp
            except PublishError as e:
                status = 409 if e.code == "exists" else 400
                return _error(status, f"publish.{e.code}", e.message, {"report": e.report} if e.report else {})

        return wrapped

    return deco


def _body(request) -> dict:
    data = read_body(request, MAX_JSON)
    if not data.strip():
        return {}
    try:
        value = parse_json(data)
    except SodaError as e:
        raise DsmapiError(400, "malformed_json", e.message) from None
    if not isinstance(value, dict):
        raise DsmapiError(400, "malformed_json", "The body must be a JSON object")
    return value


def _ts(when) -> str | None:
    return when.isoformat().replace("+00:00", "Z") if when else None


def _user(u) -> dict | None:
    if u is None:
        return None
    return {"user_id": u.get_username(), "display_name": u.get_full_name() or u.get_username(), "email": u.email}


def _actor(user) -> str:
    return f"api:{user.get_username()}"


def _uploads_dir() -> Path:
    return Path(settings.DATA_DIR) / "publishing" / "sources"


def _source_dir(src: PublishingSource) -> Path:
    return _uploads_dir() / str(src.pk)


# --- revisions ------------------------------------------------------------


def _revision_links(rev: PublishingRevision) -> dict:
    base = f"{BASE}/revision/{rev.fourfour}/{rev.revision_seq}"
    return {
        "show": base,
        "update": base,
        "discard": base,
        "apply": f"{base}/apply",
        "create_source": f"{base}/source",
        "list_sources": f"{base}/source",
        "plan": f"{base}/plan",
    }


def _revision_resource(rev: PublishingRevision) -> dict:
    return {
        "id": rev.pk,
        "fourfour": rev.fourfour,
        "revision_seq": rev.revision_seq,
        "action": {"type": rev.action, "permission": rev.permission or "public"},
        "metadata": rev.metadata or None,
        "output_schema_id": rev.output_schema_id,
        "created_at": _ts(rev.created_at),
        "created_by": _user(rev.created_by),
        "closed_at": _ts(rev.closed_at),
        "discarded_at": _ts(rev.discarded_at),
        "is_parent": False,
        "href": [],
        "task_sets": [_job_resource(rev)] if rev.job_status else [],
    }


def _revision_body(rev: PublishingRevision) -> dict:
    return {"resource": _revision_resource(rev), "links": _revision_links(rev)}


def _check_metadata(meta) -> dict:
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise DsmapiError(400, "invalid_metadata", "metadata must be an object")
    unknown = sorted(k for k in meta if k not in META_KEYS and k not in META_IGNORED and k != "license_id")
    if unknown:
        raise DsmapiError(
            400, "invalid_metadata", f"Unknown metadata fields: {', '.join(unknown)}", {"fields": unknown}
        )
    for k, v in meta.items():
        if k == "tags":
            if v is not None and not (isinstance(v, list) and all(isinstance(t, str) for t in v)):
                raise DsmapiError(400, "invalid_metadata", "tags must be a list of strings")
        elif k in META_KEYS and v is not None and not isinstance(v, str):
            raise DsmapiError(400, "invalid_metadata", f"{k} must be a string")
        elif k == "license_id" and v is not None and v not in LICENCE_BY_ID:
            raise DsmapiError(
                400, "invalid_metadata", f"license_id {v!r} is not one of {', '.join(sorted(LICENCE_BY_ID))}"
            )
    return meta


def _catalogue_meta(meta: dict) -> dict:
    out = {}
    for k, v in (meta or {}).items():
        if k in META_KEYS and v is not None:
            out[META_KEYS[k]] = v
        elif k == "license_id" and v:
            out["licence"] = LICENCE_BY_ID[v]
    return out


def _action(body: dict) -> tuple[str, str]:
    action = body.get("action") or {"type": "update"}
    if not isinstance(action, dict):
        raise DsmapiError(400, "invalid_action", 'action must be an object such as {"type": "replace"}')
    kind = action.get("type") or "update"
    if kind not in ("update", "replace", "delete"):
        raise DsmapiError(400, "invalid_action", f"action.type must be update, replace or delete, not {kind!r}")
    permission = action.get("permission") or ""
    if permission not in ("", "public", "private"):
        raise DsmapiError(400, "invalid_action", "action.permission must be public or private")
    if permission == "private":
        raise DsmapiError(
            400,
            "private_needs_exemption",
            "Datasets are open by default; making one private needs an FOI exemption and a reason "
            "(set them in the staff area or with /api/views/{id}?method=setPermission)",
        )
    return kind, permission


def _new_revision(fourfour: str, kind: str, permission: str, meta: dict, user, config=None) -> PublishingRevision:
    for _ in range(5):  # two revisions opened at once on one dataset: the second takes the next number
        try:
            with transaction.atomic():
                last = PublishingRevision.objects.filter(fourfour=fourfour).order_by("-revision_seq").first()
                return PublishingRevision.objects.create(
                    fourfour=fourfour,
                    revision_seq=(last.revision_seq + 1) if last else 0,
                    action=kind,
                    permission=permission,
                    metadata=meta,
                    config=config,
                    created_by=user,
                )
        except IntegrityError:
            continue
    raise DsmapiError(409, "revision_conflict", f"Revisions of {fourfour} are being opened concurrently; try again")


@dsmapi_view(("POST",))
def revision_new(request, user):
    """``POST /revision``: a revision on a dataset that does not exist yet (made when applied)."""
    body = _body(request)
    kind, permission = _action(body)
    meta = _check_metadata(body.get("metadata"))
    if not (meta.get("name") or "").strip():
        raise DsmapiError(400, "invalid_metadata", "A new dataset needs metadata.name")
    fourfour = new_dataset_id()
    while Dataset.objects.filter(pk=fourfour).exists() or PublishingRevision.objects.filter(fourfour=fourfour).exists():
        fourfour = new_dataset_id()
    return _json(_revision_body(_new_revision(fourfour, kind, permission, meta, user)), 201)


def _existing_view(fourfour: str, user) -> Dataset:
    if not is_dataset_id(fourfour):
        raise DsmapiError(404, "not_found", f"Cannot find view {fourfour}")
    try:
        return get_dataset(fourfour, user)
    except SodaError:
        raise DsmapiError(404, "not_found", f"Cannot find view {fourfour}") from None


def _view_or_pending(fourfour: str, user) -> Dataset | None:
    """The dataset, or None when a revision was opened for it before it was first applied."""
    if (
        PublishingRevision.objects.filter(fourfour=fourfour).exists()
        and not Dataset.objects.filter(pk=fourfour).exists()
    ):
        return None
    return _existing_view(fourfour, user)


@dsmapi_view(("GET", "POST"))
def revisions(request, user, fourfour):
    """``GET`` lists a dataset's revisions; ``POST`` opens one (``action`` or ``config``)."""
    _view_or_pending(fourfour, user)
    if request.method == "GET":
        revs = PublishingRevision.objects.filter(fourfour=fourfour).order_by("revision_seq")
        return _json([_revision_body(r) for r in revs])
    body = _body(request)
    config = None
    if "config" in body:
        name = body.get("config")
        config = PublishingConfig.objects.filter(name=name).first() if isinstance(name, str) else None
        if config is None:
            raise DsmapiError(404, "not_found", f"There is no import config {name!r}")
        kind, permission = config.data_action, ""
    else:
        kind, permission = _action(body)
    meta = _check_metadata(body.get("metadata"))
    return _json(_revision_body(_new_revision(fourfour, kind, permission, meta, user, config)), 201)


def _revision(fourfour: str, seq: str, user) -> PublishingRevision:
    _view_or_pending(fourfour, user)
    rev = PublishingRevision.objects.filter(fourfour=fourfour, revision_seq=int(seq)).first()
    if rev is None:
        raise DsmapiError(404, "not_found", f"There is no revision {seq} of {fourfour}")
    return rev


def _open(rev: PublishingRevision) -> None:
    if rev.closed_at or rev.discarded_at:
        raise DsmapiError(
            409, "revision_closed", f"Revision {rev.revision_seq} of {rev.fourfour} is already applied or discarded"
        )


@dsmapi_view(("GET", "PUT", "DELETE"))
def revision_detail(request, user, fourfour, seq):
    rev = _revision(fourfour, seq, user)
    if request.method == "GET":
        return _json(_revision_body(rev))
    _open(rev)
    if request.method == "DELETE":
        rev.discarded_at = timezone.now()
        rev.save(update_fields=["discarded_at"])
        for src in PublishingSource.objects.filter(revision=rev):
            shutil.rmtree(_source_dir(src), ignore_errors=True)
        return _json(_revision_body(rev))
    body = _body(request)
    unknown = sorted(set(body) - {"metadata", "output_schema_id", "notes", "action"})
    if unknown:
        raise DsmapiError(400, "invalid_revision", f"Unknown revision fields: {', '.join(unknown)}")
    if "metadata" in body:
        rev.metadata = {**(rev.metadata or {}), **_check_metadata(body["metadata"])}
    if "action" in body:
        rev.action, rev.permission = _action(body)
    if "output_schema_id" in body:
        rev.output_schema_id = _output_schema_for(rev, body["output_schema_id"]).pk
    rev.save()
    return _json(_revision_body(rev))


@dsmapi_view(("GET",))
def revision_plan(request, user, fourfour, seq):
    rev = _revision(fourfour, seq, user)
    steps = []
    if rev.metadata:
        steps.append({"type": "update_metadata", "metadata": rev.metadata})
    if rev.output_schema_id:
        steps.append({"type": f"{rev.action}_rows", "output_schema_id": rev.output_schema_id})
    return _json({"resource": steps, "links": {}})


def _output_schema_for(rev: PublishingRevision, osid) -> PublishingOutputSchema:
    if not isinstance(osid, int) or isinstance(osid, bool):
        raise DsmapiError(400, "invalid_output_schema", "output_schema_id must be a number")
    os_ = PublishingOutputSchema.objects.filter(pk=osid, source__revision=rev).select_related("source").first()
    if os_ is None:
        raise DsmapiError(404, "not_found", f"Output schema {osid} is not in this revision")
    return os_


# --- jobs -----------------------------------------------------------------


def _job_resource(rev: PublishingRevision) -> dict:
    return {
        "id": rev.pk,
        "fourfour": rev.fourfour,
        "revision_seq": rev.revision_seq,
        "output_schema_id": rev.output_schema_id,
        "status": rev.job_status,
        "created_by": _user(rev.created_by),
        "finished_at": _ts(rev.job_finished_at),
        "log": rev.job_log,
    }


def _job_body(rev: PublishingRevision) -> dict:
    return {"resource": _job_resource(rev), "links": {"show": f"{BASE}/job/{rev.pk}"}}


@dsmapi_view(("GET",))
def job_detail(request, user, job_id):
    rev = PublishingRevision.objects.filter(pk=int(job_id)).exclude(job_status="").first()
    if rev is None:
        raise DsmapiError(404, "not_found", f"There is no job {job_id}")
    _view_or_pending(rev.fourfour, user)
    return _json(_job_body(rev))


def _plan_columns(src: PublishingSource, columns: list) -> tuple[dict, str | None]:
    """Output columns → importer options (``types``, ``renames``, ``names``, ``descriptions``,
    ``drop``) and the row identifier's field name."""
    by_field = {c["field_name"]: c for c in src.input_columns}
    types, renames, names, descriptions, used = {}, {}, {}, {}, set()
    row_id = None
    for col in columns:
        ok = isinstance(col, dict) and isinstance(col.get("transform"), dict)
        ok = ok and all(col.get(k) is None or isinstance(col.get(k), str) for k in ("field_name", "display_name",
                                                                                   "description"))  # fmt: skip
        if not ok or not isinstance(col.get("position", 0) or 0, int):
            raise DsmapiError(
                400, "invalid_output_schema", "Each output column is an object with text field_name, display_name, "
                "description, a whole-number position and a transform object", {"column": col}
            )  # fmt: skip
    for col in sorted(columns, key=lambda c: c.get("position") or 0):
        expr = (col.get("transform") or {}).get("transform_expr") or ""
        m = _TRANSFORM.match(expr)
        if not m or (m.group("fn") and m.group("fn") not in FN_TYPE) or m.group("col") not in by_field:
            raise DsmapiError(
                400,
                "transform_not_supported",
                f"Output column {col.get('field_name')!r}: openborough applies transforms of the form "
                f"to_<type>(`column`) on one of the file's columns ({', '.join(by_field)}); {expr!r} is not one",
                {"field_name": col.get("field_name"), "transform_expr": expr},
            )
        source_field = m.group("col")
        if source_field in used:
            raise DsmapiError(400, "transform_not_supported", f"Column {source_field!r} is used by two output columns")
        used.add(source_field)
        ty = FN_TYPE[m.group("fn")] if m.group("fn") else SoQLType(by_field[source_field]["guessed_soql_type"])
        types[source_field] = ty
        out_field = col.get("field_name") or source_field
        if out_field != source_field:
            renames[source_field] = out_field
        if col.get("display_name"):
            names[source_field] = col["display_name"]
        if col.get("description"):
            descriptions[source_field] = col["description"]
        if col.get("is_primary_key"):
            row_id = out_field
    drop = tuple(f for f in by_field if f not in used)
    return {"types": types, "renames": renames, "names": names, "descriptions": descriptions, "drop": drop}, row_id


@dsmapi_view(("PUT",))
def revision_apply(request, user, fourfour, seq):
    """Apply: publish the output schema's rows (and the metadata) as a new version, now."""
    from ..ingest import IngestError, IngestOptions

    rev = _revision(fourfour, seq, user)
    _open(rev)
    body = _body(request)
    osid = body.get("output_schema_id", rev.output_schema_id)
    ds = Dataset.objects.filter(pk=fourfour).first()
    meta = _catalogue_meta(rev.metadata)
    log = [{"stage": "started", "details": None, "time": _ts(timezone.now())}]
    if osid is None:
        if ds is None:
            raise DsmapiError(400, "no_output_schema", "A new dataset needs data: apply with an output_schema_id")
        update_metadata(ds, meta, user=user, actor=_actor(user))
        log.append({"stage": "metadata_updated", "details": {"fields": sorted(meta)}, "time": _ts(timezone.now())})
    else:
        os_ = _output_schema_for(rev, osid)
        src = os_.source
        if src.failed_at or not src.finished_at:
            raise DsmapiError(400, "source_not_ready", f"Source {src.pk} has no parsed upload to apply")
        if rev.action == "delete":
            raise DsmapiError(400, "action_not_supported", "Delete revisions are not supported; use a replace revision")
        if src.source_type.get("type") == "view":
            if ds is None or ds.id != src.source_type.get("fourfour"):
                raise DsmapiError(400, "invalid_source", "A view source applies only to a revision of that dataset")
            changed = _apply_view(ds, src, os_, meta, user)
            log.append({"stage": "columns_updated", "details": {"updated": changed}, "time": _ts(timezone.now())})
            return _finish(rev, os_.pk, log)
        opts, row_id = _plan_columns(src, os_.output_columns)
        options = IngestOptions(format=FORMATS.get(src.content_type), **opts)
        if ds is None or rev.action == "replace":
            mode = "replace"
        else:
            row_id = row_id or ds.row_identifier or None
            mode = "upsert" if row_id else "append"
        visibility = {"visibility": "public"} if rev.permission == "public" and ds is not None else None
        try:
            outcome = publish_file(
                _source_dir(src) / "data",
                meta=meta,
                dataset_id=fourfour,
                mode=mode,
                row_id=row_id,
                options=options,
                visibility=visibility,
                user=user,
                actor=_actor(user),
            )
        except IngestError as e:
            raise DsmapiError(400, f"ingest.{e.code}", e.message) from None
        log.append(
            {
                "stage": "upsert_complete",
                "details": {
                    "Errors": 0,
                    "Rows Created": outcome.created,
                    "Rows Updated": outcome.updated,
                    "Rows Deleted": outcome.deleted,
                },
                "time": _ts(timezone.now()),
            }
        )
        rev.output_schema_id = os_.pk
    return _finish(rev, rev.output_schema_id, log)


def _finish(rev: PublishingRevision, osid, log: list) -> HttpResponse:
    now = timezone.now()
    log.append({"stage": "finished", "details": None, "time": _ts(now)})
    rev.output_schema_id = osid
    rev.closed_at = rev.job_finished_at = now
    rev.job_status = "successful"
    rev.job_log = list(reversed(log))  # newest first, as DSMAPI lists them
    rev.save()
    for src in PublishingSource.objects.filter(revision=rev):  # the bytes are in the store now
        shutil.rmtree(_source_dir(src), ignore_errors=True)
    return _json(_job_body(rev))


def _apply_view(ds: Dataset, src: PublishingSource, os_: PublishingOutputSchema, meta: dict, user) -> int:
    """A metadata-only revision: display names and descriptions of the dataset's columns, and its metadata."""
    opts, row_id = _plan_columns(src, os_.output_columns)
    current = {c.field_name: c for c in ds.columns.all()}
    refused = []
    if opts["renames"]:
        refused.append("field names (" + ", ".join(f"{a} -> {b}" for a, b in opts["renames"].items()) + ")")
    if opts["drop"]:
        refused.append("dropped columns (" + ", ".join(opts["drop"]) + ")")
    retyped = [f for f, t in opts["types"].items() if t.value != current[f].type]
    if retyped:
        refused.append("types (" + ", ".join(retyped) + ")")
    if (row_id or "") != (ds.row_identifier or ""):
        refused.append("the row identifier")
    if refused:
        raise DsmapiError(
            400,
            "view_source_change_not_supported",
            "A revision from the dataset itself can change display names and descriptions; to change "
            + "; ".join(refused)
            + ", upload a file in a replace revision",
        )
    changes = {f: {"name": opts["names"].get(f), "description": opts["descriptions"].get(f, "")} for f in opts["types"]}
    changed = update_columns(ds, changes, user=user, actor=_actor(user))
    if meta:
        update_metadata(ds, meta, user=user, actor=_actor(user))
    return len(changed)


# --- sources ----------------------------------------------------------------


def _source_links(src: PublishingSource) -> dict:
    base = f"{BASE}/source/{src.pk}"
    schema = f"{base}/schema/{{input_schema_id}}"
    output = f"{schema}/output/{{output_schema_id}}"
    return {
        "show": base,
        "update": base,
        "add_to_revision": base,
        "bytes": f"{base}/upload",
        "initiate": f"{base}/upload",
        "chunk": f"{base}/upload/chunk/{{seq_num}}/{{byte_offset}}",
        "commit": f"{base}/upload/commit/{{seq_num}}/{{byte_offset}}",
        "show_input_schema": schema,
        "input_schema_links": {
            "show": schema,
            "transform": schema,
            "latest_output": f"{schema}/output/latest",
            "output_schema_links": {
                "show": output,
                "rows": f"{output}/rows",
                "schema_errors": f"{output}/errors",
                "build_config": f"{output}/build_config",
                "validate_row_id": f"{output}/transform/{{transform_id}}/validate_row_id",
            },
        },
    }


def _transform_id(os_id: int, position: int) -> int:
    return os_id * 10000 + position


def _output_resource(src: PublishingSource, os_: PublishingOutputSchema) -> dict:
    done = _ts(os_.created_at)
    cols = []
    for i, c in enumerate(sorted(os_.output_columns, key=lambda c: c.get("position") or 0)):
        expr = (c.get("transform") or {}).get("transform_expr") or ""
        m = _TRANSFORM.match(expr)
        ty = FN_TYPE.get(m.group("fn")) if m and m.group("fn") else None
        cols.append(
            {
                "id": _transform_id(os_.pk, i + 1),
                "field_name": c.get("field_name"),
                "display_name": c.get("display_name"),
                "description": c.get("description") or "",
                "position": i + 1,
                "is_primary_key": bool(c.get("is_primary_key")),
                "transform": {
                    "id": _transform_id(os_.pk, i + 1),
                    "transform_expr": expr,
                    "output_soql_type": (ty or SoQLType.TEXT).value,
                    "completed_at": done,
                    "failed_at": None,
                    "error_count": 0,
                    "contiguous_rows_processed": src.total_rows,
                },
            }
        )
    return {
        "id": os_.pk,
        "input_schema_id": src.pk,
        "output_columns": cols,
        "sort_bys": os_.sort_bys,
        "error_count": 0,
        "total_rows": src.total_rows,
        "created_at": done,
        "completed_at": done,
        "finished_at": done,
    }


def _input_resource(src: PublishingSource) -> dict:
    return {
        "id": src.pk,
        "name": None,
        "total_rows": src.total_rows,
        "num_row_errors": 0,
        "input_columns": [
            {
                "id": src.pk * 10000 + i,
                "field_name": c["field_name"],
                "display_name": c["display_name"],
                "position": i,
                "soql_type": "text",
                "guessed_soql_type": c["guessed_soql_type"],
            }
            for i, c in enumerate(src.input_columns)
        ],
        "output_schemas": [_output_resource(src, o) for o in src.output_schemas.order_by("pk")],
    }


def _source_body(src: PublishingSource) -> dict:
    return {
        "resource": {
            "id": src.pk,
            "source_type": src.source_type,
            "parse_options": {"parse_source": True, **(src.parse_options or {})},
            "content_type": src.content_type or None,
            "created_by": _user(src.created_by),
            "created_at": _ts(src.created_at),
            "finished_at": _ts(src.finished_at),
            "failed_at": _ts(src.failed_at),
            "failure_details": src.failure_details,
            "blob": None,
            "revisions": [src.revision.revision_seq] if src.revision_id else [],
            "schemas": [_input_resource(src)] if src.finished_at else [],
        },
        "links": _source_links(src),
    }


def _source_type(value) -> dict:
    if not isinstance(value, dict):
        raise DsmapiError(400, "invalid_source", 'source_type must be an object such as {"type": "upload"}')
    if value.get("type") == "view":
        if not isinstance(value.get("fourfour"), str):
            raise DsmapiError(400, "invalid_source", "a view source needs the fourfour of the dataset")
        return {"type": "view", "fourfour": value["fourfour"], "loaded": True}
    if value.get("type") != "upload":
        raise DsmapiError(
            400, "source_type_not_supported", f"Only upload and view sources are supported, not {value.get('type')!r}"
        )
    if not isinstance(value.get("filename", ""), str):
        raise DsmapiError(400, "invalid_source", "source_type.filename must be a string")
    return {"type": "upload", "filename": value.get("filename") or "upload"}


def _parse_options(value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DsmapiError(400, "invalid_parse_options", "parse_options must be an object")
    if value.get("parse_source") is False:
        raise DsmapiError(400, "blob_not_supported", "Unparsed (blob) sources are not supported")
    return value


@dsmapi_view(("GET", "POST"))
def revision_sources(request, user, fourfour, seq):
    rev = _revision(fourfour, seq, user)
    if request.method == "GET":
        return _json([_source_body(s) for s in PublishingSource.objects.filter(revision=rev).order_by("pk")])
    _open(rev)
    body = _body(request)
    src = PublishingSource.objects.create(
        revision=rev,
        source_type=_source_type(body.get("source_type")),
        parse_options=_parse_options(body.get("parse_options")),
        created_by=user,
    )
    if src.source_type["type"] == "view":
        _load_view(src, user)
    return _json(_source_body(src), 201)


@dsmapi_view(("POST",))
def sources(request, user):
    """``POST /source``: a source outside any revision (attach it later with PATCH)."""
    body = _body(request)
    src = PublishingSource.objects.create(
        source_type=_source_type(body.get("source_type")),
        parse_options=_parse_options(body.get("parse_options")),
        created_by=user,
    )
    if src.source_type["type"] == "view":
        _load_view(src, user)
    return _json(_source_body(src), 201)


def _load_view(src: PublishingSource, user) -> None:
    """A view source: the dataset's own columns, for a metadata-only revision."""
    try:
        ds = _existing_view(src.source_type["fourfour"], user)
    except DsmapiError:
        src.delete()
        raise
    cols = list(ds.columns.order_by("position"))
    src.input_columns = [
        {"field_name": c.field_name, "display_name": c.name, "guessed_soql_type": c.type} for c in cols
    ]
    src.total_rows, src.finished_at = ds.row_count, timezone.now()
    src.save()
    PublishingOutputSchema.objects.create(
        source=src,
        output_columns=[
            {
                "field_name": c.field_name,
                "display_name": c.name,
                "description": c.description,
                "position": i + 1,
                "is_primary_key": c.field_name == ds.row_identifier,
                "transform": {"transform_expr": f"`{c.field_name}`"},
            }
            for i, c in enumerate(cols)
        ],
    )


def _source(source_id: str, user) -> PublishingSource:
    src = PublishingSource.objects.filter(pk=int(source_id)).select_related("revision").first()
    if src is None:
        raise DsmapiError(404, "not_found", f"There is no source {source_id}")
    if src.revision_id:
        _view_or_pending(src.revision.fourfour, user)
    return src


@dsmapi_view(("GET", "POST", "PATCH"))
def source_detail(request, user, source_id):
    src = _source(source_id, user)
    if request.method == "GET":
        return _json(_source_body(src))
    body = _body(request)
    if request.method == "PATCH":
        target = body.get("revision")
        if not isinstance(target, dict):
            raise DsmapiError(400, "invalid_source", 'PATCH takes {"revision": {"fourfour", "revision_seq"}}')
        seq = target.get("revision_seq")
        if not isinstance(target.get("fourfour"), str) or not isinstance(seq, int) or isinstance(seq, bool):
            raise DsmapiError(400, "invalid_source", "revision needs a fourfour (text) and a revision_seq (number)")
        rev = _revision(target["fourfour"], str(seq), user)
        _open(rev)
        src.revision = rev
        src.save(update_fields=["revision"])
        return _json(_source_body(src))
    unknown = sorted(set(body) - {"parse_options"})
    if unknown:
        raise DsmapiError(400, "invalid_source", f"Unknown source fields: {', '.join(unknown)}")
    src.parse_options = {**(src.parse_options or {}), **_parse_options(body.get("parse_options"))}
    src.save(update_fields=["parse_options"])
    return _json(_source_body(src))


@dsmapi_view(("POST",))
def upload_initiate(request, user, source_id):
    src = _source(source_id, user)
    if src.finished_at:
        raise DsmapiError(409, "upload_committed", f"Source {src.pk} already holds a committed upload")
    body = _body(request)
    ct = body.get("content_type") or ""
    if not isinstance(ct, str):
        raise DsmapiError(400, "invalid_upload", "content_type must be a string")
    base = ct.split(";")[0].strip().lower()
    if base not in FORMATS:
        raise DsmapiError(
            400,
            "content_type_not_supported",
            f"Uploads may be {', '.join(sorted(FORMATS))}; {ct!r} is not supported",
        )
    src.content_type = base
    src.save(update_fields=["content_type"])
    shutil.rmtree(_source_dir(src), ignore_errors=True)
    (_source_dir(src) / "chunks").mkdir(parents=True, exist_ok=True)
    return _json({"preferred_chunk_size": CHUNK_SIZE, "preferred_upload_parallelism": 2, "content_type": base})


def _held(chunks: Path, skip_prefix: str) -> int:
    """Bytes already uploaded to a source (other than the chunk being sent again)."""
    total = 0
    for p in chunks.iterdir():
        if p.name.startswith(skip_prefix):
            continue
        try:
            total += p.stat().st_size
        except FileNotFoundError:  # a concurrent chunk's temporary file, just renamed
            pass
    return total


@dsmapi_view(("POST",))
def upload_chunk(request, user, source_id, seq_num, byte_offset):
    src = _source(source_id, user)
    chunks = _source_dir(src) / "chunks"
    if not src.content_type or not chunks.is_dir():
        raise DsmapiError(409, "upload_not_initiated", "Initiate the upload first")
    data = read_body(request, CHUNK_SIZE)
    limit = settings.OPENBOROUGH_MAX_UPLOAD_BYTES
    if limit and int(byte_offset) + len(data) > limit:
        raise DsmapiError(413, "upload_too_large", f"Uploads are limited to {limit} bytes")
    mine = f"{int(seq_num):09d}-"
    if limit and _held(chunks, mine) + len(data) > limit:
        raise DsmapiError(413, "upload_too_large", f"Uploads are limited to {limit} bytes")
    tmp = chunks / f".{int(seq_num):09d}.part"
    tmp.write_bytes(data)
    for old in chunks.glob(mine + "*"):  # a chunk sent again replaces the first copy
        old.unlink(missing_ok=True)
    os.replace(tmp, chunks / f"{mine}{int(byte_offset)}")
    return _json({"seq_num": int(seq_num), "byte_offset": int(byte_offset), "size": len(data)})


def _assemble(src: PublishingSource, last_seq: int, end: int) -> Path:
    chunks = _source_dir(src) / "chunks"
    parts = sorted(p for p in chunks.iterdir() if not p.name.startswith("."))
    out = _source_dir(src) / "data"
    offset = 0
    with open(out, "wb") as f:
        for i, p in enumerate(parts):
            seq, start = (int(x) for x in p.name.split("-"))
            if seq != i or start != offset:
                raise DsmapiError(400, "upload_incomplete", f"Chunk {i} (at byte {offset}) is missing")
            with open(p, "rb") as part:
                shutil.copyfileobj(part, f)
            offset += p.stat().st_size
    if len(parts) != last_seq + 1 or offset != end:
        raise DsmapiError(
            400, "upload_incomplete", f"Commit says {last_seq + 1} chunks and {end} bytes; the server has "
            f"{len(parts)} chunks and {offset} bytes"
        )  # fmt: skip
    shutil.rmtree(chunks, ignore_errors=True)
    return out


def _guess(src: PublishingSource, path: Path) -> None:
    """Read the file with the importer: its columns, their guessed types, its rows."""
    from ..ingest import IngestError, IngestOptions, prepare

    try:
        with prepare(path, IngestOptions(format=FORMATS.get(src.content_type))) as p:
            cols = [
                {"field_name": c.field_name, "display_name": c.name, "guessed_soql_type": c.type.value}
                for c in p.schema.columns
            ]
            total = p.row_count
    except IngestError as e:
        src.failed_at = timezone.now()
        src.failure_details = {"key": f"ingest.{e.code}", "message": e.message}
        src.save(update_fields=["failed_at", "failure_details"])
        return
    src.input_columns, src.total_rows, src.byte_size = cols, total, path.stat().st_size
    src.finished_at = timezone.now()
    src.save()
    columns = [
        {
            "field_name": c["field_name"],
            "display_name": c["display_name"],
            "description": "",
            "position": i + 1,
            "is_primary_key": False,
            "transform": {"transform_expr": f"{TRANSFORM_FN.get(SoQLType(c['guessed_soql_type']), 'to_text')}"
                          f"(`{c['field_name']}`)"},
        }
        for i, c in enumerate(cols)
    ]  # fmt: skip
    config = src.revision.config if src.revision_id else None
    if config is not None and config.columns:
        columns = _apply_config(columns, config.columns)
    PublishingOutputSchema.objects.create(source=src, output_columns=columns)


def _apply_config(guessed: list, saved: list) -> list:
    """A config's columns say the output (columns the config leaves out are dropped, as Socrata does);
    a config column whose source column the new file lacks is refused when the revision is applied."""
    return [{**c, "position": i + 1} for i, c in enumerate(saved)] or guessed


@dsmapi_view(("POST",))
def upload_commit(request, user, source_id, seq_num, byte_offset):
    src = _source(source_id, user)
    if src.finished_at:
        raise DsmapiError(409, "upload_committed", f"Source {src.pk} already holds a committed upload")
    if not src.content_type or not (_source_dir(src) / "chunks").is_dir():
        raise DsmapiError(409, "upload_not_initiated", "Initiate the upload first")
    _guess(src, _assemble(src, int(seq_num), int(byte_offset)))
    return _json(_source_body(src))


# --- schemas ----------------------------------------------------------------


def _input_schema(source_id, schema_id, user) -> PublishingSource:
    src = _source(source_id, user)
    if int(schema_id) != src.pk or not src.finished_at:
        raise DsmapiError(404, "not_found", f"There is no input schema {schema_id} on source {source_id}")
    return src


def _output_body(src, os_) -> dict:
    links = _source_links(src)["input_schema_links"]["output_schema_links"]
    links = {k: v.replace("{input_schema_id}", str(src.pk)).replace("{output_schema_id}", str(os_.pk))
             for k, v in links.items()}  # fmt: skip
    return {"resource": _output_resource(src, os_), "links": links}


def _check_columns(src, body: dict) -> tuple[list, list]:
    columns = body.get("output_columns")
    if not isinstance(columns, list) or not columns or not all(isinstance(c, dict) for c in columns):
        raise DsmapiError(400, "invalid_output_schema", "output_columns must be a non-empty list of column objects")
    for c in columns:
        if not isinstance(c.get("field_name"), str) or not isinstance(c.get("transform"), dict):
            raise DsmapiError(400, "invalid_output_schema", "each output column needs a field_name and a transform")
    sort_bys = body.get("sort_bys") or []
    if not isinstance(sort_bys, list):
        raise DsmapiError(400, "invalid_output_schema", "sort_bys must be a list")
    _plan_columns(src, columns)  # every transform must be one openborough applies
    keep = ("field_name", "display_name", "description", "position", "is_primary_key", "transform")
    return [{k: c.get(k) for k in keep} for c in columns], sort_bys


@dsmapi_view(("GET", "POST"))
def input_schema(request, user, source_id, schema_id):
    src = _input_schema(source_id, schema_id, user)
    links = {
        k: v.replace("{input_schema_id}", str(src.pk)) if isinstance(v, str) else v
        for k, v in _source_links(src)["input_schema_links"].items()
    }
    if request.method == "GET":
        return _json({"resource": _input_resource(src), "links": links})
    if src.revision_id:
        _open(src.revision)
    columns, sort_bys = _check_columns(src, _body(request))
    os_ = PublishingOutputSchema.objects.create(source=src, output_columns=columns, sort_bys=sort_bys)
    return _json(_output_body(src, os_), 201)


def _output(source_id, schema_id, output_id, user):
    src = _input_schema(source_id, schema_id, user)
    qs = src.output_schemas.order_by("-pk")
    os_ = qs.first() if output_id == "latest" else qs.filter(pk=int(output_id)).first()
    if os_ is None:
        raise DsmapiError(404, "not_found", f"There is no output schema {output_id}")
    return src, os_


@dsmapi_view(("GET",))
def output_schema(request, user, source_id, schema_id, output_id):
    return _json(_output_body(*_output(source_id, schema_id, output_id, user)))


def _paging(request) -> tuple[int, int]:
    try:
        limit = min(max(int(request.GET.get("limit", 500)), 0), 10000)
        offset = max(int(request.GET.get("offset", 0)), 0)
    except ValueError:
        raise DsmapiError(400, "invalid_paging", "limit and offset must be whole numbers") from None
    return limit, offset


@dsmapi_view(("GET",))
def output_rows(request, user, source_id, schema_id, output_id):
    """The transformed rows: a header, then ``{"row": [{"ok": value}, …]}`` per row."""
    from ..ingest import IngestError, IngestOptions, prepare

    src, os_ = _output(source_id, schema_id, output_id, user)
    if src.source_type.get("type") == "view":
        ff = src.source_type["fourfour"]
        raise DsmapiError(400, "view_source_rows", f"A view source's rows are the dataset's: /resource/{ff}.json")
    limit, offset = _paging(request)
    opts, _ = _plan_columns(src, os_.output_columns)
    try:
        with prepare(_source_dir(src) / "data", IngestOptions(format=FORMATS.get(src.content_type), **opts)) as p:
            table = p.reader().read_all().slice(offset, limit)
            names = [c.field_name for c in p.schema.columns]
    except IngestError as e:
        raise DsmapiError(400, f"ingest.{e.code}", e.message) from None
    data = table.to_pylist()
    out = [{"columns": names}]
    for row in data:
        out.append({"row": [None if row[n] is None else {"ok": _plain(row[n])} for n in names]})
    return _json(out)


def _plain(v):
    if isinstance(v, bytes):
        import shapely

        return shapely.from_wkb(v).wkt
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


@dsmapi_view(("GET",))
def output_errors(request, user, source_id, schema_id, output_id):
    """Row errors: none, as the importer refuses a file with cells it cannot convert (at commit or apply)."""
    src, os_ = _output(source_id, schema_id, output_id, user)
    names = [c.get("field_name") for c in os_.output_columns]
    if "text/csv" in request.META.get("HTTP_ACCEPT", ""):
        return HttpResponse((",".join(names) + "\n").encode(), content_type="text/csv; charset=utf-8")
    return _json([{"columns": names}])


@dsmapi_view(("GET",))
def validate_row_id(request, user, source_id, schema_id, output_id, transform_id):
    from ..ingest import IngestError, IngestOptions, prepare

    src, os_ = _output(source_id, schema_id, output_id, user)
    if src.source_type.get("type") == "view":
        raise DsmapiError(400, "view_source_rows", "A view source keeps the dataset's row identifier")
    col = next((c for c in _output_resource(src, os_)["output_columns"] if c["id"] == int(transform_id)), None)
    if col is None:
        raise DsmapiError(404, "not_found", f"There is no transform {transform_id}")
    opts, _ = _plan_columns(src, os_.output_columns)
    try:
        with prepare(_source_dir(src) / "data", IngestOptions(format=FORMATS.get(src.content_type), **opts),
                     row_id=col["field_name"]):  # fmt: skip
            valid = True
    except IngestError:
        valid = False
    return _json({"valid": valid})


# --- import configs ---------------------------------------------------------


def _config_body(cfg: PublishingConfig) -> dict:
    base = f"{BASE}/config/{cfg.name}"
    return {
        "resource": {
            "name": cfg.name,
            "data_action": cfg.data_action,
            "parse_options": cfg.parse_options,
            "columns": cfg.columns,
            "created_by": _user(cfg.created_by),
            "created_at": _ts(cfg.created_at),
        },
        "links": {"show": base, "update": base, "delete": base, "create_revision": f"{base}/revision/{{fourfour}}"},
    }


def _config_fields(body: dict, creating: bool) -> dict:
    out = {}
    if creating or "name" in body:
        name = body.get("name")
        if not isinstance(name, str) or not name.strip() or "/" in name:
            raise DsmapiError(400, "invalid_config", "A config needs a name (without '/')")
        out["name"] = name.strip()
    if creating or "data_action" in body:
        action = body.get("data_action")
        if action not in ("update", "replace"):
            raise DsmapiError(400, "invalid_config", "data_action must be update or replace")
        out["data_action"] = action
    if "parse_options" in body:
        out["parse_options"] = _parse_options(body.get("parse_options"))
    if body.get("columns") is not None:
        if not isinstance(body["columns"], list) or not all(isinstance(c, dict) for c in body["columns"]):
            raise DsmapiError(400, "invalid_config", "columns must be a list of output column objects")
        out["columns"] = body["columns"]
    return out


@dsmapi_view(("GET", "POST"))
def configs(request, user):
    if request.method == "GET":
        return _json([_config_body(c) for c in PublishingConfig.objects.order_by("name")])
    fields = _config_fields(_body(request), True)
    if PublishingConfig.objects.filter(name=fields["name"]).exists():
        raise DsmapiError(409, "config_exists", f"There is already a config {fields['name']!r}")
    return _json(_config_body(PublishingConfig.objects.create(created_by=user, **fields)), 201)


def _config(name) -> PublishingConfig:
    cfg = PublishingConfig.objects.filter(name=name).first()
    if cfg is None:
        raise DsmapiError(404, "not_found", f"There is no import config {name!r}")
    return cfg


@dsmapi_view(("GET", "PATCH", "PUT", "DELETE"))
def config_detail(request, user, name):
    cfg = _config(name)
    if request.method == "GET":
        return _json(_config_body(cfg))
    if request.method == "DELETE":
        cfg.delete()
        return _json({"resource": {"name": name}, "links": {}})
    for k, v in _config_fields(_body(request), False).items():
        setattr(cfg, k, v)
    cfg.save()
    return _json(_config_body(cfg))


@dsmapi_view(("POST",))
def config_revision(request, user, name, fourfour):
    cfg = _config(name)
    _existing_view(fourfour, user)
    return _json(_revision_body(_new_revision(fourfour, cfg.data_action, "", {}, user, cfg)), 201)


@dsmapi_view(("POST",))
def build_config(request, user, source_id, schema_id, output_id):
    src, os_ = _output(source_id, schema_id, output_id, user)
    body = _body(request)
    fields = _config_fields({**body, "columns": None}, True)
    if PublishingConfig.objects.filter(name=fields["name"]).exists():
        raise DsmapiError(409, "config_exists", f"There is already a config {fields['name']!r}")
    cfg = PublishingConfig.objects.create(
        created_by=user, parse_options=src.parse_options, columns=os_.output_columns, **fields
    )
    return _json(_config_body(cfg), 201)
