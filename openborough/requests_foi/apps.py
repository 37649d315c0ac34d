from django.apps import AppConfig


class RequestsFoiConfig(AppConfig):
    name = "openborough.requests_foi"
    label = "requests_foi"
    verbose_name = "Dataset requests and FOI log"

    def menu_items(self, user):
        """Links for openborough.portal.menu: the staff pages need the publisher role (pages.staff_required)."""
        from django.urls import reverse

        from .pages import is_staff

        if is_staff(user):
            yield "staff", 60, "Dataset requests", reverse("requests_foi:queue")
            yield "staff", 70, "FOI log", reverse("requests_foi:foi_list")
