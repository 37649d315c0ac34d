from __future__ import annotations

import time

import pytest
from django.core.cache import caches

from openborough.requests_foi import guard


@pytest.fixture(autouse=True)
def _fresh_throttle(settings):
    """Throttle counters live in a cache shared across tests: start each test clean."""
    for name in settings.CACHES:
        caches[name].clear()
    yield


@pytest.fixture
def old_token():
    """A form token issued a minute ago, as a person filling the form would send it."""
    return guard.form_token(time.time() - 60)


@pytest.fixture
def publisher(django_user_model):
    return django_user_model.objects.create_user("officer", password="pw-officer-1", role="publisher")


@pytest.fixture
def staff_client(publisher):
    """A second browser, signed in as a publisher (``client`` stays anonymous)."""
    from django.test import Client

    c = Client()
    c.force_login(publisher)
    return c


def confirm_link(message) -> str:
    """The confirm path in an email's text."""
    import re

    return re.search(r"http://testserver(/requests/confirm/[^/\s]+/)", message.body).group(1)
