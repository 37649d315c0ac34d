from django.apps import AppConfig


class HarvestConfig(AppConfig):
    name = "openborough.harvest"
    label = "harvest"
    verbose_name = "Harvesting"
    default_auto_field = "django.db.models.BigAutoField"
