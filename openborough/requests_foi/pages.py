"""Shared page plumbing for the requests, FOI and transparency views: the
portal's GOV.UK base layout, staff access and absolute links."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse

PORTAL_BASE = "portal/base.html"
FALLBACK_BASE = "requests_foi/fallback_base.html"
_base: str | None = None


def base_template() -> str:
    """The portal's layout when it is installed, else a minimal GOV.UK-classed one."""
    global _base
    if _base is None:
        try:
            get_template(PORTAL_BASE)
            reverse("portal:home")  # the layout links to the portal's pages
            _base = PORTAL_BASE
        except (TemplateDoesNotExist, NoReverseMatch):
            _base = FALLBACK_BASE
    return _base


def page(request, template: str, context: dict | None = None, status: int = 200):
    ctx = {"base_template": base_template(), **(context or {})}
    return render(request, template, ctx, status=status)


def base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def is_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role("publisher"))


def staff_required(view):
    """Publishers and administrators only: others are sent to sign in, or refused."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff(request.user):
            return page(
                request,
                "requests_foi/message.html",
                {"title": "You cannot do this", "message": "This page is for staff with the publisher role."},
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapper
