from django.apps import AppConfig


class CkanConfig(AppConfig):
    name = "openborough.ckan"
    label = "ckan"
    verbose_name = "CKAN action API"
