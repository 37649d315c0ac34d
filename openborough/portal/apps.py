from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "openborough.portal"
    label = "portal"
    verbose_name = "Public portal and staff area"

    def ready(self):
        from . import signals  # noqa: F401  (keeps the search index in step with the catalogue)
