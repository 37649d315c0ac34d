"""SODA routes and Socrata's other APIs (DSMAPI, OData, geospatial export)."""

from django.urls import include, path

urlpatterns = [path("", include("openborough.soda.extra_urls")), path("", include("openborough.soda.urls"))]
