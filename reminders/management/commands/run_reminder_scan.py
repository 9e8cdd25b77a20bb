import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reminders import services


class Command(BaseCommand):
    help = (
        "Run the reminder scan for a given day (default: today), as the daily task does. "
        "Safe to run again: a reminder already in the dispatch log is never sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to scan for, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options):
        try:
            today = (
                datetime.date.fromisoformat(options["date"])
                if options["date"]
                else timezone.localdate()
            )
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD: {error}") from error
        result = services.reminders_scan(today=today)
        self.stdout.write(
            f"Scanned {result.examined} for {today:%Y-%m-%d}: {result.created} new reminders, "
            f"{result.enqueued} emails enqueued."
        )
