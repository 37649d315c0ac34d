from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "openborough.catalog"
    label = "catalog"
    verbose_name = "Dataset catalogue"

    def ready(self):
        from . import visibility  # noqa: F401  (connects the visibility-change hook)
