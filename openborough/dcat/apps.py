from django.apps import AppConfig


class DcatConfig(AppConfig):
    name = "openborough.dcat"
    label = "dcat"
    verbose_name = "DCAT-AP catalogue"
