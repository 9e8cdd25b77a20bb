from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from inspections.reference_data import DEFAULT_PATH, ReferenceDataError, reference_data_load


class Command(BaseCommand):
    help = (
        "Load the real reference data (forces, local policing bodies, ROCU regions, national "
        "bodies, the ROCU inspections and their known findings). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=DEFAULT_PATH, help="Fixture to load.")

    def handle(self, *args, path: Path, **options):
        try:
            report = reference_data_load(path=path)
        except ReferenceDataError as error:
            raise CommandError(f"Reference data not loaded, nothing was written: {error}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Reference data loaded: {report.organisations} organisations, "
                f"{report.oversight} oversight periods, {report.region_memberships} region "
                f"memberships, {report.capabilities} capabilities, {report.inspections} "
                f"inspections, {report.findings} findings, {report.tracked_items_created} new "
                "tracked items."
            )
        )
