from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "openborough.portal"
    label = "portal"
    verbose_name = "Public portal and staff area"
