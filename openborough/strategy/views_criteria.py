"""Prioritisation criteria: read by everyone in the toolkit, set by administrators."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect

from . import permissions
from .access import forbidden, page, toolkit_view
from .forms import CriterionForm, DescriptorFormSet
from .models import Criterion


@toolkit_view
def criteria_list(request):
    return page(request, "strategy/criteria.html", {"criteria": Criterion.objects.prefetch_related("descriptors")})


@toolkit_view
def criterion_edit(request, pk=None):
    if not permissions.is_admin(request.user):
        return forbidden(request, "Only administrators set the prioritisation criteria.")
    criterion = get_object_or_404(Criterion, pk=pk) if pk else None
    form = CriterionForm(request.POST or None, instance=criterion)
    # the formset checks descriptor values against the scale being submitted
    target = form.instance
    if request.method == "POST" and form.is_valid():
        target = form.save(commit=False)
    descriptors = DescriptorFormSet(request.POST or None, instance=target, prefix="d")
    if request.method == "POST" and form.is_valid() and descriptors.is_valid():
        with transaction.atomic():
            target.save()
            descriptors.instance = target
            descriptors.save()
        scored = target.scores.exclude(scale_min=target.scale_min, scale_max=target.scale_max).count()
        note = f" {scored} earlier score(s) were given on another scale and are read on that scale." if scored else ""
        messages.success(request, f"Criterion “{target.name}” saved; the ranking uses it at once.{note}")
        return redirect("strategy:criteria")
    return page(request, "strategy/criterion_form.html", {"form": form, "descriptors": descriptors, "c": criterion})
