"""Every service that writes refuses an outsider before it writes anything: Charlie, an
editor at Cambridgeshire, calls each one on Devon and Cornwall's records (or the reference
data, or HMICFRS's inspection) and gets PermissionDenied, and the record is as it was.

The list is checked against the services modules: a new public service that is neither
here nor in NOT_ABOUT_OTHERS fails, so none can skip its access check."""

import datetime
import inspect

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from actionplans import services as plan_services
from actionplans.models import ActionPlan
from api import services as api_services
from boards import services as board_services
from boards.models import Board, IssuedPaper, Meeting
from dashboards import saved_views as saved_view_services
from dashboards.models import SavedView
from inspections import services as inspection_services
from inspections.models import Inspection
from organisations import services as organisation_services
from organisations.access import SYSTEM
from organisations.models import (
    CapabilityDeliveryRecord,
    ClaimRoleMapping,
    Membership,
    Organisation,
    Oversight,
    RegionMembership,
)
from public_progress import services as public_progress_services
from public_progress.models import ProgressPublication, PublicUpdate
from recommendations import services as item_services
from recommendations.models import Capability, Finding, TargetDateRevision, TrackedItem
from section55 import services as section55_services
from section55.models import Section55Response
from webhooks import services as webhook_services
from webhooks.models import Event, WebhookDelivery, WebhookEndpoint

TODAY = datetime.date(2026, 12, 1)

# Public functions of a services module that are not writes on someone's records.
NOT_ABOUT_OTHERS = {
    # issue 14: saved views of the list (dashboards/saved_views.py)
    "dashboards.saved_views": {"saved_view_create": "the caller's own new view, nobody else's"},
    # issue 14: boards (the views check who reads; these render what they were given)
    "boards": {
        "paper_html": "a rendering of a paper the caller built",
        "paper_pdf_html": "a rendering of a paper the caller built",
        "pdf_from_html": "a rendering",
        "paper_pdf_key": "a read (a digest)",
        "paper_pdf_name": "a wording",
        "paper_pdf_render": "the worker's task: renders what was requested and checked",
    },
    "recommendations": {
        "finding_responsible_organisations": "a read",
        "allowed_next_statuses": "a read",
        "happened_on": "a date rule",
        "sign_off_status": "a read",
    },
    "inspections": {"publication_preview": "a read (the page checks access)"},
    "organisations": {
        "invitation_lifetime": "a setting",
        # the link's token is the key: whoever holds it accepts (single use, expires)
        "invitation_accept": "the link's token is the key",
        "invitation_accept_by_sign_in": "called by single sign-on with the signed-in user",
        "membership_grant_by_sign_in": "called by single sign-on with the signed-in user",
        "claim_mapping_label": "a wording",
    },
    "webhooks": {
        # called inside the services that make the change, after their own access checks
        "webhooks_record_item_event": "called by recommendations' services, checked there",
        "webhooks_record_target_date_revised": "called by recommendations' services",
        "webhooks_record_section55_published": "called by section55's services",
        "webhooks_deliver_due": "the delivery task's: sends what was recorded",
        "webhooks_mark_interrupted": "the delivery task's: marks stale rows",
    },
    "api": {
        "token_secret_hash": "a hash",
        "api_token_record_use": "called by the API's authentication for the token presented",
    },
}


def _item(slug="devon-and-cornwall") -> TrackedItem:
    return TrackedItem.objects.filter(
        organisation__slug=slug, finding__audience=Finding.Audience.ALL_FORCES
    ).first()


@pytest.fixture
def devon_item(dc_editor):
    item = _item()
    item_services.tracked_item_assign(item=item, owner=dc_editor, by=SYSTEM)
    item.refresh_from_db()
    return item


@pytest.fixture
def revision(devon_item, dc_editor):
    return item_services.target_date_revision_request(
        item=devon_item, by=dc_editor, proposed_date=TODAY, reason="Slipped."
    )


@pytest.fixture
def plan(devon_item):
    return plan_services.action_plan_create(
        organisation=devon_item.organisation,
        inspection=devon_item.finding.inspection,
        title="Devon's plan",
        by=SYSTEM,
    )


