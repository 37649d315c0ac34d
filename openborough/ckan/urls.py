from django.http import JsonResponse
from django.urls import path, re_path

from . import views

urlpatterns = [
    re_path(r"^api/(?:3/)?action/(?P<name>[A-Za-z0-9_]+)$", views.action, name="ckan-action"),
    path("api/3", lambda r: JsonResponse({"version": 3}), name="ckan-version"),
]
