"""Writing the audit log: who did what to which dataset, and when."""

from __future__ import annotations

from .models import AuditEntry


def record(action: str, summary: str, *, user=None, actor: str = "", dataset_id: str = "", **details) -> AuditEntry:
    if user is not None and getattr(user, "is_authenticated", False):
        actor = actor or user.get_username()
    else:
        user = None
    return AuditEntry.objects.create(
        user=user,
        actor=actor or "system",
        action=action,
        dataset_id=dataset_id,
        summary=summary[:500],
        details=details,
    )
