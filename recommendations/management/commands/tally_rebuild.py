from django.core.management.base import BaseCommand

from recommendations.tally import tally_differences, tally_rebuild


class Command(BaseCommand):
    help = (
        "Make the dashboards' tally of tracked items (TrackedItemTally) again from the "
        "items; with --check, only say whether it agrees with them (exit status 1 if not)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="compare, change nothing")

    def handle(self, *args, check: bool, **options):
        if check:
            differences = tally_differences()
            if differences:
                self.stdout.write(f"The tally and the items disagree on {len(differences)} keys:")
                for row in differences[:20]:
                    self.stdout.write(f"  {row}")
                raise SystemExit(1)
            self.stdout.write("The tally agrees with the items.")
            return
        rows = tally_rebuild()
        self.stdout.write(f"The tally was rebuilt: {rows} rows.")
