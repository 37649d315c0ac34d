from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "openborough.transparency"
    label = "transparency"
    verbose_name = "Transparency Code compliance"
