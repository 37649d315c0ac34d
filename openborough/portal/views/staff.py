"""The staff area: sign in/out, dashboard, publish wizard, editing, replacing
data, versions, audit log, tokens and users. Every write goes through
catalog.publishing."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from ...accounts.models import ApiKey, AppToken, Role, User
from ...catalog.ids import is_dataset_id
from ...catalog.models import AuditEntry, Dataset, Visibility
from ...catalog.publishing import PublishError, publish_file, set_visibility, update_metadata
from ...soql.types import Schema
from .. import forms as f
from .. import staging
from ..diff import describe, version_diff, with_change_labels
from ..models import DailyUsage


def role_required(role: str):
    def deco(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return HttpResponseRedirect(f"{reverse('portal:sign-in')}?next={request.get_full_path()}")
            if not user.has_role(role):
                return render(request, "portal/staff/forbidden.html", {"role": Role(role).label}, status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return deco


# --- signing in and out --------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_in(request):
    form = f.SignInForm(request, data=request.POST or None)
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())
        if not url_has_allowed_host_and_scheme(nxt, {request.get_host()}, require_https=request.is_secure()):
            nxt = reverse("portal:staff-home")
        return HttpResponseRedirect(nxt or reverse("portal:staff-home"))
    return render(request, "portal/staff/sign_in.html", {"form": form, "next": nxt})


@require_POST
def sign_out(request):
    logout(request)
    messages.success(request, "You have signed out")
    return HttpResponseRedirect(reverse("portal:home"))


# --- dashboard -------------------------------------------------------------------


@role_required(Role.VIEWER)
def home(request):
    datasets = Dataset.objects.select_related("organisation").order_by("-updated_at")
    paginator = Paginator(datasets, 50)
    page = paginator.get_page(request.GET.get("page"))
    since = timezone.localdate() - dt.timedelta(days=29)
    usage = (
        DailyUsage.objects.filter(day__gte=since)
        .values("dataset_id")
        .annotate(views=Sum("views"), downloads=Sum("downloads"), api_calls=Sum("api_calls"))
        .order_by("-views")[:10]
    )
    names = dict(Dataset.objects.filter(pk__in=[u["dataset_id"] for u in usage]).values_list("id", "name"))
    return render(
        request,
        "portal/staff/home.html",
        {
            "page": page,
            "usage": [{**u, "name": names.get(u["dataset_id"], u["dataset_id"])} for u in usage],
            "private_count": Dataset.objects.filter(visibility=Visibility.PRIVATE).count(),
            "due_reviews": Dataset.objects.filter(
                visibility=Visibility.PRIVATE, exemption_review_date__lte=timezone.localdate()
            ).order_by("exemption_review_date"),
        },
    )


# --- publish wizard ------------------------------------------------------------------

log = logging.getLogger(__name__)

WIZARD = "portal-wizard"


def _wizard(request, token) -> dict:
    state = request.session.get(WIZARD, {}).get(token)
    if not state or staging.path_for(token, state["filename"]) is None:
        raise Http404("That upload has expired; upload the file again")
    return state


def _save_wizard(request, token, state) -> None:
    all_states = request.session.get(WIZARD, {})
    all_states[token] = state
    request.session[WIZARD] = all_states


def _options(state, **extra):
    from ...ingest import IngestOptions

    cols = state.get("columns") or {}
    return IngestOptions(
        max_bytes=None,
        types=dict(cols.get("types", {})),
        renames=dict(cols.get("renames", {})),
        names=dict(cols.get("names", {})),
        descriptions=dict(cols.get("descriptions", {})),
        on_bad=state.get("on_bad", "reject"),
        date_order=state.get("date_order", "dmy"),
        **extra,
    )


def _prepare(state):
    """(prepared, None) or (None, IngestError) for the staged file with the wizard's choices."""
    from ...ingest import IngestError, prepare

    path = staging.path_for(state["token"], state["filename"])
    try:
        return prepare(str(path), _options(state)), None
    except IngestError as e:
        return None, e


