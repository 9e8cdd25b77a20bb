"""Every URL name of the product, once: what it is (a page, a download, a POST-only action),
how to build its arguments from a seeded world, and who may see it.

The accessibility test (test_accessibility.py) runs axe-core on every PAGE as every role;
the security headers test (test_security_headers.py) requests every entry. A URL name that is
in the URLconf but not in SITE_MAP fails both, so a new page cannot skip the checks.

The Django admin site (namespace "admin") is left out as a whole: its pages are Django's own
templates, for staff only, and not part of the product's pages. The headers test still
requests two of its URLs.
"""

import dataclasses
import datetime
import re
from collections.abc import Callable

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from actionplans import services as plan_services
from boards import services as board_services
from dashboards import saved_views as dashboard_saved_views
from dashboards import services as dashboard_services
from inspections.models import Inspection
from organisations import services as organisation_services
from organisations.access import SYSTEM
from organisations.models import Membership, Organisation
from public_progress import services as public_progress_services
from recommendations import services as item_services
from recommendations.models import Finding, TrackedItem
from recommendations.tests.factories import (
    FindingFactory,
    InspectionFactory,
    TrackedItemFactory,
)
from reminders import services as reminder_services
from reminders.models import Notification
from section55 import selectors as section55_selectors
from section55 import services as section55_services
from section55.models import Agreement, Position

PAGE = "page"  # HTML for people: axe-core checks it as every role
DOWNLOAD = "download"  # not HTML (CSV, XLSX, JSON, PDF, iCalendar, evidence, health)
ACTION = "action"  # POST only: a GET answers 405; its form is on a page that is checked

EXCLUDED_NAMESPACES = {
    "admin": "the Django admin site: Django's own templates, staff only",
    # 404 unless single sign-on is configured; accounts/tests/test_single_sign_on.py checks
    # their pages (axe-core, security headers) with a real provider.
    "single_sign_on": "single sign-on (OpenID Connect): the trip to the provider and back",
    # api/tests/test_api_permission_matrix.py requests every API operation as every role.
    "api": "the JSON API: its own permission matrix, schema and fuzz tests in api/tests/",
}
ADMIN_URLS = ["/admin/", "/admin/login/"]

ROLES = [
    "dc_editor",
    "dc_lead",
    "cambs_editor",
    "dc_pcc_staff",
    "board_member",
    "admin",
    "dc_org_admin",
]
INSPECTION_2015 = "hmic-2015-rocu-review"
INSPECTION_2021 = "hmicfrs-2021-rocu-inspection"
DC_PCC = "devon-and-cornwall-pcc"
DEVON = "devon-and-cornwall"


@dataclasses.dataclass
class World:
    """What the URLs point at, made through the services as people would make it."""

    item: int
    proposed_item: int
    evidence: int
    revision: int
    plan: int
    action: int
    notification: int
    calendar_token: str
    finding_2021: int
    devon: int
    draft: str = ""  # an inspection not yet published to the trackers
    draft_finding: int = 0
    member: int = 0  # Alice's membership of Devon and Cornwall Police
    invitation: int = 0  # an open invitation to Devon and Cornwall Police
    invitation_token: str = ""  # its link's token, as emailed
    claim_mapping: int = 0  # a role single sign-on gives Devon and Cornwall Police's group
    export_job: str = ""  # Alice's finished export job (only she may see it)
    saved_view: int = 0  # Alice's saved view of the drill-down list (only she may see it)
    # issue 14: Devon and Cornwall Police's board, a past meeting with its paper issued and
    # the next meeting (its paper as it stands)
    board: int = 0
    issued_meeting: int = 0
    next_meeting: int = 0
    webhook_endpoint: int = 0  # a webhook endpoint of Devon and Cornwall Police
    webhook_delivery: str = ""  # its failed delivery (the page offers "send again")
    api_token: int = 0  # Alice's personal API token (api/)
    service_token: int = 0  # a service API token of Devon and Cornwall Police (api/)