@pytest.fixture
def action(plan):
    return plan_services.action_add(plan=plan, title="Consult the board", by=SYSTEM)


@pytest.fixture
def response(organisations):
    return section55_services.section55_response_open(
        inspection=Inspection.objects.get(slug="hmicfrs-2021-rocu-inspection"),
        body=organisations["devon-and-cornwall-pcc"],
        by=SYSTEM,
    )


@pytest.fixture
def inspection_2021(reference_data):
    return Inspection.objects.get(slug="hmicfrs-2021-rocu-inspection")


@pytest.fixture
def invitation(organisations):
    return organisation_services.invitation_send(
        organisation=organisations["devon-and-cornwall"],
        email="new@example.org",
        role=Membership.Role.EDITOR,
        by=SYSTEM,
    )


@pytest.fixture
def mapping(organisations):
    return organisation_services.claim_role_mapping_add(
        organisation=organisations["devon-and-cornwall"],
        claim="groups",
        value="tracker-editors",
        role=Membership.Role.EDITOR,
        by=SYSTEM,
    )


@pytest.fixture
def alices_view(dc_editor):
    return saved_view_services.saved_view_create(user=dc_editor, name="Alice's", query="")


@pytest.fixture
def dc_membership(dc_editor):
    return Membership.objects.get(user=dc_editor)


@pytest.fixture
def webhook_endpoint(organisations):
    endpoint, _ = webhook_services.webhook_endpoint_create(
        organisation=organisations["devon-and-cornwall"],
        url="https://93.184.215.14/rocu",
        events=[Event.ITEM_STATUS_CHANGED],
        by=SYSTEM,
    )
    return endpoint


@pytest.fixture
def webhook_delivery(webhook_endpoint):
    return webhook_endpoint.deliveries.create(
        event=Event.ITEM_STATUS_CHANGED,
        source="test",
        occurred_at=timezone.now(),
        data={},
        status=WebhookDelivery.Status.FAILED,
    )


def _finding(inspection):
    return inspection.findings.order_by("position", "id").first()


