"""Issue 3's pages over HTTP: who may do what, bad input, stale saves, query budgets."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import timezone

from actionplans import services as plan_services
from actionplans.models import ActionPlan
from dashboards.selectors import dashboard_for
from dashboards.tests.helpers import make_items
from inspections.models import Inspection
from organisations.access import SYSTEM
from organisations.services import membership_grant
from recommendations import services
from recommendations.models import Evidence, TrackedItem
from recommendations.tests.factories import (
    FindingFactory,
    InspectionFactory,
    OrganisationFactory,
    TrackedItemFactory,
)

Status = TrackedItem.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def item(reference_data):
    return TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience="all_forces"
    )


@pytest.fixture
def world(item, dc_editor, dc_lead):
    """An item with a proposal, evidence, a pending revision, and a plan with an action."""
    services.progress_update_add(
        item=item,
        by=dc_editor,
        expected_version=1,
        status=Status.PROPOSED_COMPLETE,
        narrative="Published.",
        evidence_files=[SimpleUploadedFile("plan.pdf", b"%PDF-1.4", "application/pdf")],
    )
    revision = services.target_date_revision_request(
        item=item, by=dc_editor, proposed_date=datetime.date(2027, 1, 31), reason="Regional review."
    )
    plan = plan_services.action_plan_create(
        organisation=item.organisation,
        inspection=item.finding.inspection,
        title="D&C plan",
        by=SYSTEM,
    )
    action = plan_services.action_add(
        plan=plan, title="Consult the board", serves=[item], by=SYSTEM
    )
    return {
        "item": item,
        "evidence": Evidence.objects.get(),
        "revision": revision,
        "plan": plan,
        "action": action,
    }


def _urls(world):
    item, plan = world["item"], world["plan"]
    return {
        "recommendations:my_work": ("GET", reverse("recommendations:my_work")),
        "recommendations:item": ("GET", reverse("recommendations:item", args=[item.pk])),
        "recommendations:item_progress": (
            "POST",
            reverse("recommendations:item_progress", args=[item.pk]),
        ),
        "recommendations:item_accept": (
            "POST",
            reverse("recommendations:item_accept", args=[item.pk]),
        ),
        "recommendations:item_return": (
            "POST",
            reverse("recommendations:item_return", args=[item.pk]),
        ),
        "recommendations:item_assign": (
            "POST",
            reverse("recommendations:item_assign", args=[item.pk]),
        ),
        "recommendations:item_target_date": (
            "POST",
            reverse("recommendations:item_target_date", args=[item.pk]),
        ),
        "recommendations:revision_decide": (
            "POST",
            reverse("recommendations:revision_decide", args=[item.pk, world["revision"].pk]),
        ),
        "recommendations:item_reminders_pause": (
            "POST",
            reverse("recommendations:item_reminders_pause", args=[item.pk]),
        ),
        "recommendations:item_reminders_resume": (
            "POST",
            reverse("recommendations:item_reminders_resume", args=[item.pk]),
        ),
        "recommendations:evidence": (
            "GET",
            reverse("recommendations:evidence", args=[world["evidence"].pk]),
        ),
        "recommendations:item_inspectorate_confirm": (
            "POST",
            reverse("recommendations:item_inspectorate_confirm", args=[item.pk]),
        ),
        "recommendations:item_inspectorate_return": (
            "POST",
            reverse("recommendations:item_inspectorate_return", args=[item.pk]),
        ),
        "recommendations:inspectorate_awaiting": (
            "GET",
            reverse("recommendations:inspectorate_awaiting"),
        ),
        "recommendations:finding_link": (
            "GET",
            reverse("recommendations:finding_link", args=[item.finding.pk]),
        ),
        "actionplans:list": ("GET", reverse("actionplans:list")),
        "actionplans:create": (
            "POST",
            reverse("actionplans:create", args=[item.finding.inspection.slug]),
        ),
        "actionplans:detail": ("GET", reverse("actionplans:detail", args=[plan.pk])),
        "actionplans:edit": ("POST", reverse("actionplans:edit", args=[plan.pk])),
        "actionplans:action_create": ("POST", reverse("actionplans:action_create", args=[plan.pk])),
        "actionplans:action_edit": (
            "POST",
            reverse("actionplans:action_edit", args=[world["action"].pk]),
        ),
    }


# What each role gets. Pages anyone of the force's circle may read are 200 to them; a POST
# by someone who may read but not change is 403; another force's things are 404. POSTs here
# carry an empty form, so the force's own editors and leads get the form back (400), or a
# 404 where a plan already exists for a create, and so on.
VIEW = {"GET": 200}
EXPECTED = {
    "dc_editor": {
        "recommendations:my_work": 200,
        "recommendations:item": 200,
        "recommendations:item_progress": 400,
        # a lead's: an editor gets a 403 whatever they send
        "recommendations:item_accept": 403,
        "recommendations:item_return": 403,
        "recommendations:item_assign": 400,
        "recommendations:item_target_date": 400,
        "recommendations:revision_decide": 403,
        "recommendations:item_reminders_pause": 403,
        "recommendations:item_reminders_resume": 403,
        "recommendations:evidence": 200,
        # only an inspection liaison at the inspectorate decides, or links findings
        "recommendations:item_inspectorate_confirm": 403,
        "recommendations:item_inspectorate_return": 403,
        "recommendations:inspectorate_awaiting": 200,
        "recommendations:finding_link": 403,
        "actionplans:list": 200,
        "actionplans:create": 400,
        "actionplans:detail": 200,
        "actionplans:edit": 400,
        "actionplans:action_create": 400,
        "actionplans:action_edit": 400,
    },
    "dc_pcc_staff": {
        "recommendations:my_work": 200,
        "recommendations:item": 200,
        "recommendations:item_progress": 403,
        "recommendations:item_accept": 403,
        "recommendations:item_return": 403,
        "recommendations:item_assign": 403,
        "recommendations:item_target_date": 403,
        "recommendations:revision_decide": 403,
        "recommendations:item_reminders_pause": 403,
        "recommendations:item_reminders_resume": 403,
        "recommendations:evidence": 200,
        # only an inspection liaison at the inspectorate decides, or links findings
        "recommendations:item_inspectorate_confirm": 403,
        "recommendations:item_inspectorate_return": 403,
        "recommendations:inspectorate_awaiting": 200,
        "recommendations:finding_link": 403,
        "actionplans:list": 200,
        "actionplans:create": 404,
        "actionplans:detail": 200,
        "actionplans:edit": 403,
        "actionplans:action_create": 403,
        "actionplans:action_edit": 403,
    },
    "cambs_editor": {
        "recommendations:my_work": 200,
        "recommendations:item": 404,
        "recommendations:item_progress": 404,
        "recommendations:item_accept": 404,
        "recommendations:item_return": 404,
        "recommendations:item_assign": 404,
        "recommendations:item_target_date": 404,
        "recommendations:revision_decide": 404,
        "recommendations:item_reminders_pause": 404,
        "recommendations:item_reminders_resume": 404,
        "recommendations:evidence": 404,
        # only an inspection liaison at the inspectorate decides, or links findings
        "recommendations:item_inspectorate_confirm": 404,
        "recommendations:item_inspectorate_return": 404,
        "recommendations:inspectorate_awaiting": 200,
        "recommendations:finding_link": 403,
        "actionplans:list": 200,
        "actionplans:create": 400,
        "actionplans:detail": 404,
        "actionplans:edit": 404,
        "actionplans:action_create": 404,
        "actionplans:action_edit": 404,
    },
}
EXPECTED["dc_lead"] = {
    **EXPECTED["dc_editor"],
    # only a lead signs off, decides and pauses; an empty form is refused (400)
    "recommendations:item_accept": 400,
    "recommendations:item_return": 400,
    "recommendations:revision_decide": 400,
    "recommendations:item_reminders_pause": 400,
    "recommendations:item_reminders_resume": 400,
}
EXPECTED["board_member"] = EXPECTED["dc_pcc_staff"]


def _issue_3_url_names():
    names = set()
    for namespace in ("recommendations", "actionplans"):
        resolver = get_resolver().namespace_dict[namespace][1]
        names |= {f"{namespace}:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
    return names


def test_every_url_of_the_issue_has_an_entry_for_every_role():
    for role, table in EXPECTED.items():
        assert set(table) == _issue_3_url_names(), role


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_each_role_gets_what_it_may(request, client, world, role):
    client.force_login(request.getfixturevalue(role))
    for name, (method, url) in _urls(world).items():
        response = client.get(url) if method == "GET" else client.post(url, {})
        assert response.status_code == EXPECTED[role][name], (role, name)


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for name, (method, url) in _urls(world).items():
        response = client.get(url) if method == "GET" else client.post(url, {})
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name


def test_evidence_is_an_attachment_never_sniffed(client, world, dc_pcc_staff):
    client.force_login(dc_pcc_staff)
    response = client.get(reverse("recommendations:evidence", args=[world["evidence"].pk]))
    assert response["Content-Disposition"].startswith('attachment; filename="plan.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4"


def _progress(client, item, **data):
    return client.post(
        reverse("recommendations:item_progress", args=[item.pk]),
        {"version": item.version, "status": item.status, "narrative": "", **data},
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "finished"}, "Select a valid choice"),
        ({"status": "complete", "narrative": "Done"}, "Select a valid choice"),
        ({"percent_complete": "150", "narrative": "x"}, "less than or equal to 100"),
        ({"evidence": SimpleUploadedFile("run.exe", b"MZ")}, "not a file type we accept"),
        ({"narrative": ""}, "Write an update, change the status or attach evidence"),
    ],
)
def test_bad_input_gets_a_clear_error_and_nothing_is_written(
    client, item, dc_editor, data, message
):
    client.force_login(dc_editor)
    response = _progress(client, item, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert item.events.count() == 1
    assert not Evidence.objects.exists()


def test_an_oversized_file_is_refused(client, item, dc_editor, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(dc_editor)
    big = SimpleUploadedFile("big.pdf", b"x" * 2048, "application/pdf")
    response = _progress(client, item, narrative="With a big file", evidence=big)
    assert response.status_code == 400
    assert "the limit is 1.0\xa0KB" in response.content.decode()
    assert not Evidence.objects.exists()


def test_an_impossible_date_is_a_form_error(client, item, dc_editor):
    client.force_login(dc_editor)
    response = client.post(
        reverse("recommendations:item_target_date", args=[item.pk]),
        {"proposed_date": "2027-02-30", "reason": "Slipped"},
    )
    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()
    assert not item.target_date_revisions.exists()


def test_html_in_a_narrative_is_shown_escaped(client, item, dc_editor):
    client.force_login(dc_editor)
    _progress(client, item, narrative="<script>alert('x')</script>")
    page = client.get(reverse("recommendations:item", args=[item.pk])).content.decode()
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_a_second_stale_save_is_refused_and_the_text_kept(client, item, dc_editor, dc_lead):
    seen = item.version
    client.force_login(dc_lead)
    first = _progress(client, item, narrative="The lead's update", version=seen)
    assert first.status_code == 302
    client.force_login(dc_editor)
    second = _progress(client, item, narrative="The editor's own words", version=seen)
    page = second.content.decode()
    assert second.status_code == 400
    assert "Someone else saved this item" in page
    assert "The lead&#x27;s update" in page  # what changed
    assert "The editor&#x27;s own words</textarea>" in page  # nothing lost
    assert list(item.events.values_list("narrative", flat=True))[0] == "The lead's update"


def test_htmx_gets_the_live_part_of_the_page(client, item, dc_editor):
    client.force_login(dc_editor)
    response = client.post(
        reverse("recommendations:item_progress", args=[item.pk]),
        {"version": 1, "status": "being_progressed", "narrative": "Drafting."},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="item-announcer" data-hx-swap-oob="true"')
    assert "<html" not in page
    assert "Drafting." in page


def _items_for(organisation, count, events_each):
    inspection = InspectionFactory()
    for _ in range(count):
        item = TrackedItemFactory(
            organisation=organisation, finding=FindingFactory(inspection=inspection)
        )
        for n in range(events_each):
            services.tracked_item_comment(item=item, narrative=f"Update {n}", by=SYSTEM)
    return item


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_my_work_and_the_item_page_run_constant_queries(client, django_user_model):
    small, big = OrganisationFactory(), OrganisationFactory()
    counts = {}
    for organisation, items, events in ((small, 1, 1), (big, 50, 50)):
        user = django_user_model.objects.create_user(f"editor-{organisation.pk}")
        membership_grant(user=user, organisation=organisation, role="editor", by=SYSTEM)
        last = _items_for(organisation, items, events)
        plan = ActionPlan.objects.create(
            organisation=organisation, inspection=last.finding.inspection, title="Plan"
        )
        for _ in range(items):
            plan_services.action_add(plan=plan, title="Do it", serves=[last], by=SYSTEM)
        client.force_login(user)
        counts[items] = (
            _queries(client, reverse("recommendations:my_work")),
            _queries(client, reverse("recommendations:item", args=[last.pk])),
        )
    assert counts[1] == counts[50]


def test_a_force_user_lands_on_my_work(client, dc_editor, board_member):
    client.force_login(dc_editor)
    assert client.get("/")["Location"] == reverse("recommendations:my_work")
    client.force_login(board_member)
    assert client.get("/")["Location"] != reverse("recommendations:my_work")


def test_my_work_lists_only_my_forces_open_items_soonest_first(client, item, dc_editor):
    client.force_login(dc_editor)
    page = client.get(reverse("recommendations:my_work")).content.decode()
    # The force's own item and the two its region's ROCU shares "with the chief officers of
    # the affected forces" (test_my_work_region.py).
    assert "Recommendations (3)" in page
    assert "Devon and Cornwall" in page
    assert "Cambridgeshire" not in page
    assert (
        client.get(reverse("recommendations:my_work"), {"rag": "green"}).context["page"].count == 0
    )
    assert Inspection.objects.count() == 2


def test_my_work_due_within_counts_what_the_dashboard_counts(client, dc_editor, organisations):
    """'Due within 30 days' is open and due from today on, on My work as on the dashboard;
    overdue items are counted as overdue, not as due."""
    today = timezone.localdate()
    make_items(140, organisation=organisations["devon-and-cornwall"], today=today)
    client.force_login(dc_editor)
    listed = client.get(reverse("recommendations:my_work"), {"due_within": "30"}).context["page"]
    due = {
        value: count
        for value, _label, count in dashboard_for(
            user=dc_editor,
            filters={"organisation": organisations["devon-and-cornwall"]},
            today=today,
        ).due
    }
    assert listed.count == due["30"] > 0
    assert all(item.effective_deadline >= today for item in listed.object_list)
