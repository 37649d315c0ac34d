from django.apps import AppConfig


def _visibility_changed(sender, dataset_id, **kwargs):
    """A dataset joined or left the public: rebuild the compliance table, which links datasets."""
    from ..requests_foi.opendata import refresh_existing
    from .compliance import COMPLIANCE, compliance_rows

    if dataset_id != COMPLIANCE.dataset_id:
        refresh_existing(COMPLIANCE, compliance_rows)


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

    def ready(self):
        from ..catalog.visibility import visibility_changed

        visibility_changed.connect(_visibility_changed, dispatch_uid="transparency.compliance")
