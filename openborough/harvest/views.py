"""The staff page: start a harvest, watch its progress, read its report."""

from __future__ import annotations

import logging
import threading
from urllib.parse import urlsplit

from django.db import close_old_connections
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ..accounts.models import Role
from ..requests_foi.pages import page, staff_required
from .http import Client
from .models import HarvestRun
from .runner import run_harvest

log = logging.getLogger("openborough.harvest")
KINDS = [("", "Detect"), ("socrata", "Socrata (or openborough)"), ("ckan", "CKAN"), ("dcat", "DCAT feed")]


def admin_required(view):
    """A harvest makes the server fetch any address it is given: administrators only."""
    from functools import wraps

    @wraps(view)
    @staff_required
    def wrapper(request, *args, **kwargs):
        if not request.user.has_role(Role.ADMIN):
            return page(request, "requests_foi/message.html",
                        {"title": "You cannot do this", "message": "Harvesting is for administrators."}, status=403)  # fmt: skip
        return view(request, *args, **kwargs)

    return wrapper


def _start(run: HarvestRun, *, kind, ids, auth, api_key, actor) -> None:
    def work():
        close_old_connections()
        try:
            run_harvest(
                run.source, kind=kind or None, ids=ids or None, dry_run=run.dry_run,
                client=Client(auth=auth, api_key=api_key), actor=actor, run=run,
            )  # fmt: skip
        except Exception:  # noqa: BLE001 - the run is marked failed; the page says so
            log.exception("harvest run %s failed", run.pk)
            HarvestRun.objects.filter(pk=run.pk, status="running").update(status="failed", finished_at=timezone.now())
        finally:
            close_old_connections()

    threading.Thread(target=work, name=f"harvest-{run.pk}", daemon=True).start()


@admin_required
@require_http_methods(["GET", "POST"])
def runs(request):
    errors = {}
    values = {"url": "", "kind": "", "ids": "", "dry_run": False}
    if request.method == "POST":
        values = {
            "url": request.POST.get("url", "").strip(),
            "kind": request.POST.get("kind", ""),
            "ids": request.POST.get("ids", "").strip(),
            "dry_run": request.POST.get("dry_run") == "1",
        }
        parts = urlsplit(values["url"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors["url"] = "Enter the portal's address, starting http:// or https://"
        if values["kind"] not in dict(KINDS):
            errors["kind"] = "Choose the kind of source"
        auth_text = request.POST.get("auth", "").strip()
        if auth_text and ":" not in auth_text:
            errors["auth"] = "Enter the API key as KEY-ID:SECRET"
        if not errors:
            run = HarvestRun.objects.create(
                source=values["url"],
                kind=values["kind"],
                dry_run=values["dry_run"],
                actor=f"staff:{request.user.get_username()}",
            )
            auth = tuple(auth_text.split(":", 1)) if auth_text else None
            ids = [i.strip() for i in values["ids"].replace(",", " ").split() if i.strip()]
            _start(run, kind=values["kind"], ids=ids, auth=auth, api_key=request.POST.get("api_key", "").strip() or None,
                   actor=run.actor)  # fmt: skip
            return redirect("harvest-run", pk=run.pk)
    return page(
        request,
        "harvest/runs.html",
        {"runs": HarvestRun.objects.all()[:30], "kinds": KINDS, "values": values, "errors": errors},
        status=400 if errors else 200,
    )


def _get(pk: int) -> HarvestRun:
    run = HarvestRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404("no such harvest run")
    return run


@admin_required
def run_detail(request, pk: int):
    run = _get(pk)
    report = run.report or {}
    return page(request, "harvest/run.html", {"run": run, "report": report, "lines": report.get("datasets") or []})


@admin_required
def run_progress(request, pk: int):
    run = _get(pk)
    return JsonResponse(
        {
            "id": run.pk,
            "status": run.status,
            "done": run.done,
            "total": run.total,
            "source": run.source,
            "kind": run.kind,
            "report": run.report if run.status != "running" else None,
        }  # fmt: skip
    )
