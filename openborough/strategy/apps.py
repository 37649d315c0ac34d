from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "openborough.strategy"
    label = "strategy"
    verbose_name = "Digital strategy: discovery, initiatives, outcomes-based budget"

    def ready(self):
        from . import published

        published.connect()

    def menu_items(self, user):
        """Link for openborough.portal.menu: people with a toolkit role only (access.toolkit_view)."""
        from django.urls import reverse

        from . import permissions

        if permissions.can_view(user):
            yield "header", 70, "Digital strategy", reverse("strategy:dashboard")
