"""Organisation administrators manage their own people (issue 10, point 2): invitations by
email with a single-use link that expires, roles, deactivation, and the audit trail."""

import datetime
import hashlib
import threading

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from organisations import access, selectors, services
from organisations.access import SYSTEM
from organisations.models import Invitation, Membership
from recommendations import services as item_services
from recommendations.models import TrackedItem

from .conftest import token_in_the_last_email

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture(autouse=True)
def audit_trail_off():
    """The trail stays on here: the project's conftest.py turns it off for other tests."""
    yield


def _invite(by, organisation, email="new.editor@dc.police.uk", role=Role.EDITOR, **extra):
    return services.invitation_send(
        organisation=organisation, email=email, role=role, job_title="Analyst", by=by, **extra
    )


def _accept(token, password="a long and unusual passphrase"):
    return services.invitation_accept(
        token=token, password=password, first_name="Nia", last_name="Pascoe"
    )


def test_it_invites_by_email_and_the_new_person_joins_with_the_role(dc_org_admin, devon):
    invitation = _invite(dc_org_admin, devon, email="  New.Editor@DC.police.uk ")

    (email,) = mail.outbox
    assert email.to == ["new.editor@dc.police.uk"]
    assert "Devon and Cornwall" in email.subject and "Editor" in email.subject
    token = token_in_the_last_email()
    assert f"http://127.0.0.1:8000/invitations/{token}/" in email.body
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.values().get())

    user = _accept(token)

    assert (user.username, user.email, user.get_full_name()) == (
        "new.editor@dc.police.uk",
        "new.editor@dc.police.uk",
        "Nia Pascoe",
    )
    assert user.check_password("a long and unusual passphrase")
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role, membership.job_title) == (
        devon,
        Role.EDITOR,
        "Analyst",
    )
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.accepted_at is not None


def test_a_link_works_once(dc_org_admin, devon):
    _invite(dc_org_admin, devon)
    token = token_in_the_last_email()
    _accept(token)

    with pytest.raises(services.InvitationRefused, match="already been used"):
        _accept(token, password="another long passphrase")
    assert get_user_model().objects.filter(email="new.editor@dc.police.uk").count() == 1


def test_an_expired_link_is_refused(dc_org_admin, devon, settings):
    settings.INVITATION_LIFETIME = 2 * 24 * 60 * 60
    invitation = _invite(dc_org_admin, devon)
    lifetime = invitation.expires_at - invitation.created_at
    assert abs(lifetime - datetime.timedelta(days=2)) < datetime.timedelta(seconds=5)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=2, minutes=1)):
        with pytest.raises(services.InvitationRefused, match="expired"):
            _accept(token_in_the_last_email())
        assert selectors.invitation_pending_for("new.editor@dc.police.uk") is None
    assert not get_user_model().objects.filter(email="new.editor@dc.police.uk").exists()


def test_reinviting_the_address_replaces_its_open_invitation(dc_org_admin, devon):
    first = _invite(dc_org_admin, devon)
    old_token = token_in_the_last_email()
    second = _invite(dc_org_admin, devon, role=Role.LEAD)

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert list(selectors.open_invitations_of(devon)) == [second]
    with pytest.raises(services.InvitationRefused, match="withdrawn"):
        _accept(old_token)
    user = _accept(token_in_the_last_email())
    assert Membership.objects.get(user=user).role == Role.LEAD


def test_a_withdrawn_invitation_no_longer_works(dc_org_admin, devon):
    invitation = _invite(dc_org_admin, devon)

    services.invitation_revoke(invitation=invitation, by=dc_org_admin)

    with pytest.raises(services.InvitationRefused, match="withdrawn"):
        _accept(token_in_the_last_email())


def test_a_weak_password_is_refused_and_the_link_still_works(dc_org_admin, devon):
    _invite(dc_org_admin, devon)
    token = token_in_the_last_email()

    with pytest.raises(ValidationError) as refused:
        _accept(token, password="short")
    assert not isinstance(refused.value, services.InvitationRefused)
    assert not get_user_model().objects.filter(email="new.editor@dc.police.uk").exists()
    assert _accept(token).is_active


