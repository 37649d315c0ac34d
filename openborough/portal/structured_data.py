"""schema.org ``Dataset`` JSON-LD for dataset pages (Google Dataset Search and other crawlers)."""

from __future__ import annotations

import json

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe

from .text import plain_summary

ENCODINGS = {
    "CSV": "text/csv",
    "API CSV": "text/csv",
    "JSON": "application/json",
    "GeoJSON": "application/geo+json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "Parquet": "application/vnd.apache.parquet",
}
#: characters that could end the script element or open a comment inside it, as JSON escapes
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def dataset_jsonld(request, ds, downloads) -> str:
    """The page's ``<script type="application/ld+json">`` content; "" for private or unpublished datasets.

    ``downloads`` are the page's (label, url, description) download links."""
    if not ds.is_public:
        return ""
    base = f"{request.scheme}://{request.get_host()}"
    page = base + reverse("portal:dataset", args=[ds.id])
    org = ds.organisation
    agent = {
        "@type": "Organization",
        "name": org.name if org else settings.OPENBOROUGH_DEFAULT_ORGANISATION,
        "url": base + (reverse("portal:organisation", args=[org.slug]) if org else "/"),
    }
    description = plain_summary(ds.description, 5000) if ds.description else ""
    data = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": page,
        "name": ds.name,
        "description": description if len(description) >= 50 else f"{ds.name}. {description}".strip(),
        "url": page,
        "identifier": ds.id,
        "keywords": [str(t) for t in ds.tags or []] + ([ds.category] if ds.category else []),
        "isAccessibleForFree": True,
        "creator": agent,
        "publisher": agent,
        "dateCreated": ds.created_at.isoformat(),
        "dateModified": (ds.data_updated_at or ds.updated_at).isoformat(),
        "includedInDataCatalog": {"@type": "DataCatalog", "name": settings.OPENBOROUGH_SITE_NAME, "url": base + "/"},
        "sameAs": f"{base}/catalog/{ds.id}",
    }
    if ds.licence_url():
        data["license"] = ds.licence_url()
    if ds.attribution:
        data["creditText"] = ds.attribution
    if ds.temporal_coverage:
        data["temporalCoverage"] = ds.temporal_coverage
    if ds.spatial_coverage:
        data["spatialCoverage"] = {"@type": "Place", "name": ds.spatial_coverage}
    if ds.current_version is not None:
        data["version"] = str(ds.current_version)
        data["distribution"] = [
            {
                "@type": "DataDownload",
                "name": label,
                "description": text,
                "contentUrl": url if url.startswith("http") else base + url,
                "encodingFormat": ENCODINGS.get(label, "application/octet-stream"),
            }
            for label, url, text in downloads
        ]
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_ESCAPES))  # noqa: S308 - escaped above