# service name: (module, the call as the outsider, given the fixtures)
CALLS = {
    "capability_upsert": (
        item_services,
        lambda f, by: item_services.capability_upsert(slug="new-capability", name="N", by=by),
    ),
    "finding_upsert": (
        item_services,
        lambda f, by: item_services.finding_upsert(
            inspection=f["inspection_2021"], key="outsider", kind=Finding.Kind.RECOMMENDATION, by=by
        ),
    ),
    "finding_tracked_items_sync": (
        item_services,
        lambda f, by: item_services.finding_tracked_items_sync(
            finding=_finding(f["inspection_2021"]), by=by
        ),
    ),
    "finding_fan_out": (
        item_services,
        lambda f, by: item_services.finding_fan_out(finding=_finding(f["inspection_2021"]), by=by),
    ),
    "tracked_item_transition": (
        item_services,
        lambda f, by: item_services.tracked_item_transition(
            item=f["devon_item"], to_status=TrackedItem.Status.BEING_PROGRESSED, by=by
        ),
    ),
    "tracked_item_comment": (
        item_services,
        lambda f, by: item_services.tracked_item_comment(
            item=f["devon_item"], narrative="Hello", by=by
        ),
    ),
    "progress_update_add": (
        item_services,
        lambda f, by: item_services.progress_update_add(
            item=f["devon_item"],
            by=by,
            expected_version=f["devon_item"].version,
            status=TrackedItem.Status.BEING_PROGRESSED,
            narrative="Done",
            evidence_files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4", "application/pdf")],
        ),
    ),
    "tracked_item_accept": (
        item_services,
        lambda f, by: item_services.tracked_item_accept(
            item=f["devon_item"], by=by, expected_version=f["devon_item"].version
        ),
    ),
    "tracked_item_return": (
        item_services,
        lambda f, by: item_services.tracked_item_return(
            item=f["devon_item"], by=by, expected_version=f["devon_item"].version, reason="No"
        ),
    ),
    "tracked_item_assign": (
        item_services,
        lambda f, by: item_services.tracked_item_assign(item=f["devon_item"], owner=None, by=by),
    ),
    "target_date_revision_request": (
        item_services,
        lambda f, by: item_services.target_date_revision_request(
            item=f["devon_item"], by=by, proposed_date=TODAY, reason="Late"
        ),
    ),
    "target_date_revision_decide": (
        item_services,
        lambda f, by: item_services.target_date_revision_decide(
            revision=f["revision"], by=by, approve=True
        ),
    ),
    "tracked_item_reminders_pause": (
        item_services,
        lambda f, by: item_services.tracked_item_reminders_pause(
            item=f["devon_item"], by=by, until=TODAY, reason="Quiet"
        ),
    ),
    "tracked_item_reminders_resume": (
        item_services,
        lambda f, by: item_services.tracked_item_reminders_resume(item=f["devon_item"], by=by),
    ),
    "tracked_item_inspectorate_confirm": (
        item_services,
        lambda f, by: item_services.tracked_item_inspectorate_confirm(
            item=f["devon_item"], by=by, expected_version=f["devon_item"].version
        ),
    ),
    "tracked_item_inspectorate_return": (
        item_services,
        lambda f, by: item_services.tracked_item_inspectorate_return(
            item=f["devon_item"], by=by, expected_version=f["devon_item"].version, reason="No"
        ),
    ),
    "finding_link_repeat": (
        item_services,
        lambda f, by: item_services.finding_link_repeat(
            finding=_finding(f["inspection_2021"]), earlier=None, by=by
        ),
    ),
    "finding_supersede": (
        item_services,
        lambda f, by: item_services.finding_supersede(
            finding=_finding(f["inspection_2021"]), earlier=f["devon_item"].finding, by=by
        ),
    ),
    "action_plan_create": (
        plan_services,
        lambda f, by: plan_services.action_plan_create(
            organisation=f["devon_item"].organisation,
            inspection=f["inspection_2021"],
            title="Mine",
            by=by,
        ),
    ),
    "action_plan_update": (
        plan_services,
        lambda f, by: plan_services.action_plan_update(
            plan=f["plan"], by=by, expected_version=f["plan"].version, title="Mine"
        ),
    ),
    "action_add": (
        plan_services,
        lambda f, by: plan_services.action_add(plan=f["plan"], title="Mine", by=by),
    ),
    "action_update": (
        plan_services,
        lambda f, by: plan_services.action_update(
            action=f["action"], by=by, expected_version=f["action"].version, serves=[], title="X"
        ),
    ),
    **{
        name: (section55_services, call)
        for name, call in {
            "section55_response_open": lambda f, by: section55_services.section55_response_open(
                inspection=f["inspection_2021"], body=f["response"].body, by=by
            ),
            "section55_chief_officer_invite": lambda f, by: (
                section55_services.section55_chief_officer_invite(
                    response=f["response"],
                    invited_on=datetime.date(2021, 2, 11),
                    comments_due_on=datetime.date(2021, 3, 10),
                    by=by,
                )
            ),
            "section55_chief_officer_comments_record": lambda f, by: (
                section55_services.section55_chief_officer_comments_record(
                    response=f["response"], comments="Mine", received_on=None, by=by
                )
            ),
            "section55_chief_officer_comments_not_received": lambda f, by: (
                section55_services.section55_chief_officer_comments_not_received(
                    response=f["response"], by=by
                )
            ),
            "section55_office_comments_record": lambda f, by: (
                section55_services.section55_office_comments_record(
                    response=f["response"], comments="Mine", by=by
                )
            ),
            "section55_position_set": lambda f, by: section55_services.section55_position_set(
                response=f["response"],
                finding=_finding(f["inspection_2021"]),
                position="action_taken",
                explanation="Mine",
                by=by,
            ),
            "section55_response_publish": lambda f, by: (
                section55_services.section55_response_publish(
                    response=f["response"], acknowledged=True, by=by
                )
            ),
            "section55_copies_record": lambda f, by: section55_services.section55_copies_record(
                response=f["response"], home_secretary_on=TODAY, by=by
            ),
            "section55_correction_start": lambda f, by: (
                section55_services.section55_correction_start(
                    response=f["response"], reason="Mine", by=by
                )
            ),
        }.items()
    },
    "inspection_upsert": (
        inspection_services,
        lambda f, by: inspection_services.inspection_upsert(slug="outsider", title="X", by=by),
    ),
    "inspection_stated_counts_set": (
        inspection_services,
        lambda f, by: inspection_services.inspection_stated_counts_set(
            inspection=f["inspection_2021"], counts={"recommendation": 1}, by=by
        ),
    ),
    "inspection_mark_published": (
        inspection_services,
        lambda f, by: inspection_services.inspection_mark_published(
            inspection=f["inspection_2021"], by=by
        ),
    ),
    "inspection_create": (
        inspection_services,
        lambda f, by: inspection_services.inspection_create(
            by=by,
            inspectorate=f["inspection_2021"].inspectorate,
            type=Inspection.Type.THEMATIC,
            scope=Inspection.Scope.NATIONAL,
            title="Outsider's report",
            published_on=TODAY,
        ),
    ),
    "inspection_update": (
        inspection_services,
        lambda f, by: inspection_services.inspection_update(
            inspection=f["inspection_2021"], by=by, title="Mine"
        ),
    ),
    "finding_create": (
        inspection_services,
        lambda f, by: inspection_services.finding_create(
            inspection=f["inspection_2021"], by=by, kind=Finding.Kind.RECOMMENDATION, text="X"
        ),
    ),
    "finding_update": (
        inspection_services,
        lambda f, by: inspection_services.finding_update(
            finding=_finding(f["inspection_2021"]), by=by, text="Mine"
        ),
    ),
    "findings_reorder": (
        inspection_services,
        lambda f, by: inspection_services.findings_reorder(
            inspection=f["inspection_2021"], by=by, finding=_finding(f["inspection_2021"]), move=1
        ),
    ),
    "inspection_publish_to_trackers": (
        inspection_services,
        lambda f, by: inspection_services.inspection_publish_to_trackers(
            inspection=f["inspection_2021"], by=by
        ),
    ),
    "organisation_upsert": (
        organisation_services,
        lambda f, by: organisation_services.organisation_upsert(
            slug="devon-and-cornwall", name="Renamed", by=by
        ),
    ),
    "oversight_record": (
        organisation_services,
        lambda f, by: organisation_services.oversight_record(
            force=f["devon_item"].organisation,
            body=f["response"].body,
            valid_from=TODAY,
            valid_to=None,
            by=by,
        ),
    ),
    "region_membership_record": (
        organisation_services,
        lambda f, by: organisation_services.region_membership_record(
            force=f["devon_item"].organisation,
            region=f["devon_item"].organisation,
            valid_from=TODAY,
            valid_to=None,
            by=by,
        ),
    ),
    "membership_grant": (
        organisation_services,
        lambda f, by: organisation_services.membership_grant(
            user=by, organisation=f["devon_item"].organisation, role=Membership.Role.LEAD, by=by
        ),
    ),
    "claim_role_mapping_add": (
        organisation_services,
        lambda f, by: organisation_services.claim_role_mapping_add(
            organisation=f["devon_item"].organisation,
            claim="groups",
            value="outsiders",
            role=Membership.Role.LEAD,
            by=by,
        ),
    ),
    "claim_role_mapping_remove": (
        organisation_services,
        lambda f, by: organisation_services.claim_role_mapping_remove(mapping=f["mapping"], by=by),
    ),
    "invitation_send": (
        organisation_services,
        lambda f, by: organisation_services.invitation_send(
            organisation=f["devon_item"].organisation,
            email="friend@example.org",
            role=Membership.Role.EDITOR,
            by=by,
        ),
    ),
    "invitation_revoke": (
        organisation_services,
        lambda f, by: organisation_services.invitation_revoke(invitation=f["invitation"], by=by),
    ),
    "membership_role_change": (
        organisation_services,
        lambda f, by: organisation_services.membership_role_change(
            membership=f["dc_membership"], role=Membership.Role.LEAD, by=by
        ),
    ),
    "person_deactivate": (
        organisation_services,
        lambda f, by: organisation_services.person_deactivate(membership=f["dc_membership"], by=by),
    ),
    "person_reactivate": (
        organisation_services,
        lambda f, by: organisation_services.person_reactivate(membership=f["dc_membership"], by=by),
    ),
    "webhook_endpoint_create": (
        webhook_services,
        lambda f, by: webhook_services.webhook_endpoint_create(
            organisation=f["devon_item"].organisation,
            url="https://93.184.215.14/outsider",
            events=[Event.ITEM_STATUS_CHANGED],
            by=by,
        ),
    ),
    "webhook_endpoint_update": (
        webhook_services,
        lambda f, by: webhook_services.webhook_endpoint_update(
            endpoint=f["webhook_endpoint"], events=[Event.SECTION55_PUBLISHED], by=by
        ),
    ),
    "webhook_endpoint_rotate_secret": (
        webhook_services,
        lambda f, by: webhook_services.webhook_endpoint_rotate_secret(
            endpoint=f["webhook_endpoint"], by=by
        ),
    ),
    "webhook_endpoint_pause": (
        webhook_services,
        lambda f, by: webhook_services.webhook_endpoint_pause(
            endpoint=f["webhook_endpoint"], by=by
        ),
    ),
    "webhook_endpoint_resume": (
        webhook_services,
        lambda f, by: webhook_services.webhook_endpoint_resume(
            endpoint=f["webhook_endpoint"], by=by
        ),
    ),
    "webhook_endpoint_delete": (
        webhook_services,
        lambda f, by: webhook_services.webhook_endpoint_delete(
            endpoint=f["webhook_endpoint"], by=by
        ),
    ),
    "webhook_delivery_resend": (
        webhook_services,
        lambda f, by: webhook_services.webhook_delivery_resend(
            delivery=f["webhook_delivery"], by=by
        ),
    ),
    # API tokens: Charlie makes none for someone else or for Devon and Cornwall, revokes none
    "personal_token_create": (
        api_services,
        lambda f, by: api_services.personal_token_create(
            owner=f["devon_item"].owner,
            by=by,
            name="Not mine",
            access_level="write",
            expires_on=TODAY + datetime.timedelta(days=30),
        ),
    ),
    "service_token_create": (
        api_services,
        lambda f, by: api_services.service_token_create(
            organisation=f["devon_item"].organisation,
            by=by,
            name="Not ours",
            access_level="write",
            expires_on=TODAY + datetime.timedelta(days=30),
        ),
    ),
    "api_token_revoke": (
        api_services,
        lambda f, by: api_services.api_token_revoke(token=_devon_service_token(f), by=by),
    ),
    "target_date_revision_request_at_version": (
        api_services,
        lambda f, by: api_services.target_date_revision_request_at_version(
            item=f["devon_item"],
            by=by,
            expected_version=f["devon_item"].version,
            proposed_date=TODAY,
            reason="Not mine",
        ),
    ),
    # Charlie is no ROCU staff: the South West region's delivery is not his to record
    "capability_delivery_record": (
        organisation_services,
        lambda f, by: organisation_services.capability_delivery_record(
            region=Organisation.objects.get(slug="swrocu"),
            capability=Capability.objects.first(),
            delivery=CapabilityDeliveryRecord.Delivery.FULLY,
            valid_from=TODAY,
            by=by,
        ),
    ),
    "progress_publication_set": (
        public_progress_services,
        lambda f, by: public_progress_services.progress_publication_set(
            organisation=f["devon_item"].organisation,
            inspection=f["devon_item"].finding.inspection,
            published=True,
            by=by,
        ),
    ),
    "public_update_add": (
        public_progress_services,
        lambda f, by: public_progress_services.public_update_add(
            item=f["devon_item"], text="Outsider's words", by=by
        ),
    ),
    # issue 14: Devon and Cornwall Police's board is not Charlie's to run (boards/access.py)
    "board_create": (
        board_services,
        lambda f, by: board_services.board_create(
            organisation=f["devon_item"].organisation,
            name="Charlie's board",
            scope=Board.Scope.ORGANISATION,
            by=by,
        ),
    ),
    "meeting_schedule": (
        board_services,
        lambda f, by: board_services.meeting_schedule(
            board=_devon_meeting().board, held_on=TODAY, title="Charlie's meeting", by=by
        ),
    ),
    "paper_issue": (
        board_services,
        lambda f, by: board_services.paper_issue(meeting=_devon_meeting(), by=by),
    ),
    # issue 14: Alice's saved view is hers alone (dashboards/access.py)
    "saved_view_rename": (
        saved_view_services,
        lambda f, by: saved_view_services.saved_view_rename(
            user=by, view=f["alices_view"], name="Charlie's"
        ),
    ),
    "saved_view_delete": (
        saved_view_services,
        lambda f, by: saved_view_services.saved_view_delete(user=by, view=f["alices_view"]),
    ),
    "paper_pdf_request": (
        board_services,
        lambda f, by: board_services.paper_pdf_request(
            meeting=_devon_meeting(), by=by, key="charlie", today=TODAY
        ),
    ),
}

