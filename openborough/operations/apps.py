from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "openborough.operations"
    label = "operations"
    verbose_name = "Operations"
