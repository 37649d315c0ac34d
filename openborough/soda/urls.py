"""SODA 2.1 routes. Every route here is described in ``openapi.py`` (a test checks it)."""

from django.urls import path, re_path

from . import catalog_api, datajson, metadata, openapi, resource, users, v3, views_api

ID = r"(?P<dataset_id>[^/.]+)"

urlpatterns = [
    re_path(rf"^resource/{ID}(?:\.(?P<ext>[A-Za-z0-9]+))?$", resource.dataset_resource, name="soda-resource"),
    re_path(
        rf"^resource/{ID}/(?P<rowid>[^/]+?)(?:\.(?P<ext>json|csv|geojson))?$",
        resource.row_resource,
        name="soda-row",
    ),
    re_path(r"^api/views(?:\.(?P<ext>json))?$", views_api.views_collection, name="soda-views"),
    re_path(rf"^api/views/{ID}(?:\.(?P<ext>json))?$", views_api.view_detail, name="soda-view"),
    re_path(rf"^api/views/{ID}/publication(?:\.(?P<ext>json))?$", views_api.publication, name="soda-publication"),
    re_path(rf"^api/views/{ID}/rows\.(?P<ext>[A-Za-z]+)$", views_api.rows_export, name="soda-export"),
    path("api/catalog/v1", catalog_api.catalog, name="soda-catalog"),
    path("api/catalog/v1/autocomplete", catalog_api.autocomplete, name="soda-autocomplete"),
    path("api/catalog/v1/domain_categories", catalog_api.domain_categories, name="soda-domain-categories"),
    path("api/catalog/v1/domain_tags", catalog_api.domain_tags, name="soda-domain-tags"),
    path("data.json", datajson.data_json, name="soda-data-json"),
    re_path(r"^api/users/current(?:\.(?P<ext>json))?$", users.current_user, name="soda-current-user"),
    path("api/openapi.json", openapi.openapi_view, name="soda-openapi"),
    # SODA3, the Socrata web UI's query path, and the metadata API (docs/api/soda.md, "Compatibility")
    re_path(rf"^api/v3/views/{ID}/query\.(?P<ext>[A-Za-z0-9]+)$", v3.query, name="soda3-query"),
    re_path(rf"^api/v3/views/{ID}/export\.(?P<ext>[A-Za-z0-9]+)$", v3.export, name="soda3-export"),
    re_path(rf"^api/id/{ID}(?:\.(?P<ext>[A-Za-z0-9]+))?$", resource.dataset_resource, name="soda-api-id"),
    re_path(r"^api/views/metadata/v1/?$", metadata.metadata_list, name="soda-metadata-list"),
    re_path(rf"^api/views/metadata/v1/{ID}/?$", metadata.metadata_detail, name="soda-metadata"),
    re_path(rf"^views/{ID}(?:\.(?P<ext>json))?$", views_api.view_detail, name="soda-view-alias"),
    re_path(rf"^api/views/{ID}/columns(?:\.(?P<ext>json))?$", metadata.columns, name="soda-columns"),
    re_path(rf"^api/views/{ID}/files/(?P<asset_id>[0-9a-f]{{32}})$", metadata.attachment, name="soda-attachment"),
]
