"""The People pages and the invitation's page: who may open them, what they show, and what
a refused or mistyped form keeps."""

import pytest
from django.core import mail
from django.urls import reverse

from organisations import services
from organisations.access import SYSTEM
from organisations.models import Membership
from recommendations import services as item_services
from recommendations.models import TrackedItem

from .conftest import token_in_the_last_email

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture(autouse=True)
def audit_trail_off():
    """The trail stays on here: the People page shows it."""
    yield


def _people_url(organisation):
    return reverse("organisations:people", args=[organisation.slug])


def _invite(by, organisation, email="new.editor@dc.police.uk"):
    return services.invitation_send(
        organisation=organisation, email=email, role=Role.EDITOR, job_title="Analyst", by=by
    )


def test_it_lists_the_organisations_people_invitations_and_trail(
    client, dc_org_admin, dc_editor, devon
):
    dc_editor.email = "alice@example.org"
    dc_editor.save()
    _invite(dc_org_admin, devon)
    client.force_login(dc_org_admin)

    page = client.get(_people_url(devon))

    assert page.status_code == 200
    html = page.content.decode()
    assert "People of Devon and Cornwall Police" in html
    assert "alice@example.org" in html and "Editor" in html and "Never" in html
    assert "new.editor@dc.police.uk" in html  # the open invitation
    assert "Invited new.editor@dc.police.uk as Editor" in html  # the trail
    assert f'href="{reverse("organisations:people_index")}">People</a>' in html


def test_the_people_page_is_a_404_to_another_organisations_administrator(
    client, cambs_org_admin, devon
):
    client.force_login(cambs_org_admin)

    assert client.get(_people_url(devon)).status_code == 404


def test_the_people_page_is_a_403_to_a_member_who_does_not_manage_people(client, dc_lead, devon):
    client.force_login(dc_lead)

    assert client.get(_people_url(devon)).status_code == 403
    assert client.get(reverse("organisations:people_index")).status_code == 403
    assert ">People</a>" not in client.get(reverse("reminders:list")).content.decode()


def test_the_people_link_takes_an_administrator_of_one_organisation_to_it(
    client, dc_org_admin, devon
):
    client.force_login(dc_org_admin)

    response = client.get(reverse("organisations:people_index"))

    assert response.status_code == 302 and response.url == _people_url(devon)


def test_signed_out_people_are_sent_to_sign_in(client, devon):
    response = client.get(_people_url(devon))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_mistyped_invitation_keeps_what_was_typed(client, dc_org_admin, devon):
    client.force_login(dc_org_admin)

    page = client.post(
        reverse("organisations:invite", args=[devon.slug]),
        {"email": "not an address", "role": Role.EDITOR, "job_title": "Analyst"},
    )

    assert page.status_code == 400
    html = page.content.decode()
    assert "There is a problem" in html and 'value="not an address"' in html
    assert 'value="Analyst"' in html
    assert mail.outbox == []


def test_the_invite_form_offers_no_role_above_the_force_administrators(client, dc_org_admin, devon):
    client.force_login(dc_org_admin)

    html = client.get(reverse("organisations:invite", args=[devon.slug])).content.decode()
    refused = client.post(
        reverse("organisations:invite", args=[devon.slug]),
        {"email": "x@example.org", "role": Role.ADMINISTRATOR},
    )

    assert 'value="lead"' in html and 'value="administrator"' not in html
    assert refused.status_code == 400 and mail.outbox == []


def test_a_person_is_changed_only_by_their_organisations_administrators(
    client, dc_org_admin, cambs_org_admin, dc_editor, devon
):
    membership = Membership.objects.get(user=dc_editor)
    url = reverse("organisations:person", args=[devon.slug, membership.pk])
    client.force_login(cambs_org_admin)
    assert client.post(url, {"role": Role.LEAD}).status_code == 404
    cambs = cambs_org_admin.memberships.get().organisation
    other_url = reverse("organisations:person", args=[cambs.slug, membership.pk])
    assert client.post(other_url, {"role": Role.LEAD}).status_code == 404

    client.force_login(dc_org_admin)
    response = client.post(url, {"role": Role.LEAD})

    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).role == Role.LEAD


def test_deactivating_asks_first(client, dc_org_admin, dc_editor, devon):
    membership = Membership.objects.get(user=dc_editor)
    url = reverse("organisations:person_deactivate", args=[devon.slug, membership.pk])
    client.force_login(dc_org_admin)

    page = client.get(url)
    dc_editor.refresh_from_db()
    assert page.status_code == 200 and dc_editor.is_active
    assert "Yes, deactivate" in page.content.decode()

    assert client.post(url).status_code == 302
    dc_editor.refresh_from_db()
    assert not dc_editor.is_active


