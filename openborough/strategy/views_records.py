"""Adding and changing the toolkit's other records: outcomes, foundations, aspirations, services and
savings proposals. Officers change their own service's records; the rest is for administrators."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone

from . import forms as f
from . import permissions
from .access import forbidden, page, toolkit_view
from .models import Aspiration, BudgetAllocation, Foundation, Outcome, SavingsProposal, Service


@dataclass(frozen=True)
class Kind:
    model: type
    form: type
    noun: str
    back: str
    owner: str | None = None  # None: administrators only; "self": the record is a service
    years: type | None = None


KINDS = {
    "outcomes": Kind(Outcome, f.OutcomeForm, "outcome", "strategy:budget"),
    "allocations": Kind(BudgetAllocation, f.AllocationForm, "budget allocation", "strategy:budget"),
    "foundations": Kind(Foundation, f.FoundationForm, "digital foundation", "strategy:discovery", "owning_service"),
    "aspirations": Kind(Aspiration, f.AspirationForm, "digital aspiration", "strategy:discovery"),
    "services": Kind(Service, f.ServiceForm, "service", "standards:services", "self"),
    "savings": Kind(
        SavingsProposal, f.SavingsForm, "savings proposal", "strategy:budget", "owning_service", f.SavingsYearFormSet
    ),
}


def _service_of_record(kind: Kind, obj):
    if obj is None or kind.owner is None:
        return None
    return obj if kind.owner == "self" else getattr(obj, kind.owner)


def _allowed(user, kind: Kind, obj) -> bool:
    if permissions.is_admin(user):
        return True
    if kind.owner is None or (kind.owner == "self" and obj is None):
        return False
    return permissions.can_edit_service_record(user, _service_of_record(kind, obj))


@toolkit_view
def record_edit(request, kind_name, pk=None):
    kind = KINDS.get(kind_name)
    if kind is None:
        raise Http404("no such kind of record")
    obj = get_object_or_404(kind.model, pk=pk) if pk else None
    if not _allowed(request.user, kind, obj):
        return forbidden(
            request,
            f"You cannot change this {kind.noun}: officers change their own service's "
            "records, administrators everything, councillors read only.",
        )
    form = kind.form(request.POST or None, instance=obj)
    own = None if permissions.is_admin(request.user) else permissions.service_of(request.user)
    if own is not None and kind.owner == "owning_service":
        form.fields["owning_service"].queryset = Service.objects.filter(pk=own.pk)
        form.fields["owning_service"].initial = own.pk
    years = kind.years(request.POST or None, instance=obj or kind.model(), prefix="years") if kind.years else None
    if request.method == "POST" and form.is_valid() and (years is None or years.is_valid()):
        with transaction.atomic():
            saved = form.save(commit=False)
            if hasattr(saved, "updated_at"):
                saved.updated_at = timezone.now()
            saved.save()
            form.save_m2m()
            if years is not None:
                years.instance = saved
                years.save()
        messages.success(request, f"The {kind.noun} “{saved}” is saved.")
        return redirect(kind.back)
    return page(request, "strategy/record_form.html", {"form": form, "years": years, "kind": kind, "obj": obj})
