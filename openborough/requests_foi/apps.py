from django.apps import AppConfig


class RequestsFoiConfig(AppConfig):
    name = "openborough.requests_foi"
    label = "requests_foi"
    verbose_name = "Dataset requests and FOI log"
