from django.apps import AppConfig


def _visibility_changed(sender, dataset_id, **kwargs):
    """A dataset joined or left the public: rebuild the registers that may name it."""
    from .foi_figures import FIGURES, figure_rows
    from .foi_measures import measures
    from .opendata import refresh_existing
    from .register import REGISTER, register_rows

    if dataset_id in (FIGURES.dataset_id, REGISTER.dataset_id):
        return
    refresh_existing(REGISTER, lambda: list(register_rows()))
    refresh_existing(FIGURES, lambda: figure_rows(measures()))


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

    def ready(self):
        from ..catalog.visibility import visibility_changed

        visibility_changed.connect(_visibility_changed, dispatch_uid="requests_foi.registers")
