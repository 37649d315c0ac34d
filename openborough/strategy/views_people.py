"""Administrators give people their toolkit role (councillor, officer of a service, admin)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect

from ..catalog import audit
from . import permissions
from .access import forbidden, page, toolkit_view
from .forms import ToolkitRoleForm
from .models import ToolkitRole, ToolkitRoleKind


@toolkit_view
def people(request):
    if not permissions.is_admin(request.user):
        return forbidden(request, "Only administrators give people toolkit roles.")
    form = ToolkitRoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, role, service = form.cleaned_data["user"], form.cleaned_data["role"], form.cleaned_data["service"]
        if user == request.user and role != ToolkitRoleKind.ADMIN and not user.is_superuser:
            return forbidden(request, "You cannot remove your own administrator role; ask another administrator.")
        if role:
            ToolkitRole.objects.update_or_create(
                user=user, defaults={"role": role, "service": service if role == ToolkitRoleKind.OFFICER else None}
            )
            summary = f"{user.get_username()} given toolkit role {role}" + (f" for {service}" if service else "")
        else:
            ToolkitRole.objects.filter(user=user).delete()
            summary = f"{user.get_username()}'s toolkit role removed"
        audit.record("toolkit-role", summary, user=request.user, target=user.get_username(), role=role)
        messages.success(request, summary[:1].upper() + summary[1:] + ".")
        return redirect("strategy:people")
    roles = ToolkitRole.objects.select_related("user", "service").order_by("role", "user__username")
    return page(request, "strategy/people.html", {"form": form, "roles": roles})
