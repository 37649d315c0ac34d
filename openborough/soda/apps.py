from django.apps import AppConfig


class SodaConfig(AppConfig):
    name = "openborough.soda"
    label = "soda"
    verbose_name = "Socrata SODA 2.1 API"