@dataclasses.dataclass(frozen=True)
class Entry:
    kind: str
    args: Callable[[World], list] | None = None
    variants: Callable[[World], list[list]] | None = None  # more than one state of a page
    queries: Callable[[World], list[str]] | None = None  # query strings, one request each
    viewer: str = "dc_editor"  # who requests it in the headers test ("anonymous" for none)
    public: bool = False  # reachable without signing in
    reason: str = ""  # why a DOWNLOAD or ACTION is not an accessibility check

    def arg_lists(self, world: World) -> list[list]:
        if self.variants:
            return self.variants(world)
        return [self.args(world) if self.args else []]


def _csv(what):
    return Entry(DOWNLOAD, reason=f"CSV download ({what})")


def _action(form_on: str, **kwargs):
    return Entry(ACTION, reason=f"POST only; its form is on {form_on}", **kwargs)


def _item(world):
    return [world.item]


def _pcc_2021(world):
    return [DC_PCC, INSPECTION_2021]


def _version_2021(world):
    return [DC_PCC, INSPECTION_2021, 1]


def _board_paper(world):
    today = timezone.localdate()
    meeting, next_meeting = today, today + datetime.timedelta(days=91)
    return f"?organisation={world.devon}&meeting_on={meeting}&next_meeting_on={next_meeting}"


def _webhook_args(world):
    return [DEVON, world.webhook_endpoint]


PCC = {"viewer": "dc_pcc_staff"}
# The drill-down list as an analyst shapes it: compact, sorted, chosen columns.
COMPACT_LIST = (
    "?density=compact&sort=-status&columns=finding&columns=organisation&columns=status"
    "&columns=deadline&columns=owner&columns=updated"
)
PUBLIC = {"viewer": "anonymous", "public": True}

