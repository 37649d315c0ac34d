from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "openborough.standards"
    label = "standards"
    verbose_name = "Service standard (LGDSS) assessments"

    def ready(self):
        from . import published

        published.connect()

    def menu_items(self, user):
        """Link for openborough.portal.menu: people with a toolkit role only (access.toolkit_view)."""
        from django.urls import reverse

        from ..strategy import permissions

        if permissions.can_view(user):
            yield "header", 80, "Standards", reverse("standards:adoption")
