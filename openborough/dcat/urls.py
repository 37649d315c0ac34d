from django.urls import re_path

from . import views

EXT = r"(?P<ext>\.ttl|\.jsonld|\.rdf)"

urlpatterns = [
    re_path(rf"^catalog{EXT}?$", views.catalog, name="dcat-catalog"),
    re_path(rf"^catalog/(?P<dataset_id>[a-z0-9]{{4}}-[a-z0-9]{{4}}){EXT}?$", views.dataset, name="dcat-dataset"),
]
