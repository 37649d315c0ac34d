"""Staff users with a role, and the API keys and app tokens they hold."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer (can see private datasets)"
    PUBLISHER = "publisher", "Publisher (can publish and edit datasets)"
    ADMIN = "admin", "Administrator (can also manage users)"


ROLE_RANK = {Role.VIEWER: 1, Role.PUBLISHER: 2, Role.ADMIN: 3}


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)

    def has_role(self, role: str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return ROLE_RANK.get(self.role, 0) >= ROLE_RANK[Role(role)]

    @property
    def can_publish(self) -> bool:
        return self.has_role(Role.PUBLISHER)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class AppToken(models.Model):
    """A Socrata-style app token (``X-App-Token`` / ``$$app_token``): identifies
    an application for throttling; it grants no rights."""

    name = models.CharField(max_length=200)
    token = models.CharField(max_length=64, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="app_tokens")
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    def save(self, *args, **kwargs):
        if not self.token:
            self.token = secrets.token_urlsafe(18)
        super().save(*args, **kwargs)

    def __str__(self):
        return self.name


class ApiKey(models.Model):
    """An API key pair for writes: used as HTTP Basic (key id : secret), as
    Socrata API keys are. Only a hash of the secret is kept."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=200)
    key_id = models.CharField(max_length=40, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    @classmethod
    def issue(cls, owner, name: str) -> tuple[ApiKey, str]:
        secret = secrets.token_urlsafe(30)
        key = cls.objects.create(owner=owner, name=name, key_id=secrets.token_hex(12), secret_hash=_digest(secret))
        return key, secret

    @classmethod
    def owner_of(cls, secret: str):
        """The active owner of the active key with this secret (a bearer token), else None."""
        key = cls.objects.select_related("owner").filter(secret_hash=_digest(secret.strip()), active=True).first()
        return key.owner if key is not None and key.owner.is_active else None

    def verify(self, secret: str) -> bool:
        return self.active and secrets.compare_digest(self.secret_hash, _digest(secret))

    def __str__(self):
        return f"{self.name} ({self.key_id})"
