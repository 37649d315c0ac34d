"""Who may see what: the public sees public, published datasets; staff
(viewer and above) also see private and unpublished ones."""

from __future__ import annotations

from django.http import Http404

from ..accounts.models import Role
from ..catalog.ids import is_dataset_id
from ..catalog.models import Dataset


def is_staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(Role.VIEWER))


def visible_dataset(request, dataset_id: str) -> Dataset:
    if not is_dataset_id(dataset_id):
        raise Http404("No dataset has that id")
    ds = Dataset.objects.select_related("organisation").filter(pk=dataset_id).first()
    if ds is None or (not ds.is_public and not is_staff(request.user)):
        raise Http404("No dataset has that id")
    return ds
