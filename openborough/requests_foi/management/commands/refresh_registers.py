"""Rebuild the open registers: dataset requests, FOI figures, Transparency Code
compliance. Run daily (cron) so due dates and the 12-month topic window move
with the calendar even when nothing changes (pages also refresh them once a
day), and delete email addresses never confirmed."""

from django.core.management.base import BaseCommand, CommandError

from ...foi_figures import refresh_figures
from ...register import refresh_register
from ...workflow import purge_unconfirmed


class Command(BaseCommand):
    help = "Rebuild the dataset-request register, the FOI figures and the Transparency Code compliance datasets."

    def handle(self, *args, **options):
        from openborough.transparency.compliance import refresh_compliance

        purged = purge_unconfirmed()
        self.stdout.write(f"deleted {purged} email address(es) never confirmed")
        failed = []
        for name, fn in (("requests", refresh_register), ("foi", refresh_figures), ("compliance", refresh_compliance)):
            ds = fn()
            if ds is None:
                failed.append(name)
            else:
                self.stdout.write(f"{name}: {ds.id} v{ds.current_version}, {ds.row_count} rows")
        if failed:
            raise CommandError(f"could not refresh: {', '.join(failed)} (see the log)")
