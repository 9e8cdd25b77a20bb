from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from actionplans.demo_data import DEMO_PASSWORD, DEMO_USERS, DemoDataError, demo_data_load
from organisations.models import Membership


class Command(BaseCommand):
    help = (
        "Add one demo user per role and history drawn from the source documents. "
        "Only in demo mode (DEMO_MODE, on by default with DEBUG): demo passwords are public."
    )

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError(
                "Demo data is only loaded in demo mode: its passwords are published. "
                "Set DEMO_MODE=1 on a machine nobody else can reach."
            )
        try:
            created = demo_data_load()
        except DemoDataError as error:
            raise CommandError(str(error)) from None
        if not created:
            self.stdout.write("Demo data is already loaded.")
        # Issue 14: the South West ROCU executive board, a past meeting and its issued paper.
        from boards.demo import south_west_board_load

        if south_west_board_load():
            self.stdout.write("Added the South West ROCU executive board.")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for demo in DEMO_USERS:
            self.stdout.write(
                f"  {demo.username:<13} {Membership.Role(demo.role).label:<24} {demo.organisation}"
            )
