"""Finding a dataset for a caller. Private and unpublished datasets answer
404 to anyone without rights, exactly as an unknown id does, so that their
existence is not disclosed (Socrata answers 403; a 404 leaks less and every
client treats both as "not available")."""

from __future__ import annotations

from django.db.models import QuerySet

from ..catalog.ids import is_dataset_id
from ..catalog.models import Dataset
from ..catalog.visibility import PUBLIC
from .auth import can_read_private
from .errors import not_found


def visible_datasets(user) -> QuerySet:
    qs = Dataset.objects.all()
    if not can_read_private(user):
        qs = qs.filter(PUBLIC)
    return qs


def get_dataset(dataset_id: str, user) -> Dataset:
    if not is_dataset_id(dataset_id or ""):
        raise not_found(dataset_id)
    ds = visible_datasets(user).filter(pk=dataset_id).first()
    if ds is None:
        raise not_found(dataset_id)
    return ds
