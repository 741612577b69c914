"""Recompute the Reports page's per-dialog facts (reports.facts) from the messages:
after an upgrade, a restore, or data written around the services. Idempotent."""

from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports import facts


class Command(BaseCommand):
    help = "Recompute the Reports page's per-dialog facts from the dialogs' messages."

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            metavar="YYYY-MM-DD",
            help="only the dialogs started on or after this day (the server's time zone)",
        )

    def handle(self, *args, since=None, **options):
        started_since = None
        if since:
            try:
                day = date.fromisoformat(since)
            except ValueError as error:
                raise CommandError(f"--since: {error}") from error
            started_since = timezone.make_aware(datetime.combine(day, time.min))
        written = facts.rebuild(started_since)
        self.stdout.write(f"Facts of {written} closed dialogs written.")
