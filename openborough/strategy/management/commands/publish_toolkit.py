"""Republish every toolkit dataset now (they also refresh by themselves on each change)."""

from django.core.management.base import BaseCommand, CommandError

from openborough.catalog.models import AuditEntry
from openborough.strategy import opendata


class Command(BaseCommand):
    help = "Republish the strategy toolkit's open datasets (initiatives, criteria, scores, savings, budget, LGDSS)."

    def handle(self, *args, **options):
        import openborough.standards.published  # noqa: F401  (registers the LGDSS results table)

        failed = []
        for dataset_id in sorted(opendata.REGISTRY):
            try:
                ds = opendata.refresh(dataset_id)
            except Exception as e:
                failed.append(dataset_id)
                AuditEntry.objects.create(
                    actor=opendata.ACTOR,
                    action="publish-failed",
                    dataset_id=dataset_id,
                    summary=f"{dataset_id}: {e}"[:500],
                )
                self.stderr.write(f"{dataset_id}: {e}")
                continue
            self.stdout.write(f"{dataset_id} v{ds.current_version}: {ds.row_count} rows – {ds.name}")
        if failed:
            raise CommandError(f"could not publish {', '.join(failed)}")