def test_it_refuses_to_make_a_second_account_for_an_address(dc_org_admin, devon, cambs_editor):
    cambs_editor.email = "charlie@example.org"
    cambs_editor.save()
    _invite(dc_org_admin, devon, email="Charlie@example.org")

    with pytest.raises(services.InvitationRefused, match="already an account"):
        _accept(token_in_the_last_email())


def test_it_refuses_to_invite_someone_who_already_belongs(dc_org_admin, devon, dc_editor):
    dc_editor.email = "alice@example.org"
    dc_editor.save()

    with pytest.raises(ValidationError, match="already belongs"):
        _invite(dc_org_admin, devon, email="alice@example.org")
    assert mail.outbox == []


def test_a_signed_in_person_takes_up_an_invitation_sent_to_their_address(
    dc_org_admin, devon, cambs_editor
):
    cambs_editor.email = "charlie@example.org"
    cambs_editor.save()
    invitation = _invite(dc_org_admin, devon, email="charlie@example.org", role=Role.VIEWER)

    assert selectors.invitation_pending_for("Charlie@Example.org") == invitation
    membership = services.invitation_accept_by_sign_in(invitation=invitation, user=cambs_editor)

    assert (membership.organisation, membership.role) == (devon, Role.VIEWER)
    assert access.role_at(cambs_editor, devon.pk) == Role.VIEWER
    with pytest.raises(services.InvitationRefused, match="already been used"):
        services.invitation_accept_by_sign_in(invitation=invitation, user=cambs_editor)


def test_an_invitation_is_for_its_address_only(dc_org_admin, devon, cambs_editor):
    invitation = _invite(dc_org_admin, devon, email="someone.else@example.org")

    with pytest.raises(services.InvitationRefused, match="another email address"):
        services.invitation_accept_by_sign_in(invitation=invitation, user=cambs_editor)
    assert access.role_at(cambs_editor, devon.pk) is None