DEVON_BOARD = "Devon and Cornwall Police's board (the outsider test's)"


def _devon_meeting() -> Meeting:
    """A meeting of Devon and Cornwall Police's board, made by the system."""
    board, _ = Board.objects.get_or_create(
        organisation=Organisation.objects.get(slug="devon-and-cornwall"), name=DEVON_BOARD
    )
    return board.meetings.first() or board_services.meeting_schedule(
        board=board, held_on=TODAY, title="Board meeting", by=SYSTEM
    )


MODULES = {
    "boards": board_services,
    "recommendations": item_services,
    "actionplans": plan_services,
    "section55": section55_services,
    "inspections": inspection_services,
    "organisations": organisation_services,
    "public_progress": public_progress_services,
    "webhooks": webhook_services,
    "dashboards.saved_views": saved_view_services,
    "api": api_services,
}


def _devon_service_token(f):
    token, _ = api_services.service_token_create(
        organisation=f["devon_item"].organisation,
        by=SYSTEM,
        name="Devon's",
        access_level="read",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    return token


def _public_functions(module) -> set[str]:
    return {
        name
        for name, value in vars(module).items()
        if inspect.isfunction(value)
        and value.__module__ == module.__name__
        and not name.startswith("_")
    }


@pytest.mark.parametrize("app", sorted(MODULES))
def test_every_service_is_in_the_outsider_list(app):
    module = MODULES[app]
    covered = {name for name, (owner, _) in CALLS.items() if owner is module}
    assert _public_functions(module) - covered - NOT_ABOUT_OTHERS.get(app, {}).keys() == set()


def _snapshot():
    """What the outsider could change, counted."""
    return (
        [(i.status, i.version, i.owner_id) for i in TrackedItem.objects.order_by("id")[:3000]],
        ActionPlan.objects.count(),
        Section55Response.objects.values_list("stage", "version").first(),
        TargetDateRevision.objects.values_list("state", flat=True).first(),
        Membership.objects.values_list("role", "user__is_active").order_by("id").first(),
        Finding.objects.count(),
        Inspection.objects.count(),
        ClaimRoleMapping.objects.count(),
        Oversight.objects.count(),
        RegionMembership.objects.count(),
        Membership.objects.count(),
        Organisation.objects.filter(name="Renamed").count(),
        CapabilityDeliveryRecord.objects.count(),
        ProgressPublication.objects.count(),
        PublicUpdate.objects.count(),
        list(WebhookEndpoint.objects.values_list("secret", "paused_at", "events")),
        list(WebhookDelivery.objects.values_list("status", flat=True)),
        Board.objects.exclude(name=DEVON_BOARD).count(),
        Meeting.objects.exclude(board__name=DEVON_BOARD).count(),
        IssuedPaper.objects.count(),
        list(SavedView.objects.values_list("user_id", "name")),
    )


@pytest.mark.parametrize("service", sorted(CALLS))
def test_an_outsider_is_refused(
    service,
    cambs_editor,
    devon_item,
    revision,
    plan,
    action,
    response,
    inspection_2021,
    invitation,
    mapping,
    dc_membership,
    webhook_endpoint,
    webhook_delivery,
    alices_view,
):
    fixtures = locals()
    before = _snapshot()
    _, call = CALLS[service]
    with pytest.raises(PermissionDenied):
        call(fixtures, cambs_editor)
    assert _snapshot() == before