def _inspect(request, token, state) -> tuple[dict | None, object]:
    """The staged file's columns, report and row count with the wizard's choices, or
    (None, IngestError). Remembered in the session per set of choices: reading a large
    file again on every page view would be slow."""
    key = json.dumps([state.get("columns") or {}, state.get("on_bad"), state.get("date_order")], sort_keys=True)
    cached = state.get("inspected")
    if cached and cached.get("key") == key:
        return {**cached, "columns": Schema.from_list(cached["schema"]).columns}, None
    prepared, error = _prepare(state)
    if prepared is None:
        return None, error
    try:
        found = {
            "key": key,
            "schema": prepared.schema.to_list(),
            "report": _report(prepared.report),
            "row_count": prepared.row_count,
            "samples": _samples(prepared),
        }
    finally:
        prepared.close()
    if state.get("columns") == (_wizard(request, token).get("columns")):
        state["inspected"] = found
        _save_wizard(request, token, state)
    return {**found, "columns": Schema.from_list(found["schema"]).columns}, None


def _report(report) -> dict:
    if report is None:
        return {}
    out = report.to_dict() if hasattr(report, "to_dict") else dict(report)
    types = {c.get("field_name"): c.get("type") for c in out.get("columns", [])}
    out["problem_lines"] = [_problem_line(p, types) for p in out.get("problems", [])]
    return out


def _problem_line(p: dict, types: dict) -> dict:
    """One problem in the wizard's words, said once: what, where (rows) and an example or two."""
    n, fld = p.get("count", 0), p.get("field")
    if p.get("kind") == "bad-value" and fld:
        kind = f.TYPE_WORDS.get(types.get(fld) or "", types.get(fld) or "its type").lower()
        text = f"{n:,} cell{'s' if n != 1 else ''} in {fld} {'do' if n != 1 else 'does'} not fit the column's type ({kind})"
    else:
        text = p.get("message", "")
        text = text[:1].upper() + text[1:]
    rows = p.get("rows") or []
    return {"text": text, "rows": rows, "more": n > len(rows) and p.get("kind") != "duplicate-row-id",
            "examples": p.get("examples") or []}  # fmt: skip


def _explain(error) -> dict | None:
    """What the wizard says about a file it cannot publish as it is: the next step in the wizard's
    own terms (the ingest message is written for the CLI and the API); the problems follow, listed once."""
    if error is None:
        return None
    if getattr(error, "code", "") == "validation":
        return {
            "title": "Some cells do not fit their column's type",
            "text": "Change the type of those columns below, or choose “Publish them as empty cells” and check "
            "the file again, or correct the file and upload it again.",
        }
    message = str(getattr(error, "message", error))
    return {"title": "The file cannot be published as it is", "text": message[:1].upper() + message[1:]}


def _samples(prepared, per_column: int = 3, rows: int = 200) -> dict[str, list[str]]:
    """A few different values of each column from the first rows, as the API will give them."""
    import orjson

    from ...soql.output import format_value

    reader = prepared.reader()
    try:
        batch = reader.read_next_batch().slice(0, rows)
    except StopIteration:
        return {}
    finally:
        reader.close()
    out: dict[str, list[str]] = {}
    for col, values in zip(prepared.schema.columns, batch.columns, strict=True):
        seen: list[str] = []
        for v in values.to_pylist():
            v = format_value(v, col.type)
            if v is None or v == "":
                continue
            if isinstance(v, bool):
                text = "yes" if v else "no"
            elif isinstance(v, str):
                text = v.removesuffix("T00:00:00.000")
            else:
                text = orjson.dumps(v).decode()
            text = text if len(text) <= 60 else text[:59] + "…"
            if text not in seen:
                seen.append(text)
            if len(seen) == per_column:
                break
        out[col.field_name] = seen
    return out


@role_required(Role.PUBLISHER)
@require_http_methods(["GET", "POST"])
def publish_upload(request, dataset_id=None):
    ds = get_object_or_404(Dataset, pk=dataset_id) if dataset_id else None
    form = f.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        token, path = staging.save_upload(form.cleaned_data["file"])
        state = {"token": token, "filename": path.name, "dataset_id": ds.id if ds else None}
        _save_wizard(request, token, state)
        return HttpResponseRedirect(reverse("portal:publish-columns", args=[token]))
    return render(
        request, "portal/staff/publish_upload.html", {"form": form, "ds": ds}, status=400 if form.errors else 200
    )


