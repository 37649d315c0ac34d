from django.apps import AppConfig


class HarvestConfig(AppConfig):
    name = "openborough.harvest"
    label = "harvest"
    verbose_name = "Harvesting"
    default_auto_field = "django.db.models.BigAutoField"

    def menu_items(self, user):
        """Link for openborough.portal.menu: harvesting is for administrators (views.admin_required)."""
        from django.urls import reverse

        from ..accounts.models import Role

        if user.is_authenticated and user.has_role(Role.ADMIN):
            yield "staff", 90, "Harvest another portal", reverse("harvest-runs")
