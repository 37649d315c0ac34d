"""``/data.json``: the catalogue as a DCAT-US 1.1 (Project Open Data) catalog,
which RSocrata's ``ls.socrata()`` reads. Only public, published datasets."""

from __future__ import annotations

from ..catalog.models import LICENCE_URLS, Dataset
from ..catalog.visibility import public_datasets
from . import links
from .http import soda_view
from .writes import json_response

SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"


def _date(when) -> str:
    return when.date().isoformat() if when else ""


def dcat_dataset(request, ds: Dataset) -> dict:
    org = ds.organisation.name if ds.organisation_id else ""
    contact = {"@type": "vcard:Contact", "fn": ds.contact_name or org or "Open data team"}
    if ds.contact_email:
        contact["hasEmail"] = f"mailto:{ds.contact_email}"
    return {
        "@type": "dcat:Dataset",
        "identifier": links.api_view(request, ds),
        "landingPage": links.landing_page(request, ds),
        "title": ds.name,
        "description": ds.description or ds.name,
        "keyword": list(ds.tags or []) or [ds.category or "dataset"],
        "issued": _date(ds.created_at),
        "modified": _date(ds.data_updated_at or ds.updated_at),
        "publisher": {"@type": "org:Organization", "name": org or ds.attribution or "Publisher"},
        "contactPoint": contact,
        "accessLevel": "public",
        "license": LICENCE_URLS.get(ds.licence, links.landing_page(request, ds)),
        "theme": [ds.category] if ds.category else [],
        "distribution": [
            {"@type": "dcat:Distribution", "downloadURL": links.download(request, ds, "csv"), "mediaType": "text/csv"},
            {
                "@type": "dcat:Distribution",
                "downloadURL": links.download(request, ds, "json"),
                "mediaType": "application/json",
            },
        ],
    }


@soda_view(("GET",))
def data_json(request, user):
    qs = public_datasets().select_related("organisation")
    base = links.base_url(request)
    return json_response(
        {
            "@context": f"{SCHEMA}/catalog.jsonld",
            "@id": f"{base}/data.json",
            "@type": "dcat:Catalog",
            "conformsTo": SCHEMA,
            "describedBy": f"{SCHEMA}/catalog.json",
            "dataset": [dcat_dataset(request, ds) for ds in qs.order_by("name", "id").iterator(chunk_size=500)],
        }
    )
