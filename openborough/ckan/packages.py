"""A dataset as a CKAN package: one DataStore resource (the table, also the
CSV download) and one resource per other download format."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.text import slugify

from ..catalog.models import LICENCE_URLS, Dataset, Frequency, Licence, Organisation
from ..soql.types import SoQLType

#: CKAN's own licence ids for ours, where CKAN's default licence list has them
CKAN_LICENCE_IDS = {
    Licence.OGL3: "uk-ogl",
    Licence.CC_BY4: "cc-by",
    Licence.CC0: "cc-zero",
    Licence.ODBL: "odc-odbl",
    Licence.OTHER: "other-open",
}
LICENCE_FROM_CKAN = {v: k for k, v in CKAN_LICENCE_IDS.items()}
#: data.gov.uk's update_frequency words
DGU_FREQUENCIES = {"never": "never", "annually": "annual", "quarterly": "quarterly", "monthly": "monthly",
                   "weekly": "weekly", "daily": "daily"}  # fmt: skip


def base_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def ckan_time(when) -> str | None:
    """CKAN's timestamps: ISO 8601 in UTC without an offset."""
    if when is None:
        return None
    return when.astimezone(dt.UTC).replace(tzinfo=None).isoformat()


def group_name(category: str) -> str:
    return slugify(category)[:100] or "uncategorised"


def licence_dict(code: str) -> dict:
    label = dict(Licence.choices).get(code, code)
    url = LICENCE_URLS.get(code, "")
    return {
        "id": CKAN_LICENCE_IDS.get(code, code),
        "title": label,
        "url": url,
        "od_conformance": "approved" if url else "not reviewed",
        "osd_conformance": "not reviewed",
        "status": "active",
        "maintainer": "",
        "family": "",
        "domain_content": False,
        "domain_data": True,
        "domain_software": False,
    }


def organization_dict(org: Organisation, package_count: int | None = None) -> dict:
    out = {
        "id": org.slug,
        "name": org.slug,
        "title": org.name,
        "display_name": org.name,
        "description": org.description,
        "image_url": "",
        "image_display_url": "",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "created": None,
        "url": org.url,
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def group_dict(category: str, package_count: int | None = None) -> dict:
    name = group_name(category)
    out = {
        "id": name,
        "name": name,
        "title": category,
        "display_name": category,
        "description": "",
        "image_url": "",
        "image_display_url": "",
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
        "created": None,
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def tag_dict(tag: str) -> dict:
    return {"id": tag, "name": tag, "display_name": tag, "state": "active", "vocabulary_id": None}


GEOMETRY_TYPES = [t.value for t in SoQLType if t.is_geometry]


def with_geometry(ids) -> set[str]:
    """Which of these datasets have a geometry column (one query for a page of packages)."""
    return set(Dataset.objects.filter(pk__in=list(ids), columns__type__in=GEOMETRY_TYPES).values_list("id", flat=True))


def resources(request, ds: Dataset, geo: bool | None = None) -> list[dict]:
    if ds.current_version is None:
        return []
    base = base_url(request)
    modified = ckan_time(ds.data_updated_at or ds.updated_at)

    def page(name, **kw):
        return base + reverse(name, kwargs=kw)

    made = [
        ("", "CSV", "text/csv", page("portal:download", dataset_id=ds.id, fmt="csv"), True),
        ("-xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         page("portal:download", dataset_id=ds.id, fmt="xlsx"), False),
        ("-parquet", "Parquet", "application/vnd.apache.parquet",
         page("portal:download", dataset_id=ds.id, fmt="parquet"), False),
        ("-json", "JSON", "application/json", page("soda-resource", dataset_id=ds.id, ext="json"), False),
    ]  # fmt: skip
    if geo if geo is not None else bool(with_geometry([ds.id])):
        made.append(
            (
                "-geojson",
                "GeoJSON",
                "application/geo+json",
                page("soda-resource", dataset_id=ds.id, ext="geojson"),
                False,
            )
        )
    out = []
    for position, (suffix, fmt, mime, url, datastore) in enumerate(made):
        out.append(
            {
                "id": ds.id + suffix,
                "package_id": ds.id,
                "name": f"{ds.name} ({fmt})",
                "description": "The table, searchable through datastore_search" if datastore else f"{fmt} download",
                "format": fmt,
                "mimetype": mime,
                "url": url,
                "url_type": None,
                "datastore_active": datastore,
                "position": position,
                "state": "active",
                "created": ckan_time(ds.created_at),
                "last_modified": modified,
                "metadata_modified": modified,
                "size": None,
                "hash": "",
                "resource_type": None,
            }
        )
    return out


def package_dicts(request, datasets) -> list[dict]:
    datasets = list(datasets)
    geo = with_geometry(ds.id for ds in datasets if ds.current_version is not None)
    return [package_dict(request, ds, geo=ds.id in geo) for ds in datasets]


def package_dict(request, ds: Dataset, geo: bool | None = None) -> dict:
    org = ds.organisation
    tags = [tag_dict(str(t)) for t in (ds.tags or [])]
    groups = [group_dict(ds.category)] if ds.category else []
    res = resources(request, ds, geo)
    extras = [
        {"key": key, "value": value}
        for key, value in (
            ("update_frequency", ds.update_frequency),
            ("frequency_label", dict(Frequency.choices).get(ds.update_frequency, "")),
            ("temporal_coverage", ds.temporal_coverage),
            ("spatial_coverage", ds.spatial_coverage),
            ("row_identifier", ds.row_identifier),
            ("attribution", ds.attribution),
            ("row_count", str(ds.row_count) if ds.current_version is not None else ""),
            ("data_modified", ckan_time(ds.data_updated_at) or ""),
            # the extras data.gov.uk's CKAN harvester reads
            ("contact-name", ds.contact_name),
            ("contact-email", ds.contact_email),
            ("temporal_coverage-from", ds.temporal_coverage.partition("/")[0]),
            ("temporal_coverage-to", ds.temporal_coverage.partition("/")[2] or ds.temporal_coverage),
            ("dgu_update_frequency", DGU_FREQUENCIES.get(ds.update_frequency, "")),
        )
        if value
    ]
    lic = licence_dict(ds.licence)
    return {
        "id": ds.id,
        "name": ds.id,
        "title": ds.name,
        "notes": ds.description,
        "type": "dataset",
        "state": "active",
        "private": not ds.is_public,
        "author": org.name if org else ds.attribution,
        "author_email": None,
        "maintainer": ds.contact_name or None,
        "maintainer_email": ds.contact_email or None,
        "license_id": lic["id"],
        "license_title": lic["title"],
        "license_url": lic["url"],
        "url": base_url(request) + reverse("portal:dataset", kwargs={"dataset_id": ds.id}),
        "version": str(ds.current_version) if ds.current_version is not None else None,
        "metadata_created": ckan_time(ds.created_at),
        "metadata_modified": ckan_time(ds.updated_at),
        "creator_user_id": None,
        "isopen": bool(lic["url"]),
        "owner_org": org.slug if org else None,
        "organization": organization_dict(org) if org else None,
        "groups": groups,
        "tags": tags,
        "num_tags": len(tags),
        "extras": extras,
        "resources": res,
        "num_resources": len(res),
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }
