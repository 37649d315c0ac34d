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

    def ready(self):
        from ..catalog.visibility import visibility_changed

        visibility_changed.connect(_visibility_changed, dispatch_uid="requests_foi.registers")
