from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "openborough.standards"
    label = "standards"
    verbose_name = "Service standard (LGDSS) assessments"

    def ready(self):
        from . import published

        published.connect()
