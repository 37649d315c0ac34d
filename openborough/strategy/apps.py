from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "openborough.strategy"
    label = "strategy"
    verbose_name = "Digital strategy: discovery, initiatives, outcomes-based budget"

    def ready(self):
        from . import published

        published.connect()
