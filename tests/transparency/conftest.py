from __future__ import annotations

import pytest


@pytest.fixture
def publisher(django_user_model):
    return django_user_model.objects.create_user("tc-officer", password="pw-officer-2", role="publisher")


@pytest.fixture
def staff_client(publisher):
    from django.test import Client

    c = Client()
    c.force_login(publisher)
    return c
