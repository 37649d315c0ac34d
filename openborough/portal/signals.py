"""Keep the catalogue search index in step with every dataset, column and organisation save."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..catalog.models import Dataset, DatasetColumn, Organisation
from ..catalog.search import schedule_reindex


@receiver(post_save, sender=Dataset, dispatch_uid="portal-search-dataset")
def _dataset_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        schedule_reindex(instance.pk)


@receiver(post_save, sender=DatasetColumn, dispatch_uid="portal-search-column-saved")
@receiver(post_delete, sender=DatasetColumn, dispatch_uid="portal-search-column-deleted")
def _column_changed(sender, instance, raw=False, **kwargs):
    origin = kwargs.get("origin")
    if isinstance(origin, Dataset) or (origin is not None and getattr(origin, "model", None) is Dataset):
        return  # the whole dataset is being deleted; its entry goes with it
    if not raw:
        schedule_reindex(instance.dataset_id)


@receiver(post_save, sender=Organisation, dispatch_uid="portal-search-organisation")
def _organisation_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        for ds_id in Dataset.objects.filter(organisation=instance).values_list("pk", flat=True):
            schedule_reindex(ds_id)
