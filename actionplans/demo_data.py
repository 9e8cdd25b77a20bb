"""Demo users, one per role, and history drawn from the source documents (the Cambridgeshire
board paper of 25 February 2016 and the Devon and Cornwall response to the 2021 report).

Only real, sourced text is used; where a source gives no date, none is invented.
"""

import dataclasses
import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from inspections.models import Inspection
from organisations import services as organisation_services
from organisations.access import SYSTEM
from organisations.models import Membership, Organisation
from recommendations import services as recommendation_services
from recommendations.models import Finding, TrackedItem
from section55 import services as section55_services
from section55.models import Section55Position

from . import services

DEMO_PASSWORD = "rocu-demo-2026"
INSPECTION_2015 = "hmic-2015-rocu-review"
INSPECTION_2021 = "hmicfrs-2021-rocu-inspection"

Role = Membership.Role


@dataclasses.dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    organisation: str
    role: str
    job_title: str = ""
    is_staff: bool = False


DEMO_USERS = [
    DemoUser(
        "dc.editor",
        "Devon and Cornwall",
        "Editor",
        "devon-and-cornwall",
        Role.EDITOR,
        "Planning officer",
    ),
    DemoUser(
        "dc.lead",
        "Devon and Cornwall",
        "Lead",
        "devon-and-cornwall",
        Role.LEAD,
        "Assistant Chief Constable",
    ),
    DemoUser(
        "cambs.editor",
        "Cambridgeshire",
        "Editor",
        "cambridgeshire",
        Role.EDITOR,
        "Head of the Central Intelligence Bureau",
    ),
    DemoUser(
        "dc.pcc",
        "Devon and Cornwall OPCC",
        "Staff",
        "devon-and-cornwall-pcc",
        Role.PCC_STAFF,
        "Policy officer",
    ),
    # The South West ROCU's own staff: the 2021 report's regional recommendations are its
    # items (the region's forces read them in My work), so its editor and lead are the ones
    # reminded of them.
    DemoUser(
        "swrocu.editor",
        "South West ROCU",
        "Editor",
        "swrocu",
        Role.EDITOR,
        "Planning officer",
    ),
    DemoUser(
        "swrocu.lead",
        "South West ROCU",
        "Lead",
        "swrocu",
        Role.LEAD,
        "Head of the ROCU",
    ),
    DemoUser(
        "board",
        "South West ROCU board",
        "Member",
        "swrocu",
        Role.VIEWER,
        "ROCU executive board member",
    ),
    # Issue 14: schedules the South West ROCU executive board's meetings and issues its
    # papers (an editor at the region).
    DemoUser(
        "sw.secretary",
        "South West ROCU",
        "Board secretary",
        "swrocu",
        Role.EDITOR,
        "Executive board secretary",
    ),
    # Enters HMICFRS's reports and their findings, and publishes them to the trackers.
    DemoUser(
        "hmicfrs.liaison",
        "HMICFRS",
        "Liaison",
        "hmicfrs",
        Role.INSPECTION_LIAISON,
        "Inspection liaison officer",
    ),
    # Manages Devon and Cornwall Police's people: invites, changes roles, deactivates.
    DemoUser(
        "dc.admin",
        "Devon and Cornwall",
        "Administrator",
        "devon-and-cornwall",
        Role.ORGANISATION_ADMINISTRATOR,
        "ROCU Tracker administrator",
    ),
    DemoUser(
        "admin",
        "HMICFRS",
        "Administrator",
        "hmicfrs",
        Role.ADMINISTRATOR,
        "Recommendations administrator",
        is_staff=True,
    ),
]

CAMBRIDGESHIRE_BOARD_PAPER = "Cambridgeshire Business Coordination Board paper, 25 February 2016"
CAMBRIDGESHIRE_RESPONSE = (
    "The report, and the force level recommendation within the report, has been noted by the "
    "Constabulary. An action plan in line with the HMIC recommendation will be progressed by "
    "the Constabulary through the Head of the Central Intelligence Bureau, and developed in "
    "consultation with the Police and Crime Commissioner and ERSOU."
)
DEVON_CHIEF_CONSTABLE_ON_RECOMMENDATION_1 = (
    "I have formally written to HMICFRS particularly in respect of recommendation 1, with which "
    "I do not agree. The ROCU is not a corporation sole or a formal body established in addition "
    "to Chief Constables and Police and Crime Commissioners. The NCA currently has sufficient "
    "powers to task the ROCUs should it require to and direct Chief Constables who with PCCs own "
    "the ROCUs. There is already sufficient legislation in place and the other recommendations "
    "with the report are far more likely to address any issue than the concept of the "
    "legislation proposed."
)
DEVON_CHIEF_CONSTABLE_COMMENTS = (
    "I welcome the report and have discussed the report and the recommendations made within the "
    "report with colleagues across the region. It is clear that the workings of the South West "
    "ROCU, mindful of the recommendations of HMICFRS, is working particularly effectively.\n\n"
    + DEVON_CHIEF_CONSTABLE_ON_RECOMMENDATION_1
    + "\n\nI support the wider elements of the report and its recommendations. I will be working "
    "with regional colleagues to support the delivery of the recommendations."
)
DEVON_PCC_COMMENTS = (
    "I welcome this report, which highlights the significant issue of the need for a clear and "
    "sustainable funding model for Regional Organised Crime Units (ROCU), as well as detailing "
    "much of the good work carried out by ROCUs and police forces to tackle serious and "
    "organised crime nationally.\n\nWhilst I welcome proposed solutions that aim to bolster the "
    "sharing of intelligence and bring a consistency of practice across the ROCU network, I "
    "recognise the Chief Constable's views on the appropriateness of recommendation 1. My "
    "concern is that any legislation which gives more power to the NCA to direct ROCUs, will "
    "risk undermining both the legitimacy and autonomy of Chief Constables, and consequently "
    "that of Police and Crime Commissioners, who are elected by the public to carry out their "
    "role."
)