@role_required(Role.PUBLISHER)
@require_http_methods(["GET", "POST"])
def publish_columns(request, token):
    state = _wizard(request, token)
    if request.method == "POST" and request.POST.get("action") == "options":
        state["on_bad"] = "null" if request.POST.get("on_bad") == "null" else "reject"
        state["date_order"] = "mdy" if request.POST.get("date_order") == "mdy" else "dmy"
        _save_wizard(request, token, state)
        return HttpResponseRedirect(reverse("portal:publish-columns", args=[token]))
    inspected, error = _inspect(request, token, state)
    if inspected is None and error is not None and (state.get("columns") or {}).get("types"):
        # a type the publisher chose no longer fits: show the file as inferred, with the error
        inspected, _ = _inspect(request, token, {**state, "columns": {}})
    ctx = {
        "token": token,
        "state": state,
        "error": _explain(error),
        "report": _report(error.report if error else None),
        "back": reverse("portal:staff-replace", args=[state["dataset_id"]])
        if state.get("dataset_id")
        else reverse("portal:publish"),
    }
    if inspected is None:
        return render(request, "portal/staff/publish_columns.html", ctx, status=400)
    columns = inspected["columns"]
    ctx["report"] = ctx["report"] or inspected["report"]
    ctx["row_count"] = inspected["row_count"]
    # show the file's own columns (before renames) so the form keys stay stable
    renames = (state.get("columns") or {}).get("renames", {})
    back = {new: old for old, new in renames.items()}
    originals = []
    for c in columns:
        original = back.get(c.field_name, c.field_name)
        originals.append((original, c))
    samples = inspected.get("samples") or {}
    ctx["samples"] = [samples.get(c.field_name, []) for _, c in originals]
    ColumnForm = f.column_form([c for _, c in originals])
    form = ColumnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cols = {"types": {}, "renames": {}, "names": {}, "descriptions": {}}
        for i, (original, _col) in enumerate(originals):
            d = form.cleaned_data
            new_field = d[f"field_{i}"].strip()
            if new_field != original:
                cols["renames"][original] = new_field
            cols["types"][new_field] = d[f"type_{i}"]
            cols["names"][new_field] = d[f"name_{i}"].strip()
            if d[f"description_{i}"].strip():
                cols["descriptions"][new_field] = d[f"description_{i}"].strip()
        state["columns"] = cols
        _save_wizard(request, token, state)
        check, err = _inspect(request, token, state)
        if check is None:
            ctx.update(form=form, rows=_rows(form, originals, ctx["samples"]), error=_explain(err),
                       report=_report(err.report))  # fmt: skip
            return render(request, "portal/staff/publish_columns.html", ctx, status=400)
        return HttpResponseRedirect(reverse("portal:publish-metadata", args=[token]))
    ctx.update(form=form, rows=_rows(form, originals, ctx["samples"]))
    return render(request, "portal/staff/publish_columns.html", ctx, status=400 if form.errors else 200)


def _rows(form, originals, samples):
    return [
        {
            "original": original,
            "name": form[f"name_{i}"],
            "field": form[f"field_{i}"],
            "type": form[f"type_{i}"],
            "description": form[f"description_{i}"],
            "samples": samples[i] if i < len(samples) else [],
        }
        for i, (original, _) in enumerate(originals)
    ]


