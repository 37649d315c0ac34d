"""The last route: any ``/api/…`` path no route answers is a JSON 404 in
Socrata's error shape (never the portal's HTML page), so a client calling an
endpoint openborough does not serve reads an error it can report."""

from __future__ import annotations

from django.urls import re_path

from .errors import SodaError
from .http import soda_view


@soda_view(("GET", "POST", "PUT", "PATCH", "DELETE"))
def api_not_found(request, user, path: str = ""):
    raise SodaError(
        404,
        "not_found",
        f"No API endpoint at /api/{path}; see /api/openapi.json for the endpoints served",
        {"path": f"/api/{path}"},
    )


urlpatterns = [re_path(r"^api/(?P<path>.*)$", api_not_found, name="soda-api-not-found")]