def test_it_offers_the_roles_of_the_organisations_kind_and_never_administrator(
    dc_org_admin, devon, organisations, admin_user
):
    assert access.roles_grantable_by(dc_org_admin, devon) == (
        Role.EDITOR,
        Role.LEAD,
        Role.INSPECTION_LIAISON,
        Role.VIEWER,
        Role.ORGANISATION_ADMINISTRATOR,
    )
    pcc = organisations["devon-and-cornwall-pcc"]
    assert access.roles_grantable_by(admin_user, pcc) == (
        Role.PCC_STAFF,
        Role.VIEWER,
        Role.ORGANISATION_ADMINISTRATOR,
    )
    for organisation in organisations.values():
        assert Role.ADMINISTRATOR not in access.roles_grantable_by(admin_user, organisation)
    with pytest.raises(PermissionDenied):
        _invite(dc_org_admin, devon, role=Role.ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        _invite(dc_org_admin, devon, role=Role.PCC_STAFF)  # not a force's role
    assert mail.outbox == []


def test_it_refuses_to_change_someone_whose_role_is_above_the_administrators(
    django_user_model, organisations
):
    hmicfrs = organisations["hmicfrs"]
    org_admin = django_user_model.objects.create_user("ivy", password="pw")
    services.membership_grant(
        user=org_admin, organisation=hmicfrs, role=Role.ORGANISATION_ADMINISTRATOR, by=SYSTEM
    )
    national = django_user_model.objects.create_user("nat", password="pw")
    membership = services.membership_grant(
        user=national, organisation=hmicfrs, role=Role.ADMINISTRATOR, by=SYSTEM
    )

    assert not access.can_change_person(org_admin, membership)
    with pytest.raises(PermissionDenied, match="above your own"):
        services.membership_role_change(membership=membership, role=Role.VIEWER, by=org_admin)
    with pytest.raises(PermissionDenied, match="above your own"):
        services.person_deactivate(membership=membership, by=org_admin)
    national.refresh_from_db()
    assert national.is_active and Membership.objects.get(pk=membership.pk).role == "administrator"


def test_administrators_cannot_change_themselves(dc_org_admin, devon):
    own = Membership.objects.get(user=dc_org_admin)

    with pytest.raises(PermissionDenied, match="your own role"):
        services.membership_role_change(membership=own, role=Role.EDITOR, by=dc_org_admin)
    with pytest.raises(PermissionDenied, match="your own role"):
        services.person_deactivate(membership=own, by=dc_org_admin)


@pytest.fixture
def alices_membership(dc_editor):
    return Membership.objects.get(user=dc_editor)


OUTSIDER_CALLS = {
    "invitation_send": lambda m, by: _invite(by, m.organisation),
    "invitation_revoke": lambda m, by: services.invitation_revoke(
        invitation=Invitation.objects.get(), by=by
    ),
    "membership_role_change": lambda m, by: services.membership_role_change(
        membership=m, role=Role.LEAD, by=by
    ),
    "person_deactivate": lambda m, by: services.person_deactivate(membership=m, by=by),
    "person_reactivate": lambda m, by: services.person_reactivate(membership=m, by=by),
}


@pytest.mark.parametrize("who", ["cambs_org_admin", "dc_lead"])
@pytest.mark.parametrize("call", OUTSIDER_CALLS)
def test_only_the_organisations_administrators_manage_its_people(
    request, who, call, dc_org_admin, alices_membership
):
    _invite(dc_org_admin, alices_membership.organisation, email="pending@example.org")
    alices_membership.user.is_active = False
    alices_membership.user.save()
    outsider = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        OUTSIDER_CALLS[call](alices_membership, outsider)

    assert Membership.objects.get(pk=alices_membership.pk).role == Role.EDITOR
    assert not get_user_model().objects.get(pk=alices_membership.user_id).is_active
    assert Invitation.objects.get().revoked_at is None
    assert len(mail.outbox) == 1


def test_a_superuser_manages_any_organisations_people(admin_user, alices_membership):
    services.membership_role_change(membership=alices_membership, role=Role.LEAD, by=admin_user)

    assert Membership.objects.get(pk=alices_membership.pk).role == Role.LEAD


def _owned_item(owner, lead, *, finding_audience="all_forces"):
    item = TrackedItem.objects.get(
        organisation__slug="devon-and-cornwall", finding__audience=finding_audience
    )
    item_services.tracked_item_assign(item=item, owner=owner, by=lead)
    return item


def _needs_owner(item) -> bool:
    return TrackedItem.objects.with_needs_owner().get(pk=item.pk).needs_owner


def test_deactivating_keeps_their_items_and_flags_them_as_needing_an_owner(
    dc_org_admin, dc_editor, dc_lead, alices_membership
):
    item = _owned_item(dc_editor, dc_lead)
    assert not _needs_owner(item)

    departure = services.person_deactivate(membership=alices_membership, by=dc_org_admin)

    assert departure == services.Departure.DEACTIVATED
    dc_editor.refresh_from_db()
    assert not dc_editor.is_active
    assert Membership.objects.filter(pk=alices_membership.pk).exists()  # listed, reactivable
    item.refresh_from_db()
    assert item.owner == dc_editor and _needs_owner(item)
    assert (
        selectors.person_of(alices_membership.organisation, alices_membership.pk).open_items_owned
        == 1
    )

    services.person_reactivate(membership=alices_membership, by=dc_org_admin)

    dc_editor.refresh_from_db()
    assert dc_editor.is_active and not _needs_owner(item)


def test_someone_who_belongs_elsewhere_loses_this_membership_only(
    dc_org_admin, dc_editor, dc_lead, alices_membership, organisations
):
    services.membership_grant(
        user=dc_editor, organisation=organisations["swrocu"], role=Role.VIEWER, by=SYSTEM
    )
    item = _owned_item(dc_editor, dc_lead)

    departure = services.person_deactivate(membership=alices_membership, by=dc_org_admin)

    assert departure == services.Departure.REMOVED
    dc_editor.refresh_from_db()
    assert dc_editor.is_active
    assert list(dc_editor.memberships.values_list("organisation__slug", flat=True)) == ["swrocu"]
    item.refresh_from_db()
    assert item.owner == dc_editor and _needs_owner(item)


def test_a_closed_item_never_needs_an_owner(dc_org_admin, dc_editor, dc_lead, alices_membership):
    item = _owned_item(dc_editor, dc_lead)
    TrackedItem.objects.filter(pk=item.pk).update(status=TrackedItem.Status.COMPLETE)

    services.person_deactivate(membership=alices_membership, by=dc_org_admin)

    assert not _needs_owner(item)


def test_every_change_is_in_the_organisations_trail_with_who_did_it(dc_org_admin, devon):
    invitation = _invite(dc_org_admin, devon)
    user = _accept(token_in_the_last_email())
    membership = Membership.objects.get(user=user)
    services.membership_role_change(membership=membership, role=Role.LEAD, by=dc_org_admin)
    services.person_deactivate(membership=membership, by=dc_org_admin)
    services.person_reactivate(membership=membership, by=dc_org_admin)

    trail = [
        (entry.actor, selectors.audit_entry_summary(entry))
        for entry in reversed(selectors.audit_trail_of(devon))
    ]
    assert trail == [
        (dc_org_admin, "Invited new.editor@dc.police.uk as Editor"),
        (None, "Made the account of Nia Pascoe"),
        (user, "Nia Pascoe joined as Editor"),
        (user, "Nia Pascoe accepted the invitation"),
        (dc_org_admin, "Changed the role of Nia Pascoe from Editor to Lead (approver)"),
        (dc_org_admin, "Deactivated Nia Pascoe"),
        (dc_org_admin, "Reactivated Nia Pascoe"),
    ]
    assert all(entry.timestamp for entry in selectors.audit_trail_of(devon))
    invitation_entries = LogEntry.objects.get_for_object(invitation)
    assert all("token_hash" not in entry.changes_dict for entry in invitation_entries)


def test_another_organisations_trail_is_not_shown(dc_org_admin, cambs_org_admin, devon):
    _invite(cambs_org_admin, cambs_org_admin.memberships.get().organisation)

    assert list(selectors.audit_trail_of(devon)) == []


@pytest.mark.django_db(transaction=True)
def test_two_people_using_the_same_link_at_once_make_one_account(django_user_model, organisations):
    devon = organisations["devon-and-cornwall"]
    org_admin = django_user_model.objects.create_user("olive", password="pw")
    services.membership_grant(
        user=org_admin, organisation=devon, role=Role.ORGANISATION_ADMINISTRATOR, by=SYSTEM
    )
    _invite(org_admin, devon)
    token = token_in_the_last_email()
    start = threading.Barrier(2)
    outcomes = []

    def accept():
        try:
            start.wait()
            _accept(token)
            outcomes.append("account")
        except services.InvitationRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["account", "refused"]
    assert django_user_model.objects.filter(email="new.editor@dc.police.uk").count() == 1
    assert Membership.objects.filter(organisation=devon, role=Role.EDITOR).count() == 1


def test_deactivating_twice_says_so(dc_org_admin, alices_membership):
    services.person_deactivate(membership=alices_membership, by=dc_org_admin)

    with pytest.raises(ValidationError, match="already deactivated"):
        services.person_deactivate(membership=alices_membership, by=dc_org_admin)
    with pytest.raises(ValidationError, match="already active"):
        services.person_reactivate(
            membership=services.person_reactivate(membership=alices_membership, by=dc_org_admin),
            by=dc_org_admin,
        )
