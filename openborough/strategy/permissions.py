"""Who may do what in the leadership toolkit.

* councillor – reads everything, changes nothing;
* officer – reads everything, edits the records of their own service, scores initiatives;
* admin – edits everything and sets the prioritisation criteria (also Django superusers).

People with no toolkit role see nothing: the open datasets are the public view.
"""

from __future__ import annotations

from .models import ToolkitRole, ToolkitRoleKind


def role_of(user) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return ToolkitRoleKind.ADMIN
    tr = ToolkitRole.objects.filter(user=user).first()
    return tr.role if tr else None


def service_of(user):
    tr = ToolkitRole.objects.filter(user=user).select_related("service").first()
    return tr.service if tr else None


def can_view(user) -> bool:
    return role_of(user) is not None


def is_admin(user) -> bool:
    return role_of(user) == ToolkitRoleKind.ADMIN


def can_score(user) -> bool:
    return role_of(user) in (ToolkitRoleKind.OFFICER, ToolkitRoleKind.ADMIN)


def can_edit_service_record(user, service) -> bool:
    """Edit a record owned by ``service`` (None: a new record whose service is not chosen yet)."""
    role = role_of(user)
    if role == ToolkitRoleKind.ADMIN:
        return True
    if role != ToolkitRoleKind.OFFICER:
        return False
    own = service_of(user)
    return own is not None and (service is None or own.pk == service.pk)
