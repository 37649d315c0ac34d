"""Absolute URLs this portal hands out in catalogue answers."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

#: names the portal may give its dataset page, tried in order
_PAGE_NAMES = ("portal:dataset", "portal:dataset_detail", "dataset", "dataset_detail")


def base_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def landing_page(request, ds) -> str:
    for name in _PAGE_NAMES:
        try:
            return base_url(request) + reverse(name, args=[ds.id])
        except NoReverseMatch:
            continue
    return f"{base_url(request)}/d/{ds.id}"


def api_view(request, ds) -> str:
    return f"{base_url(request)}/api/views/{ds.id}"


def download(request, ds, fmt: str) -> str:
    return f"{base_url(request)}/api/views/{ds.id}/rows.{fmt}?accessType=DOWNLOAD"
