"""Where a dataset is shown: the portal's dataset page when the portal names
one, else its SODA resource (which every install serves)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

_PAGE_NAMES = ("portal:dataset", "portal:dataset_detail", "dataset")


def dataset_path(dataset_id: str) -> str:
    for name in _PAGE_NAMES:
        try:
            return reverse(name, args=[dataset_id])
        except NoReverseMatch:
            continue
    return f"/resource/{dataset_id}.json"