class DemoDataError(Exception):
    pass


def demo_data_load() -> list[DemoUser]:
    """Create the demo cast and history. Returns the users created (none if already there;
    on a database loaded before a demo user was added, only that user)."""
    User = get_user_model()
    organisations = {o.slug: o for o in Organisation.objects.all()}
    existing = set(
        User.objects.filter(username__in=[u.username for u in DEMO_USERS]).values_list(
            "username", flat=True
        )
    )
    if DEMO_USERS[0].username in existing:
        added = [demo for demo in DEMO_USERS if demo.username not in existing]
        with transaction.atomic():
            for demo in added:
                _create_user(User, demo, organisations)
        return added
    inspections = {i.slug: i for i in Inspection.objects.all()}
    missing = {u.organisation for u in DEMO_USERS} - organisations.keys()
    missing |= {INSPECTION_2015, INSPECTION_2021} - inspections.keys()
    if missing:
        raise DemoDataError(
            f"Load the reference data first (python manage.py load_reference_data); "
            f"missing: {', '.join(sorted(missing))}"
        )
    with transaction.atomic():
        users = {demo.username: _create_user(User, demo, organisations) for demo in DEMO_USERS}
        _cambridgeshire_history(users, organisations, inspections[INSPECTION_2015])
        _devon_and_cornwall_2015(users, organisations, inspections[INSPECTION_2015])
        _devon_and_cornwall_section55(organisations, inspections[INSPECTION_2021])
    return DEMO_USERS


def _create_user(User, demo: DemoUser, organisations):
    user = User.objects.create_user(
        username=demo.username,
        password=DEMO_PASSWORD,
        first_name=demo.first_name,
        last_name=demo.last_name,
        email=f"{demo.username}@example.org",
        is_staff=demo.is_staff,
        is_superuser=demo.is_staff,
    )
    organisation_services.membership_grant(
        user=user,
        organisation=organisations[demo.organisation],
        role=demo.role,
        job_title=demo.job_title,
        by=SYSTEM,
    )
    return user


def _force_level_item(inspection: Inspection, organisation: Organisation) -> TrackedItem:
    return TrackedItem.objects.get(
        finding__inspection=inspection,
        finding__audience=Finding.Audience.ALL_FORCES,
        organisation=organisation,
    )


def _cambridgeshire_history(users, organisations, inspection) -> None:
    cambridgeshire = organisations["cambridgeshire"]
    item = _force_level_item(inspection, cambridgeshire)
    recommendation_services.tracked_item_assign(
        item=item, owner=users["cambs.editor"], by=SYSTEM, occurred_on=datetime.date(2016, 2, 25)
    )
    recommendation_services.tracked_item_transition(
        item=item,
        to_status=TrackedItem.Status.BEING_PROGRESSED,
        by=SYSTEM,
        actor_name=f"Chief Constable ({CAMBRIDGESHIRE_BOARD_PAPER})",
        narrative=CAMBRIDGESHIRE_RESPONSE,
        occurred_on=datetime.date(2016, 2, 25),
    )
    plan = services.action_plan_create(
        organisation=cambridgeshire,
        inspection=inspection,
        title="Action plan: making maximum use of ERSOU capabilities",
        owner=users["cambs.editor"],
        owner_title="Head of the Central Intelligence Bureau",
        by=SYSTEM,
    )
    services.action_add(
        plan=plan,
        title="Develop the action plan in consultation with the Police and Crime Commissioner "
        "and ERSOU",
        owner=users["cambs.editor"],
        owner_title="Head of the Central Intelligence Bureau",
        due_on=item.finding.deadline,
        serves=[item],
        by=SYSTEM,
    )


def _devon_and_cornwall_2015(users, organisations, inspection) -> None:
    item = _force_level_item(inspection, organisations["devon-and-cornwall"])
    recommendation_services.tracked_item_assign(item=item, owner=users["dc.editor"], by=SYSTEM)


def _devon_and_cornwall_section55(organisations, inspection) -> None:
    response = section55_services.section55_response_open(
        inspection=inspection, body=organisations["devon-and-cornwall-pcc"], by=SYSTEM
    )
    recommendation_1 = inspection.findings.get(reference="1")
    section55_services.section55_chief_officer_comments_record(
        response=response,
        comments=DEVON_CHIEF_CONSTABLE_COMMENTS,
        received_on=None,
        by=SYSTEM,
        views=[
            section55_services.ChiefOfficerView(
                finding=recommendation_1,
                agreement=Section55Position.Agreement.DISAGREES,
                note=DEVON_CHIEF_CONSTABLE_ON_RECOMMENDATION_1,
            )
        ],
    )
    section55_services.section55_office_comments_record(
        response=response, comments=DEVON_PCC_COMMENTS, by=SYSTEM
    )
