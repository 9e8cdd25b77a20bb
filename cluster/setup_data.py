"""The cluster's people and items, run once on a web host after migrate and
load_reference_data (python cluster/setup_data.py, with the host's environment). Prints
JSON: who signs in, with which item each writer updates.

Every tracked item is closed except one per writer (owned by them, long overdue, so each
writer and Devon and Cornwall's lead are reminded at once) and South West ROCU's item,
owned by Zed who has no email address: when Carol takes it over during the Redis restart,
her reminder is the one that must not be lost."""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rocu_tracker.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from organisations import services as organisation_services  # noqa: E402
from organisations.access import SYSTEM  # noqa: E402
from organisations.models import Membership, Organisation  # noqa: E402
from recommendations import services as recommendation_services  # noqa: E402
from recommendations.models import TrackedItem  # noqa: E402

PASSWORD = os.environ["CLUSTER_PASSWORD"]
Role = Membership.Role
# username: (organisation, role, writes to their organisation's 2015 item, email)
PEOPLE = {
    "alice": ("devon-and-cornwall", Role.EDITOR, True, True),
    "bob": ("devon-and-cornwall", Role.LEAD, False, True),
    "charlie": ("cambridgeshire", Role.EDITOR, True, True),
    "dave": ("kent", Role.EDITOR, True, True),
    "erin": ("essex", Role.EDITOR, True, True),
    "carol": ("swrocu", Role.EDITOR, False, True),
    "zed": ("swrocu", Role.EDITOR, False, False),
}


def main() -> None:
    users = {}
    for username, (slug, role, _, has_email) in PEOPLE.items():
        user = get_user_model().objects.create_user(
            username=username,
            password=PASSWORD,
            email=f"{username}@example.org" if has_email else "",
            first_name=username.title(),
        )
        organisation_services.membership_grant(
            user=user, organisation=Organisation.objects.get(slug=slug), role=role, by=SYSTEM
        )
        users[username] = user
    writers = {}
    for username, (slug, _, writes, _) in PEOPLE.items():
        if writes:
            item = TrackedItem.objects.get(organisation__slug=slug, finding__audience="all_forces")
            writers[username] = item
    takeover = TrackedItem.objects.filter(organisation__slug="swrocu").order_by("id").first()
    keep = [item.pk for item in writers.values()] + [takeover.pk]
    TrackedItem.objects.exclude(pk__in=keep).update(status=TrackedItem.Status.NO_FURTHER_ACTION)
    for username, item in writers.items():
        recommendation_services.tracked_item_assign(item=item, owner=users[username], by=SYSTEM)
    recommendation_services.tracked_item_assign(item=takeover, owner=users["zed"], by=SYSTEM)
    print(
        json.dumps(
            {
                "writers": {
                    username: {"item": item.pk, "status": item.status}
                    for username, item in writers.items()
                },
                "takeover": takeover.pk,
                "users": {username: user.pk for username, user in users.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
