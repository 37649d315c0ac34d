"""``/api/users/current.json``: who the credentials belong to."""

from __future__ import annotations

from .auth import _unauthorized
from .http import soda_view
from .writes import json_response


@soda_view(("GET",))
def current_user(request, user, ext=None):
    if user is None:
        raise _unauthorized("Not signed in: send HTTP Basic or OAuth credentials")
    rights = ["read_private"] if user.has_role("viewer") else []
    if user.can_publish:
        rights += ["create_datasets", "edit_others_datasets", "publish"]
    if user.has_role("admin"):
        rights += ["manage_users"]
    return json_response(
        {
            "id": user.get_username(),
            "displayName": user.get_full_name() or user.get_username(),
            "screenName": user.get_username(),
            "email": user.email,
            "roleName": user.role,
            "rights": rights,
            "flags": ["admin"] if user.has_role("admin") else [],
        }
    )
