from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "openborough.accounts"
    label = "accounts"
    verbose_name = "Staff accounts and API keys"
