"""Page access for the toolkit, and the layout its pages extend."""

from __future__ import annotations

import functools
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect, render
from django.template.loader import get_template

from . import permissions

log = logging.getLogger(__name__)
PORTAL_BASE = "portal/base.html"
FALLBACK_BASE = "strategy/layout.html"
_base: str | None = None


def base_template(request) -> str:
    """The portal's GOV.UK layout when it renders, else the toolkit's own (same blocks)."""
    global _base
    if _base is None:
        try:
            get_template(PORTAL_BASE).render({}, request)
            _base = PORTAL_BASE
        except Exception:  # the portal layout is missing or cannot render here
            log.warning("portal layout %s unusable; toolkit pages use %s", PORTAL_BASE, FALLBACK_BASE)
            return FALLBACK_BASE
    return _base


def page(request, template: str, context: dict | None = None, status: int = 200):
    ctx = {
        "base_template": base_template(request),
        "toolkit_role": permissions.role_of(request.user),
        "toolkit_admin": permissions.is_admin(request.user),
        "can_score": permissions.can_score(request.user),
        **(context or {}),
    }
    return render(request, template, ctx, status=status)


def forbidden(request, message: str):
    return page(request, "strategy/forbidden.html", {"message": message}, status=403)


def toolkit_view(view):
    """Signed-in people with a toolkit role only; others are sent to sign in or told why not."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{settings.LOGIN_URL}?{urlencode({'next': request.get_full_path()})}")
        if not permissions.can_view(request.user):
            return forbidden(
                request,
                "The digital leadership toolkit is for councillors and council officers. Ask an administrator "
                "to give you a toolkit role. The toolkit's records are also published as open datasets.",
            )
        return view(request, *args, **kwargs)

    return wrapped
