from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "openborough.portal"
    label = "portal"
    verbose_name = "Public portal and staff area"

    def ready(self):
        from . import signals  # noqa: F401  (keeps the search index in step with the catalogue)

    def menu_items(self, user):
        """The staff area's links this user opens (portal/menu.py); the checks are the views' own."""
        from django.urls import reverse

        from ..accounts.models import Role

        if not user.has_role(Role.VIEWER):
            return
        yield "header", 90, "Staff area", reverse("portal:staff-home")
        yield "staff", 10, "Datasets", reverse("portal:staff-home")
        if user.has_role(Role.PUBLISHER):
            yield "staff", 20, "Publish a dataset", reverse("portal:publish")
        yield "staff", 30, "Audit log", reverse("portal:staff-audit")
        yield "staff", 40, "App tokens and API keys", reverse("portal:staff-tokens")
        if user.has_role(Role.ADMIN):
            yield "staff", 50, "Users", reverse("portal:staff-users")
