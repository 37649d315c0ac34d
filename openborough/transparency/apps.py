from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "openborough.transparency"
    label = "transparency"
    verbose_name = "Transparency Code compliance"

    def menu_items(self, user):
        """Link for openborough.portal.menu: publishing against a template needs the publisher role."""
        from django.urls import reverse

        from ..requests_foi.pages import is_staff

        if is_staff(user):
            yield "staff", 80, "Publish Transparency Code data", reverse("transparency:templates")
