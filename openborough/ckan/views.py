"""``/api/3/action/{name}``: GET (query string) or POST (JSON body or form),
answered as ``{"help", "success", "result"}`` or CKAN's error body."""

from __future__ import annotations

import json
import logging

import orjson
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ..accounts.models import ApiKey, Role
from . import actions, datastore
from .errors import ActionError, bad_request, not_authorized

log = logging.getLogger("openborough.ckan")

ACTIONS = {
    f.__name__: f
    for f in (
        actions.site_read,
        actions.status_show,
        actions.package_list,
        actions.package_show,
        actions.package_search,
        actions.current_package_list_with_resources,
        actions.organization_list,
        actions.organization_show,
        actions.group_list,
        actions.group_show,
        actions.tag_list,
        actions.license_list,
        actions.resource_show,
        datastore.datastore_search,
        datastore.datastore_search_sql,
    )
}
MAX_BODY = 1_000_000


def help_show(ctx, params):
    """The documentation of an action (``name``), as CKAN answers it."""
    from .errors import not_found
    from .params import as_str

    fn = ACTIONS.get(as_str(params, "name").strip())
    if fn is None:
        raise not_found("Action function not found")
    return (fn.__doc__ or "").strip() or f"{fn.__name__}: see docs/api/ckan.md"


ACTIONS["help_show"] = help_show


class Context:
    def __init__(self, request, user):
        self.request = request
        self.user = user
        #: staff (viewer and above) also see private and unpublished datasets
        self.staff = bool(user is not None and user.has_role(Role.VIEWER))


def _caller(request):
    token = request.META.get("HTTP_AUTHORIZATION", "") or request.META.get("HTTP_X_CKAN_API_KEY", "")
    if token:
        scheme, _, rest = token.partition(" ")
        if scheme.lower() in ("bearer", "token") and rest:
            token = rest
        user = ApiKey.owner_of(token)
        if user is None:
            raise not_authorized("The API token is not valid or has been revoked")
        return user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated and user.is_active else None


def _params(request) -> dict:
    # a repeated key (facet.field=tags&facet.field=groups, as ckanapi's get_only sends lists) is a list
    params = {k: (vs if len(vs) > 1 else vs[0]) for k, vs in request.GET.lists()}
    if request.method == "POST":
        if len(request.body) > MAX_BODY:
            raise bad_request("the request body is over 1 MB")
        ctype = request.content_type or ""
        if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            params.update({k: request.POST.get(k) for k in request.POST})
        elif request.body.strip():
            try:
                body = json.loads(request.body)
            except ValueError:
                raise bad_request("JSON Error: the body is not JSON") from None
            if not isinstance(body, dict):
                raise bad_request("JSON Error: Request data JSON decoded to a non-dictionary")
            params.update(body)
    params.pop("callback", None)
    return params


def _respond(request, action: str, body: dict, status: int = 200) -> HttpResponse:
    body = {"help": f"{request.scheme}://{request.get_host()}/api/3/action/help_show?name={action}", **body}
    try:
        data = orjson.dumps(body)
    except TypeError:
        data = json.dumps(body, default=str).encode()
    resp = HttpResponse(data, status=status, content_type="application/json;charset=utf-8")
    resp["Access-Control-Allow-Origin"] = "*"
    return resp


@csrf_exempt
def action(request, name: str):
    if request.method == "OPTIONS":
        resp = HttpResponse(status=204)
        resp["Access-Control-Allow-Origin"] = "*"
        resp["Access-Control-Allow-Headers"] = "Authorization, X-CKAN-API-Key, Content-Type"
        resp["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        return resp
    try:
        if request.method not in ("GET", "POST"):
            raise ActionError(405, "Bad Request", f"Bad request - {request.method} is not allowed: use GET or POST")
        fn = ACTIONS.get(name)
        if fn is None:
            raise bad_request(f"Action name not known: {name}")
        ctx = Context(request, _caller(request))
        result = fn(ctx, _params(request))
    except ActionError as e:
        return _respond(request, name, {"success": False, "error": e.body()}, e.status)
    return _respond(request, name, {"success": True, "result": result})
