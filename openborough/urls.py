from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("openborough.operations.urls")),
    path("", include("openborough.soda.extra_urls")),  # DSMAPI, OData, geospatial export (before any /api/ catch-all)
    path("", include("openborough.soda.urls")),
    path("", include("openborough.ckan.urls")),
    path("", include("openborough.dcat.urls")),
    path("requests/", include("openborough.requests_foi.urls")),
    path("transparency/", include("openborough.transparency.urls")),
    path("strategy/", include("openborough.strategy.urls")),
    path("standards/", include("openborough.standards.urls")),
    path("staff/harvest/", include("openborough.harvest.urls")),
    path("", include("openborough.portal.urls")),
    path("", include("openborough.soda.fallback")),  # last: unmatched /api/* → JSON 404
]
