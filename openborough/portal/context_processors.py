"""Values every portal page can use."""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .menu import menus


def site(request):
    user = getattr(request, "user", None)
    return {
        "site_name": settings.OPENBOROUGH_SITE_NAME,
        "site_organisation": settings.OPENBOROUGH_DEFAULT_ORGANISATION,
        "is_staff_user": bool(user is not None and user.is_authenticated and user.has_role("viewer")),
        # the links this person's roles open (portal/menu.py), worked out only when a template asks
        "menus": SimpleLazyObject(lambda: menus(user, request.path)),
    }
