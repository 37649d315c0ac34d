"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: databases
reachable, migrations applied). JSON for load balancers and orchestrators."""

from __future__ import annotations

import orjson
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import checks


def _json(body: dict, status: int) -> HttpResponse:
    return HttpResponse(orjson.dumps(body), status=status, content_type="application/json")


@never_cache
@require_safe
def healthz(request):
    return _json({"status": "ok"}, 200)


@never_cache
@require_safe
def readyz(request):
    findings = checks.run(checks.READINESS)
    bad = checks.failed(findings)
    # no fixes or paths in the public answer: only which check failed
    body = {"status": "unavailable" if bad else "ok", "checks": {f.check: f.ok for f in findings}}
    return _json(body, 503 if bad else 200)
