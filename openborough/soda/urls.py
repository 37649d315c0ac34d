"""SODA 2.1 routes. Every route here is described in ``openapi.py`` (a test checks it)."""

from django.urls import path, re_path

from . import catalog_api, datajson, openapi, resource, users, views_api

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
]