@role_required(Role.PUBLISHER)
@require_http_methods(["GET", "POST"])
def publish_metadata(request, token):
    state = _wizard(request, token)
    ds = Dataset.objects.filter(pk=state.get("dataset_id")).first() if state.get("dataset_id") else None
    if ds is not None:
        initial = {k: getattr(ds, k) for k in f.MetadataForm.base_fields if hasattr(ds, k)}
        initial["tags"] = ", ".join(ds.tags or [])
        initial["organisation"] = ds.organisation.name if ds.organisation else ""
        vis_initial = {
            "visibility": ds.visibility,
            "exemption": ds.exemption,
            "reason": ds.exemption_reason,
            "review_date": ds.exemption_review_date,
        }
    else:
        initial = {"organisation": settings.OPENBOROUGH_DEFAULT_ORGANISATION, "name": _title(state["filename"])}
        vis_initial = {"visibility": Visibility.PUBLIC, "review_date": f.default_review_date()}
    meta_form = f.MetadataForm(request.POST or None, initial=initial, prefix="m")
    vis_form = f.VisibilityForm(request.POST or None, initial=vis_initial, prefix="v")
    error = None
    if request.method == "POST" and meta_form.is_valid() and vis_form.is_valid():
        from ...ingest import IngestError

        path = staging.path_for(token, state["filename"])
        old_schema = ds.schema().to_list() if ds is not None else []
        if path is not None and path.stat().st_size >= settings.OPENBOROUGH_BACKGROUND_PUBLISH_BYTES:
            # a large file: a worker publishes it while the publisher watches its progress
            from ...operations.jobs import create_publish_job

            job = create_publish_job(
                path,
                title=meta_form.meta().get("name") or state["filename"],
                user=request.user,
                meta=meta_form.meta(),
                dataset_id=ds.id if ds else None,
                options=_options(state),
                visibility=vis_form.as_kwargs(),
            )
            staging.discard(token)
            states = request.session.get(WIZARD, {})
            states.pop(token, None)
            request.session[WIZARD] = states
            return HttpResponseRedirect(reverse("portal:staff-job", args=[job.id]))
        try:
            outcome = publish_file(
                path,
                meta=meta_form.meta(),
                dataset_id=ds.id if ds else None,
                options=_options(state),
                visibility=vis_form.as_kwargs(),
                user=request.user,
            )
        except (PublishError, IngestError) as e:
            error = e
        else:
            staging.discard(token)
            states = request.session.get(WIZARD, {})
            states.pop(token, None)
            request.session[WIZARD] = states
            o = outcome
            verb = "Published" if o.new_dataset else "Replaced the data of"
            change = ""
            if not o.new_dataset and ds is not None:
                change = f" Version {o.version.number}: {o.version.row_count} rows (was {ds.row_count})."
                try:
                    summary = describe(
                        version_diff(
                            ds.id,
                            ds.current_version,
                            o.version.number,
                            [c["field_name"] for c in old_schema],
                            [c.field_name for c in o.dataset.schema().columns],
                            o.dataset.row_identifier,
                        )
                    )
                except Exception:  # the summary is a courtesy; the publish has succeeded
                    log.exception("could not compare versions of %s", ds.id)
                    summary = ""
                if summary:
                    change += f" Compared with version {ds.current_version}: {summary}."
            messages.success(request, f"{verb} {o.dataset.name}.{change}")
            return HttpResponseRedirect(reverse("portal:staff-dataset", args=[o.dataset.id]))
    return render(
        request,
        "portal/staff/publish_metadata.html",
        {
            "token": token,
            "state": state,
            "ds": ds,
            "meta_form": meta_form,
            "vis_form": vis_form,
            "error": _explain(error),
            "report": _report(getattr(error, "report", None)),
        },
        status=400 if (meta_form.errors or vis_form.errors or error) else 200,
    )


def _title(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0].replace("_", " ").replace("-", " ").strip()
    return stem[:1].upper() + stem[1:]


# --- one dataset -------------------------------------------------------------------------


def _staff_dataset(dataset_id) -> Dataset:
    if not is_dataset_id(dataset_id):
        raise Http404("No dataset has that id")
    return get_object_or_404(Dataset.objects.select_related("organisation"), pk=dataset_id)


@role_required(Role.VIEWER)
def dataset(request, dataset_id):
    ds = _staff_dataset(dataset_id)
    return render(
        request,
        "portal/staff/dataset.html",
        {
            "ds": ds,
            "versions": with_change_labels(ds, ds.versions.select_related("created_by").order_by("-number")[:20]),
            "audit": AuditEntry.objects.filter(dataset_id=ds.id).order_by("-at")[:20],
            "usage": DailyUsage.objects.filter(dataset_id=ds.id).order_by("-day")[:30],
            "can_publish": request.user.can_publish,
        },
    )


@role_required(Role.PUBLISHER)
@require_http_methods(["GET", "POST"])
def edit(request, dataset_id):
    ds = _staff_dataset(dataset_id)
    initial = {k: getattr(ds, k) for k in f.MetadataForm.base_fields if hasattr(ds, k)}
    initial["tags"] = ", ".join(ds.tags or [])
    initial["organisation"] = ds.organisation.name if ds.organisation else ""
    vis_initial = {
        "visibility": ds.visibility,
        "exemption": ds.exemption,
        "reason": ds.exemption_reason,
        "review_date": ds.exemption_review_date or f.default_review_date(),
    }
    meta_form = f.MetadataForm(request.POST or None, initial=initial, prefix="m")
    vis_form = f.VisibilityForm(request.POST or None, initial=vis_initial, prefix="v")
    error = None
    if request.method == "POST" and meta_form.is_valid() and vis_form.is_valid():
        try:
            changed = update_metadata(ds, meta_form.meta(), user=request.user)
            vis = vis_form.as_kwargs()
            if (
                vis["visibility"] != ds.visibility
                or vis["visibility"] == Visibility.PRIVATE
                and (
                    vis.get("exemption") != ds.exemption
                    or vis.get("reason", "").strip() != ds.exemption_reason
                    or vis.get("review_date") != ds.exemption_review_date
                )
            ):
                set_visibility(ds, user=request.user, **vis)
                changed.append("visibility")
        except PublishError as e:
            error = e
        else:
            messages.success(request, "Saved: " + (", ".join(changed) if changed else "nothing had changed"))
            return HttpResponseRedirect(reverse("portal:staff-dataset", args=[ds.id]))
    return render(
        request,
        "portal/staff/edit.html",
        {"ds": ds, "meta_form": meta_form, "vis_form": vis_form, "error": error},
        status=400 if (meta_form.errors or vis_form.errors or error) else 200,
    )


