"""Only the SODA routes: these tests do not depend on the other apps' pages."""

from django.urls import include, path

urlpatterns = [path("", include("openborough.soda.urls")), path("", include("openborough.soda.fallback"))]