SITE_MAP: dict[str, Entry] = {
    "home": Entry(PAGE),  # redirects to My work or the inspections
    "accessibility": Entry(PAGE, **PUBLIC),
    "health": Entry(DOWNLOAD, reason="JSON health check (readiness, the old address)", **PUBLIC),
    "health_live": Entry(DOWNLOAD, reason="JSON liveness check for supervisors", **PUBLIC),
    "health_ready": Entry(DOWNLOAD, reason="JSON readiness check for load balancers", **PUBLIC),
    "login": Entry(PAGE, **PUBLIC),
    "logout": _action("every page (Sign out)"),
    # accounts
    "accounts:two_factor": Entry(PAGE),
    "accounts:two_factor_setup": Entry(PAGE),
    "accounts:two_factor_verify": Entry(PAGE),
    "accounts:two_factor_turn_off": _action("the two-factor page"),
    "password_change": Entry(PAGE),
    "password_change_done": Entry(PAGE),
    "password_reset": Entry(PAGE, **PUBLIC),
    "password_reset_done": Entry(PAGE, **PUBLIC),
    # a link that does not work (a working one redirects to the form, tested in accounts/)
    "password_reset_confirm": Entry(PAGE, args=lambda world: ["MQ", "used-link"], **PUBLIC),
    "password_reset_complete": Entry(PAGE, **PUBLIC),
    # the People pages, an organisation administrator's
    "organisations:people_index": Entry(PAGE, viewer="dc_org_admin"),
    "organisations:people": Entry(PAGE, args=lambda world: [DEVON], viewer="dc_org_admin"),
    "organisations:invite": Entry(PAGE, args=lambda world: [DEVON], viewer="dc_org_admin"),
    "organisations:invitation_revoke": _action(
        "the People page", args=lambda world: [DEVON, world.invitation]
    ),
    "organisations:claim_mapping_add": _action("the People page", args=lambda world: [DEVON]),
    "organisations:claim_mapping_remove": _action(
        "the People page", args=lambda world: [DEVON, world.claim_mapping]
    ),
    "organisations:person": Entry(
        PAGE, args=lambda world: [DEVON, world.member], viewer="dc_org_admin"
    ),
    "organisations:person_deactivate": Entry(
        PAGE, args=lambda world: [DEVON, world.member], viewer="dc_org_admin"
    ),
    "organisations:person_reactivate": Entry(
        PAGE, args=lambda world: [DEVON, world.member], viewer="dc_org_admin"
    ),
    "organisations:invitation_accept": Entry(
        PAGE, args=lambda world: [world.invitation_token], **PUBLIC
    ),
    # API tokens (api/token_urls.py): a person's own, and an organisation's service tokens
    "api_tokens:personal": Entry(PAGE),
    "api_tokens:personal_revoke": _action(
        "the API tokens page", args=lambda world: [world.api_token]
    ),
    "api_tokens:service": Entry(PAGE, args=lambda world: [DEVON], viewer="dc_org_admin"),
    "api_tokens:service_revoke": _action(
        "the service tokens page", args=lambda world: [DEVON, world.service_token]
    ),
    # webhooks, an organisation administrator's (webhooks/)
    "webhooks:endpoints": Entry(PAGE, args=lambda world: [DEVON], viewer="dc_org_admin"),
    "webhooks:endpoint_add": Entry(PAGE, args=lambda world: [DEVON], viewer="dc_org_admin"),
    "webhooks:endpoint": Entry(PAGE, args=_webhook_args, viewer="dc_org_admin"),
    "webhooks:endpoint_edit": Entry(PAGE, args=_webhook_args, viewer="dc_org_admin"),
    "webhooks:endpoint_pause": _action("the endpoint's page", args=_webhook_args),
    "webhooks:endpoint_resume": _action("the endpoint's page", args=_webhook_args),
    "webhooks:endpoint_rotate_secret": Entry(PAGE, args=_webhook_args, viewer="dc_org_admin"),
    "webhooks:endpoint_delete": Entry(PAGE, args=_webhook_args, viewer="dc_org_admin"),
    "webhooks:delivery_resend": _action(
        "the endpoint's page",
        args=lambda world: [DEVON, world.webhook_endpoint, world.webhook_delivery],
    ),
    # inspections
    "inspections:list": Entry(PAGE),
    "inspections:detail": Entry(
        PAGE, variants=lambda world: [[INSPECTION_2021], [INSPECTION_2015]]
    ),
    # entering a report by hand and publishing it: a liaison's (here the administrator, a
    # superuser); others get a 403, and a draft is a 404 to those who may not edit it
    "inspections:create": Entry(PAGE, viewer="admin"),
    "inspections:intake": Entry(
        PAGE, variants=lambda world: [[INSPECTION_2021], [world.draft]], viewer="admin"
    ),
    "inspections:finding_add": Entry(PAGE, args=lambda world: [world.draft], viewer="admin"),
    "inspections:finding_edit": Entry(
        PAGE,
        variants=lambda world: [
            [INSPECTION_2021, world.finding_2021],
            [world.draft, world.draft_finding],
        ],
        viewer="admin",
    ),
    "inspections:finding_move": _action(
        "the intake page", args=lambda world: [world.draft, world.draft_finding]
    ),
    "inspections:publish": Entry(
        PAGE, variants=lambda world: [[world.draft], [INSPECTION_2021]], viewer="admin"
    ),
    # a liaison's (here the administrator, a superuser); others get a 403
    "inspections:paste": Entry(PAGE, args=lambda world: [INSPECTION_2021], viewer="admin"),
    "inspections:import": Entry(PAGE, args=lambda world: [INSPECTION_2021], viewer="admin"),
    "inspections:import_template": Entry(
        DOWNLOAD,
        variants=lambda world: [[INSPECTION_2021, "csv"], [INSPECTION_2021, "xlsx"]],
        viewer="admin",
        reason="CSV and XLSX template of the import, with the inspection's findings",
    ),
    # reminders
    "reminders:list": Entry(PAGE),
    "reminders:read": _action("the notifications page", args=lambda world: [world.notification]),
    "reminders:read_all": _action("the notifications page"),
    "reminders:preferences": Entry(PAGE),
    # recommendations
    "recommendations:my_work": Entry(PAGE),
    "recommendations:item": Entry(
        PAGE, variants=lambda world: [[world.item], [world.proposed_item]]
    ),
    "recommendations:item_progress": _action("the item page", args=_item),
    "recommendations:item_accept": _action("the item page", args=_item),
    "recommendations:item_return": _action("the item page", args=_item),
    "recommendations:item_assign": _action("the item page", args=_item),
    "recommendations:item_target_date": _action("the item page", args=_item),
    "recommendations:item_reminders_pause": _action("the item page (a lead's)", args=_item),
    "recommendations:item_reminders_resume": _action("the item page (a lead's)", args=_item),
    "recommendations:revision_decide": _action(
        "the item page", args=lambda world: [world.item, world.revision]
    ),
    "recommendations:evidence": Entry(
        DOWNLOAD, args=lambda world: [world.evidence], reason="evidence file, as an attachment"
    ),
    "recommendations:item_inspectorate_confirm": _action(
        "the item page (an inspectorate liaison's)", args=_item
    ),
    "recommendations:item_inspectorate_return": _action(
        "the item page (an inspectorate liaison's)", args=_item
    ),
    "recommendations:inspectorate_awaiting": Entry(PAGE),
    # a liaison's page (the superuser may too); the force's people get a 403 page
    "recommendations:finding_link": Entry(
        PAGE, args=lambda world: [world.finding_2021], viewer="admin"
    ),
    # action plans
    "actionplans:list": Entry(PAGE),
    "actionplans:create": Entry(PAGE, args=lambda world: [INSPECTION_2021]),
    "actionplans:detail": Entry(PAGE, args=lambda world: [world.plan]),
    "actionplans:edit": Entry(PAGE, args=lambda world: [world.plan]),
    "actionplans:action_create": Entry(PAGE, args=lambda world: [world.plan]),
    "actionplans:action_edit": Entry(PAGE, args=lambda world: [world.action]),
    # dashboards
    "dashboards:dashboard": Entry(PAGE),
    "dashboards:items": Entry(PAGE, queries=lambda world: ["", COMPACT_LIST]),
    # saved views of the list, and search (dashboards/listing.py, saved_views.py, search.py)
    "dashboards:saved_views": Entry(PAGE),
    "dashboards:saved_view_rename": _action(
        "the saved views page", args=lambda world: [world.saved_view]
    ),
    "dashboards:saved_view_delete": _action(
        "the saved views page", args=lambda world: [world.saved_view]
    ),
    "dashboards:search": Entry(PAGE, queries=lambda world: ["", "?q=plan+PCC"]),
    "dashboards:export_csv": _csv("tracked items"),
    "dashboards:export_xlsx": Entry(DOWNLOAD, reason="XLSX download (tracked items)"),
    "dashboards:board_paper": Entry(PAGE, queries=lambda world: ["", _board_paper(world)]),
    "dashboards:board_paper_pdf": Entry(
        DOWNLOAD, queries=lambda world: [_board_paper(world)], reason="PDF board paper"
    ),
    "dashboards:capability_matrix": Entry(PAGE),
    # a cell's delivery history; its form is a ROCU editor's (here the superuser's)
    "dashboards:capability_history": Entry(PAGE, args=lambda world: ["swrocu", "rart"]),
    "dashboards:capability_delivery_record": _action(
        "the capability history page", args=lambda world: ["swrocu", "rart"]
    ),
    "dashboards:calendar": Entry(PAGE),
    "dashboards:calendar_reset": _action("the calendar page"),
    "dashboards:calendar_feed": Entry(
        DOWNLOAD,
        args=lambda world: [world.calendar_token],
        reason="iCalendar feed, read by calendar programs with its secret token",
        **PUBLIC,
    ),
    "dashboards:export_job": Entry(PAGE, args=lambda world: [world.export_job]),
    # boards and meetings (issue 14)
    "boards:list": Entry(PAGE),
    "boards:detail": Entry(PAGE, args=lambda world: [world.board]),
    "boards:meeting_create": Entry(PAGE, args=lambda world: [world.board]),
    "boards:paper": Entry(
        PAGE, variants=lambda world: [[world.next_meeting], [world.issued_meeting]]
    ),
    "boards:paper_issue": _action(
        "the meeting's paper page", args=lambda world: [world.next_meeting]
    ),
    "boards:paper_pdf": Entry(
        DOWNLOAD,
        variants=lambda world: [[world.next_meeting], [world.issued_meeting]],
        reason="PDF board paper",
    ),
    "dashboards:export_job_download": Entry(
        DOWNLOAD, args=lambda world: [world.export_job], reason="CSV download (an export job's)"
    ),
    # Section 55, the office's pages
    "section55:list": Entry(PAGE, **PCC),
    "section55:detail": Entry(
        PAGE,
        variants=lambda world: [[DC_PCC, INSPECTION_2021], [DC_PCC, INSPECTION_2015]],
        **PCC,
    ),
    "section55:start": _action("the response page", args=_pcc_2021, **PCC),
    "section55:invite": _action("the response page", args=_pcc_2021, **PCC),
    "section55:chief_officer": Entry(PAGE, args=_pcc_2021, **PCC),
    "section55:not_received": _action("the response page", args=_pcc_2021, **PCC),
    "section55:office_comments": _action("the response page", args=_pcc_2021, **PCC),
    "section55:position": _action(
        "the response page", args=lambda world: [*_pcc_2021(world), world.finding_2021], **PCC
    ),
    "section55:publish": _action("the response page", args=_pcc_2021, **PCC),
    "section55:copies": _action("the response page", args=_pcc_2021, **PCC),
    "section55:correction": _action("the response page", args=_pcc_2021, **PCC),
    "section55:letter": Entry(PAGE, args=_pcc_2021, **PCC),
    "section55:letter_pdf": Entry(
        DOWNLOAD, args=_pcc_2021, reason="PDF of the covering letter", **PCC
    ),
    "section55:board_paper": Entry(PAGE, args=_pcc_2021, **PCC),
    "section55:board_paper_pdf": Entry(
        DOWNLOAD, args=_pcc_2021, reason="PDF of the board paper", **PCC
    ),
    # Section 55, the public pages
    "responses:index": Entry(PAGE, **PUBLIC),
    "responses:national_csv": Entry(DOWNLOAD, reason="CSV of every response", **PUBLIC),
    "responses:national_json": Entry(DOWNLOAD, reason="JSON of every response", **PUBLIC),
    "responses:office": Entry(PAGE, args=lambda world: [DC_PCC], **PUBLIC),
    "responses:detail": Entry(PAGE, args=_pcc_2021, **PUBLIC),
    "responses:detail_version": Entry(PAGE, args=_version_2021, **PUBLIC),
    "responses:print": Entry(PAGE, args=_pcc_2021, **PUBLIC),
    "responses:print_version": Entry(PAGE, args=_version_2021, **PUBLIC),
    "responses:pdf": Entry(DOWNLOAD, args=_pcc_2021, reason="PDF of the response", **PUBLIC),
    "responses:pdf_version": Entry(
        DOWNLOAD, args=_version_2021, reason="PDF of the response", **PUBLIC
    ),
    "responses:json": Entry(DOWNLOAD, args=_pcc_2021, reason="JSON of the response", **PUBLIC),
    "responses:json_version": Entry(
        DOWNLOAD, args=_version_2021, reason="JSON of the response", **PUBLIC
    ),
    "responses:csv": Entry(DOWNLOAD, args=_pcc_2021, reason="CSV of the response", **PUBLIC),
    "responses:csv_version": Entry(
        DOWNLOAD, args=_version_2021, reason="CSV of the response", **PUBLIC
    ),
    # the public progress tracker (no sign-in), and what an organisation publishes
    "public_progress:index": Entry(PAGE, **PUBLIC),
    "public_progress:progress": Entry(PAGE, args=lambda world: [DEVON, INSPECTION_2015], **PUBLIC),
    "public_progress:progress_json": Entry(
        DOWNLOAD,
        args=lambda world: [DEVON, INSPECTION_2015],
        reason="JSON of an organisation's published progress",
        **PUBLIC,
    ),
    "public_progress:progress_csv": Entry(
        DOWNLOAD,
        args=lambda world: [DEVON, INSPECTION_2015],
        reason="CSV of an organisation's published progress",
        **PUBLIC,
    ),
    "public_progress:manage": Entry(PAGE, args=lambda world: [DEVON]),
    "public_progress:manage_inspection": Entry(PAGE, args=lambda world: [DEVON, INSPECTION_2015]),
    "public_progress:publish": _action(
        "the page of what an organisation publishes", args=lambda world: [DEVON, INSPECTION_2015]
    ),
    "public_progress:update_add": _action(
        "the public updates page", args=lambda world: [DEVON, INSPECTION_2015, world.item]
    ),
}