def test_the_invited_person_sets_a_password_once(client, dc_org_admin, devon):
    _invite(dc_org_admin, devon)
    url = reverse("organisations:invitation_accept", args=[token_in_the_last_email()])
    form = {
        "first_name": "Nia",
        "last_name": "Pascoe",
        "new_password1": "a long and unusual passphrase",
        "new_password2": "a long and unusual passphrase",
    }

    page = client.get(url)
    assert page.status_code == 200 and "new.editor@dc.police.uk" in page.content.decode()
    response = client.post(url, form)
    assert response.status_code == 302 and response.url == reverse("login")

    again = client.get(url)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert client.post(url, form).status_code == 410


def test_a_weak_or_mismatched_password_keeps_the_names(client, dc_org_admin, devon):
    _invite(dc_org_admin, devon)
    url = reverse("organisations:invitation_accept", args=[token_in_the_last_email()])

    weak = client.post(
        url,
        {
            "first_name": "Nia",
            "last_name": "Pascoe",
            "new_password1": "123",
            "new_password2": "123",
        },
    )
    mismatched = client.post(
        url,
        {
            "first_name": "Nia",
            "last_name": "Pascoe",
            "new_password1": "a long and unusual passphrase",
            "new_password2": "a long and different passphrase",
        },
    )

    assert weak.status_code == 400 and "too short" in weak.content.decode()
    assert mismatched.status_code == 400 and "not the same" in mismatched.content.decode()
    assert 'value="Nia"' in mismatched.content.decode()
    assert client.get(url).status_code == 200  # still usable


def test_an_unknown_link_says_so(client):
    page = client.get(reverse("organisations:invitation_accept", args=["no-such-token"]))

    assert page.status_code == 404 and "does not work" in page.content.decode()


def test_someone_signed_in_with_another_address_is_told_so(
    client, dc_org_admin, devon, cambs_editor
):
    _invite(dc_org_admin, devon)
    url = reverse("organisations:invitation_accept", args=[token_in_the_last_email()])
    client.force_login(cambs_editor)

    page = client.get(url)
    refused = client.post(url)

    assert page.status_code == 403
    assert "sent to another email address" in page.content.decode()
    assert refused.status_code == 403
    assert not Membership.objects.filter(user=cambs_editor, organisation=devon).exists()


def test_someone_with_an_account_signs_in_and_joins(client, dc_org_admin, devon, cambs_editor):
    cambs_editor.email = "charlie@example.org"
    cambs_editor.save()
    _invite(dc_org_admin, devon, email="charlie@example.org")
    url = reverse("organisations:invitation_accept", args=[token_in_the_last_email()])

    signed_out = client.get(url)
    client.force_login(cambs_editor)
    joined = client.post(url)

    assert "already an account" in signed_out.content.decode()
    assert joined.status_code == 302
    assert Membership.objects.get(user=cambs_editor, organisation=devon).role == Role.EDITOR


def test_the_people_page_reads_a_constant_number_of_times(
    client, dc_org_admin, devon, django_user_model, django_assert_max_num_queries
):
    def add_someone(number):
        user = django_user_model.objects.create_user(f"person{number}", email=f"p{number}@x.org")
        services.membership_grant(user=user, organisation=devon, role=Role.EDITOR, by=SYSTEM)
        _invite(dc_org_admin, devon, email=f"invited{number}@x.org")

    add_someone(0)
    client.force_login(dc_org_admin)
    url = _people_url(devon)
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for number in range(1, 30):
        add_someone(number)

    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        page = client.get(url)

    assert page.status_code == 200 and "person29" in page.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_deactivated_owners_items_show_as_needing_an_owner(
    client, dc_org_admin, dc_editor, dc_lead
):
    item = TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience="all_forces"
    )
    item_services.tracked_item_assign(item=item, owner=dc_editor, by=dc_lead)
    client.force_login(dc_lead)
    item_url = reverse("recommendations:item", args=[item.pk])
    assert "Needs an owner" not in client.get(item_url).content.decode()

    services.person_deactivate(membership=Membership.objects.get(user=dc_editor), by=dc_org_admin)

    assert "Needs an owner" in client.get(item_url).content.decode()
    assert "Needs an owner" in client.get(reverse("recommendations:my_work")).content.decode()
