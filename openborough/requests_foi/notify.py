"""Emails to the requester and followers of a dataset request.

Sent through Django's email framework (settings.EMAIL_BACKEND: a file per
message under the data directory by default, SMTP in production). Every
message carries the link to follow the request and a link to delete the
address. Text and HTML parts are rendered by templates with auto-escaping on,
so markup typed into a request never reaches a mail client as markup.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from .links import dataset_path
from .models import DatasetRequest, Follower

log = logging.getLogger(__name__)


def absolute(path: str, base_url: str | None = None) -> str:
    base = (base_url or settings.OPENBOROUGH_BASE_URL).rstrip("/")
    return base + path


def _message(template: str, req: DatasetRequest, follower: Follower, base_url: str | None, **extra):
    context = {
        "req": req,
        "site_name": settings.OPENBOROUGH_SITE_NAME,
        "request_url": absolute(reverse("requests_foi:detail", args=[req.pk]), base_url),
        "delete_url": absolute(reverse("requests_foi:forget", args=[follower.token]), base_url),
        "confirm_url": absolute(reverse("requests_foi:confirm", args=[follower.token]), base_url),
        "dataset_url": absolute(dataset_path(req.dataset_id), base_url) if req.dataset_id else "",
        "is_requester": follower.is_requester,
        **extra,
    }
    subject = " ".join(render_to_string(f"requests_foi/email/{template}_subject.txt", context).split())
    text = render_to_string(f"requests_foi/email/{template}.txt", context)
    html = render_to_string(f"requests_foi/email/{template}.html", context)
    msg = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [follower.email])
    msg.attach_alternative(html, "text/html")
    return msg


def send(template: str, req: DatasetRequest, followers, base_url: str | None = None, **extra) -> int:
    """Send ``template`` to each follower (one message each: each has its own
    delete link). Returns how many were sent; failures are logged, not raised,
    so a mail outage never loses the change that caused the email."""
    messages = [_message(template, req, f, base_url, **extra) for f in followers]
    if not messages:
        return 0
    try:
        return get_connection(fail_silently=False).send_messages(messages) or 0
    except Exception:  # noqa: BLE001 - any transport error: the change itself stands
        log.exception("could not send %s emails for dataset request %s", template, req.pk)
        return 0
