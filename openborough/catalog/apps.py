from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "openborough.catalog"
    label = "catalog"
    verbose_name = "Dataset catalogue"
