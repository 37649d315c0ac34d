"""Setting a password, and signing in, for every path (the CLI, the staff
pages, the Django admin, the SODA API's HTTP Basic).

``set_password`` runs Django's password validators (``AUTH_PASSWORD_VALIDATORS``:
at least 12 characters, not like the username or email, not a common
password, not all digits) before it hashes. Failed sign-ins are counted and
locked out by django-axes (``AXES_*`` in settings); ``lockout_response`` is
its answer to a locked-out form sign-in."""

from __future__ import annotations

from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.shortcuts import render


def set_password(user, password: str) -> None:
    """Validate ``password`` for ``user`` (ValidationError lists every problem), then set it."""
    validate_password(password, user)
    user.set_password(password)


def rules() -> list[str]:
    return password_validators_help_texts()


def lockout_seconds() -> int:
    from axes.helpers import get_cool_off

    cool_off = get_cool_off()
    return int(cool_off.total_seconds()) if cool_off else 0


def lockout_response(request, response, credentials=None):
    """django-axes' response to a locked-out client. The SODA API has already
    answered in its own error shape (429 with Retry-After); a form sign-in gets
    the sign-in page saying why."""
    if getattr(request, "soda_request_id", None):
        return response
    seconds = lockout_seconds()
    page = render(request, "portal/staff/locked_out.html", {"minutes": max(1, -(-seconds // 60))}, status=429)
    if seconds:
        page["Retry-After"] = str(seconds)
    return page