def url_names() -> set[str]:
    """Every named URL of the URLconf, with its namespaces, less the excluded namespaces."""
    names: set[str] = set()

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in EXCLUDED_NAMESPACES:
                    continue
                namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                walk(pattern.url_patterns, namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(prefix + pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def missing_from_site_map() -> list[str]:
    return sorted(url_names() - SITE_MAP.keys())


def urls(world: World, *, kinds=(PAGE, DOWNLOAD, ACTION)) -> list[tuple[str, Entry, str]]:
    """(URL name, entry, path) for every entry of the given kinds and each of its variants."""
    return [
        (name, entry, reverse(name, args=args) + query)
        for name, entry in SITE_MAP.items()
        if entry.kind in kinds
        for args in entry.arg_lists(world)
        for query in (entry.queries(world) if entry.queries else [""])
    ]


# --- the world --------------------------------------------------------------------------------


def administrator(django_user_model, organisations):
    """A superuser who is also an administrator at the inspectorate, as the demo's admin."""
    user = django_user_model.objects.create_user(
        username="admin", password="pw", is_staff=True, is_superuser=True
    )
    organisation_services.membership_grant(
        user=user,
        organisation=organisations["hmicfrs"],
        role=Membership.Role.ADMINISTRATOR,
        by=SYSTEM,
    )
    return user


def world_build(*, dc_editor, dc_lead, dc_pcc_staff) -> World:
    """Demo-like history on the reference data: Devon and Cornwall's 2015 item with an owner,
    a progress update with evidence and a pending target-date revision; its action plan with
    an action; the PCC office's 2021 Section 55 response published (and a 2015 one in draft);
    reminders decided by the daily scan; a calendar feed."""
    devon = Organisation.objects.get(slug="devon-and-cornwall")
    dc_pcc = Organisation.objects.get(slug=DC_PCC)
    inspection_2015 = Inspection.objects.get(slug=INSPECTION_2015)
    inspection_2021 = Inspection.objects.get(slug=INSPECTION_2021)
    today = timezone.localdate()

    item = TrackedItem.objects.get(
        finding__inspection=inspection_2015,
        finding__audience=Finding.Audience.ALL_FORCES,
        organisation=devon,
    )
    item_services.tracked_item_assign(item=item, owner=dc_editor, by=SYSTEM)
    item.refresh_from_db()
    item_services.progress_update_add(
        item=item,
        by=dc_editor,
        expected_version=item.version,
        status=TrackedItem.Status.BEING_PROGRESSED,
        narrative="Drafted with the PCC, SWROCU and the ROCU executive board.",
        percent_complete=60,
        evidence_files=[
            SimpleUploadedFile("action-plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
        ],
    )
    revision = item_services.target_date_revision_request(
        item=item, by=dc_editor, proposed_date=today + datetime.timedelta(days=60), reason="Board"
    )
    proposed = _proposed_complete(devon, exclude=item, by=dc_editor)
    plan = plan_services.action_plan_create(
        organisation=devon,
        inspection=inspection_2015,
        title="Action plan: the 2015 ROCU review",
        by=dc_editor,
        owner=dc_lead,
    )
    action = plan_services.action_add(
        plan=plan,
        title="Publish the action plan with the PCC",
        by=dc_editor,
        owner=dc_editor,
        due_on=today + datetime.timedelta(days=10),
        serves=[item],
    )

    response = section55_services.section55_response_open(
        inspection=inspection_2021, body=dc_pcc, by=SYSTEM
    )
    _section55_complete(response)
    section55_services.section55_response_publish(
        response=response, acknowledged=True, by=dc_pcc_staff
    )
    draft = section55_services.section55_response_open(
        inspection=inspection_2015, body=dc_pcc, by=SYSTEM
    )
    section55_services.section55_office_comments_record(
        response=draft, comments="A draft, not yet published.", by=dc_pcc_staff
    )

    for user in (dc_editor, dc_lead, dc_pcc_staff):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    reminder_services.reminders_scan(today=today)
    draft = InspectionFactory(
        slug="draft-test-inspection",
        title="A draft test inspection, not a real report",
        inspectorate=Organisation.objects.get(slug="hmicfrs"),
        published_to_trackers_at=None,
    )
    draft_finding = FindingFactory(
        inspection=draft, text="A draft test recommendation, not a real one."
    )
    notification = Notification.objects.filter(recipient=dc_editor).first()
    assert notification is not None, "the scan made no notification for the editor"
    _public_progress(devon, inspection_2015, item, by=dc_editor)
    return World(
        item=item.pk,
        proposed_item=proposed.pk,
        evidence=item.evidence.get().pk,
        revision=revision.pk,
        plan=plan.pk,
        action=action.pk,
        notification=notification.pk,
        calendar_token=dashboard_services.calendar_token_ensure(user=dc_editor).token,
        finding_2021=section55_selectors.recommendations(inspection_2021).first().pk,
        devon=devon.pk,
        draft=draft.slug,
        draft_finding=draft_finding.pk,
        member=Membership.objects.get(user=dc_editor, organisation=devon).pk,
        **_invitation(devon),
        claim_mapping=_claim_mapping(devon),
        export_job=_export_job(dc_editor, devon),
        saved_view=dashboard_saved_views.saved_view_create(
            user=dc_editor, name="My overdue", query="due=overdue&sort=status"
        ).pk,
        **_board(devon, today),
        **_webhook(devon, proposed),
        **_api_tokens(devon, dc_editor),
    )


def _public_progress(devon, inspection, item, *, by) -> None:
    """Devon and Cornwall publishes its progress on the 2015 review, with a public update."""
    public_progress_services.progress_publication_set(
        organisation=devon, inspection=inspection, published=True, by=SYSTEM
    )
    public_progress_services.public_update_add(item=item, text="The plan is published.", by=by)


def _webhook(devon, proposed: TrackedItem) -> dict:
    """An endpoint of the force's (never called: nothing runs the delivery task here), with
    the deliveries of the proposed item's proposal, one failed as the task records it."""
    from webhooks import services as webhook_services
    from webhooks.models import Event, WebhookDelivery

    endpoint, _ = webhook_services.webhook_endpoint_create(
        organisation=devon, url="https://93.184.215.14/rocu", events=Event.values, by=SYSTEM
    )
    event = proposed.events.filter(to_status=TrackedItem.Status.PROPOSED_COMPLETE).last()
    webhook_services.webhooks_record_item_event(item=proposed, event=event)
    failed = endpoint.deliveries.order_by("event").first()
    WebhookDelivery.objects.filter(pk=failed.pk).update(
        status=WebhookDelivery.Status.FAILED, attempts=6, last_response_code=500
    )
    return {"webhook_endpoint": endpoint.pk, "webhook_delivery": str(failed.pk)}


def _board(devon, today) -> dict:
    """Devon and Cornwall Police's board: a meeting a fortnight ago whose paper was issued,
    and the next one."""
    board = board_services.board_create(
        organisation=devon, name="Devon and Cornwall Police board", scope="organisation", by=SYSTEM
    )
    issued = board_services.meeting_schedule(
        board=board, held_on=today - datetime.timedelta(days=14), title="Last meeting", by=SYSTEM
    )
    board_services.paper_issue(meeting=issued, by=SYSTEM)
    upcoming = board_services.meeting_schedule(
        board=board,
        held_on=today + datetime.timedelta(days=30),
        title="Next meeting",
        location="Middlemoor",
        by=SYSTEM,
    )
    return {"board": board.pk, "issued_meeting": issued.pk, "next_meeting": upcoming.pk}


def _export_job(user, devon) -> str:
    """A long export of Alice's, written as the worker would write it."""
    job = dashboard_services.export_job_request(
        user=user,
        format="csv",
        filters={"organisation": devon},
        query="",
        today=timezone.localdate(),
    )
    dashboard_services.export_job_run(job_id=job.pk)
    return str(job.pk)


def _claim_mapping(devon) -> int:
    """A role single sign-on gives a first sign-in from the force's directory group."""
    mapping = organisation_services.claim_role_mapping_add(
        organisation=devon, value="tracker-editors", role=Membership.Role.EDITOR, by=SYSTEM
    )
    return mapping.pk


def _invitation(devon) -> dict:
    """An open invitation to the force, and the token its email carries."""
    sent = len(mail.outbox)
    invitation = organisation_services.invitation_send(
        organisation=devon, email="new.editor@example.org", role=Membership.Role.EDITOR, by=SYSTEM
    )
    link = re.search(r"/invitations/([^/\s]+)/", mail.outbox[sent].body)
    return {"invitation": invitation.pk, "invitation_token": link.group(1)}


def _proposed_complete(organisation, *, exclude: TrackedItem, by) -> TrackedItem:
    """A second item of the force's (made up: the reference data has one), proposed complete,
    so that a lead sees the sign-off and return forms beside the others."""
    finding = FindingFactory(
        inspection=exclude.finding.inspection, text="A test recommendation, not a real one."
    )
    item = TrackedItemFactory(finding=finding, organisation=organisation)
    for status, evidence in [(TrackedItem.Status.BEING_PROGRESSED, []), (None, ["done.pdf"])]:
        item.refresh_from_db()
        item_services.progress_update_add(
            item=item,
            by=by,
            expected_version=item.version,
            status=status or TrackedItem.Status.PROPOSED_COMPLETE,
            narrative="Published on the force website.",
            evidence_files=[SimpleUploadedFile(name, b"%PDF-1.4 done") for name in evidence],
        )
    return item


def _section55_complete(response) -> None:
    rec_1, *others = section55_selectors.recommendations(response.inspection)
    section55_services.section55_chief_officer_invite(
        response=response,
        invited_on=datetime.date(2021, 2, 11),
        comments_due_on=datetime.date(2021, 3, 10),
        by=SYSTEM,
    )
    section55_services.section55_chief_officer_comments_record(
        response=response,
        comments="I welcome the report.",
        received_on=datetime.date(2021, 3, 9),
        views=[section55_services.ChiefOfficerView(rec_1, Agreement.DISAGREES, "Not needed.")],
        by=SYSTEM,
    )
    section55_services.section55_office_comments_record(
        response=response, comments="I welcome this report.", by=SYSTEM
    )
    for number, finding in enumerate([rec_1, *others], start=1):
        section55_services.section55_position_set(
            response=response,
            finding=finding,
            position=Position.NO_ACTION if number == 1 else Position.ACTION_PROPOSED,
            explanation=f"Explanation {number}.",
            by=SYSTEM,
        )


def _api_tokens(devon, dc_editor) -> dict:
    """Alice's personal API token and a service token of Devon and Cornwall Police."""
    from api import services as api_services

    expires_on = timezone.localdate() + datetime.timedelta(days=30)
    personal, _ = api_services.personal_token_create(
        owner=dc_editor,
        by=dc_editor,
        name="Alice's script",
        access_level="read",
        expires_on=expires_on,
    )
    service, _ = api_services.service_token_create(
        organisation=devon,
        by=SYSTEM,
        name="Board report",
        access_level="read",
        expires_on=expires_on,
    )
    return {"api_token": personal.pk, "service_token": service.pk}
