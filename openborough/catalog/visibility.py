"""Who may see a dataset, and the one hook that fires when that changes.

The rule: the public (and any caller without rights to private data) sees a
dataset only while it is public *and* published. Everything built for the
public from other records — the dataset-request register, the FOI figures,
the Transparency Code compliance table, their pages — names a dataset only
through ``public_datasets`` / ``public_ids``.

A derived register is a snapshot, so it must be rebuilt whenever a dataset
leaves (or joins) the public: ``visibility_changed`` is sent, once the
database transaction has committed, after every save that changes a
dataset's ``visibility`` or ``published`` and after every delete, whichever
path made it (SODA ``setPermission``, publication, the staff pages, the CLI,
the Django admin). Apps that publish registers connect to it in their
``AppConfig.ready``. ``QuerySet.update`` bypasses model signals: code that
changes visibility must save the model (``catalog.publishing.set_visibility``).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import Signal, receiver

from .models import Dataset, Visibility

#: sent with ``dataset_id`` after a committed change of who may see that dataset
visibility_changed = Signal()

PUBLIC = Q(visibility=Visibility.PUBLIC) & Q(published=True)


def public_datasets() -> QuerySet:
    """Datasets anyone may see."""
    return Dataset.objects.filter(PUBLIC)


def public_ids(ids: Iterable[str | None]) -> set[str]:
    """Those of ``ids`` that name a dataset anyone may see."""
    wanted = {i for i in ids if i}
    if not wanted:
        return set()
    return set(public_datasets().filter(pk__in=wanted).values_list("pk", flat=True))


def _state(instance: Dataset):
    d = instance.__dict__  # never load a deferred field just to remember it
    return (d.get("visibility"), d.get("published"))


@receiver(post_init, sender=Dataset)
def _remember(sender, instance, **kwargs):
    instance._visibility_state = _state(instance)


def _announce(dataset_id: str) -> None:
    transaction.on_commit(lambda: visibility_changed.send(sender=Dataset, dataset_id=dataset_id))


@receiver(post_save, sender=Dataset)
def _saved(sender, instance, created, update_fields=None, raw=False, **kwargs):
    before = getattr(instance, "_visibility_state", (None, None))
    after = _state(instance)
    instance._visibility_state = after
    if created or raw:
        return  # nothing can refer to a dataset that did not exist
    if update_fields is not None and not {"visibility", "published"} & set(update_fields):
        return
    if None in before or before != after:
        _announce(instance.pk)


@receiver(post_delete, sender=Dataset)
def _deleted(sender, instance, **kwargs):
    _announce(instance.pk)