# --- audit, tokens, users ---------------------------------------------------------------


@role_required(Role.VIEWER)
def audit(request):
    entries = AuditEntry.objects.select_related("user").order_by("-at")
    ds_filter = request.GET.get("dataset", "").strip()
    if ds_filter:
        entries = entries.filter(dataset_id=ds_filter)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "portal/staff/audit.html", {"page": page, "ds_filter": ds_filter})


@role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = f.TokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and request.POST.get("revoke"):
        kind, _, pk = request.POST["revoke"].partition(":")
        model = AppToken if kind == "app" else ApiKey
        obj = model.objects.filter(owner=request.user, pk=pk if pk.isdigit() else 0).first()
        if obj is None:
            raise Http404("No such token")
        obj.active = False
        obj.save(update_fields=["active"])
        messages.success(request, f"Revoked {obj.name}")
        return HttpResponseRedirect(reverse("portal:staff-tokens"))
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["kind"] == "key":
            if not request.user.can_publish:
                form.add_error("kind", "Only publishers can have API keys")
            else:
                key, secret = ApiKey.issue(request.user, form.cleaned_data["name"])
                new_secret = {"kind": "API key", "id": key.key_id, "secret": secret}
        else:
            tok = AppToken.objects.create(owner=request.user, name=form.cleaned_data["name"])
            new_secret = {"kind": "App token", "id": "", "secret": tok.token}
        if new_secret:
            form = f.TokenForm()
    return render(
        request,
        "portal/staff/tokens.html",
        {
            "form": form,
            "new_secret": new_secret,
            "app_tokens": AppToken.objects.filter(owner=request.user).order_by("-created_at"),
            "api_keys": ApiKey.objects.filter(owner=request.user).order_by("-created_at"),
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def users(request):
    form = f.NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        u = User(username=d["username"], email=d["email"], role=d["role"])
        u.set_password(d["password"])
        u.save()
        from ...catalog import audit as audit_log

        audit_log.record("user", f"user {u.username} created as {u.role}", user=request.user)
        messages.success(request, f"Created {u.username}")
        return HttpResponseRedirect(reverse("portal:staff-users"))
    return render(
        request,
        "portal/staff/users.html",
        {"form": form, "users": User.objects.order_by("username")},
        status=400 if form.errors else 200,
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def user_edit(request, user_id):
    target = get_object_or_404(User, pk=user_id)
    form = f.RoleForm(request.POST or None, initial={"role": target.role, "active": target.is_active})
    if request.method == "POST" and form.is_valid():
        if target == request.user and (form.cleaned_data["role"] != Role.ADMIN or not form.cleaned_data["active"]):
            form.add_error("role", "You cannot remove your own administrator rights or sign-in")
        else:
            target.role = form.cleaned_data["role"]
            target.is_active = form.cleaned_data["active"]
            target.save(update_fields=["role", "is_active"])
            from ...catalog import audit as audit_log

            audit_log.record(
                "user", f"user {target.username}: role {target.role}, active {target.is_active}", user=request.user
            )
            messages.success(request, f"Saved {target.username}")
            return HttpResponseRedirect(reverse("portal:staff-users"))
    return render(
        request, "portal/staff/user_edit.html", {"target": target, "form": form}, status=400 if form.errors else 200
    )


@role_required(Role.PUBLISHER)
@require_http_methods(["GET"])
def job(request, job_id):
    """A background publish: progress while it runs (the page refreshes itself), then the outcome."""
    from ...operations.models import Job

    j = get_object_or_404(Job, pk=job_id)
    ds = Dataset.objects.filter(pk=j.result.get("dataset_id")).first() if j.result.get("dataset_id") else None
    return render(request, "portal/staff/job.html", {"job": j, "ds": ds, "Status": Job.Status})
