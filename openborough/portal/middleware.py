"""Counts SODA API calls per dataset per day (no IPs, no user ids) for usage analytics."""

from __future__ import annotations

import logging
import re

from . import analytics

log = logging.getLogger(__name__)

_API_PATH = re.compile(r"^/(?:resource|api/views)/([a-z0-9]{4}-[a-z0-9]{4})(?:[./]|$)")


class UsageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        m = _API_PATH.match(request.path)
        if m and request.method in ("GET", "POST", "HEAD") and response.status_code < 400:
            try:
                analytics.record(m.group(1), "api_calls")
            except Exception:  # counting must never break an API answer
                log.exception("could not count an API call")
        return response
