"""Single sign-on's roles from the directory: an organisation administrator sets which
claim value gives which role (ClaimRoleMapping) on the People page, and the trail says so."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.single_sign_on import user_for_sign_in
from organisations import selectors, services
from organisations.models import ClaimRoleMapping, Membership, SignInDomain

pytestmark = pytest.mark.django_db
Role = Membership.Role
GROUP = "3f2c-tracker-editors"


@pytest.fixture(autouse=True)
def audit_trail_off():
    """The trail stays on here: the People page shows it."""
    yield


def _add(by, organisation, *, claim=" groups ", value=f" {GROUP} ", role=Role.EDITOR):
    return services.claim_role_mapping_add(
        organisation=organisation, claim=claim, value=value, role=role, by=by
    )


def _trail(organisation) -> list[tuple[str, str]]:
    return [
        (entry.actor.username if entry.actor else "", selectors.audit_entry_summary(entry))
        for entry in selectors.audit_trail_of(organisation)
    ]


def test_the_administrator_adds_and_removes_a_mapping_and_the_trail_names_them(dc_org_admin, devon):
    mapping = _add(dc_org_admin, devon)

    assert (mapping.claim, mapping.value, mapping.role) == ("groups", GROUP, Role.EDITOR)
    assert mapping.created_by == dc_org_admin

    services.claim_role_mapping_remove(mapping=mapping, by=dc_org_admin)

    assert not ClaimRoleMapping.objects.filter(organisation=devon).exists()
    assert _trail(devon)[:2] == [
        ("olive", f"Removed the sign-in role for groups “{GROUP}”"),
        ("olive", f"Added the sign-in role Editor for groups “{GROUP}”"),
    ]


def test_the_claim_defaults_to_groups(dc_org_admin, devon):
    assert _add(dc_org_admin, devon, claim="").claim == "groups"


def test_a_role_above_the_administrators_own_is_refused(dc_org_admin, devon):
    with pytest.raises(PermissionDenied):
        _add(dc_org_admin, devon, role=Role.ADMINISTRATOR)
    assert not ClaimRoleMapping.objects.exists()


def test_an_outsider_can_neither_add_nor_remove(cambs_org_admin, dc_org_admin, devon):
    with pytest.raises(PermissionDenied):
        _add(cambs_org_admin, devon)
    mapping = _add(dc_org_admin, devon)
    with pytest.raises(PermissionDenied):
        services.claim_role_mapping_remove(mapping=mapping, by=cambs_org_admin)
    assert ClaimRoleMapping.objects.filter(pk=mapping.pk).exists()


def test_a_duplicate_is_a_clear_error(dc_org_admin, devon):
    _add(dc_org_admin, devon)

    with pytest.raises(ValidationError, match=f"already gives a role for groups “{GROUP}”"):
        _add(dc_org_admin, devon, claim="groups", value=GROUP, role=Role.LEAD)


def _people_url(organisation):
    return reverse("organisations:people", args=[organisation.slug])


def test_the_people_page_lists_the_mappings_with_a_named_remove_button(client, dc_org_admin, devon):
    mapping = _add(dc_org_admin, devon)
    client.force_login(dc_org_admin)

    html = client.get(_people_url(devon)).content.decode()

    assert "Single sign-on: roles from your directory" in html
    assert GROUP in html and "Olive" in html
    remove = reverse("organisations:claim_mapping_remove", args=[devon.slug, mapping.pk])
    assert f'action="{remove}"' in html
    assert f"the role for groups “{GROUP}”" in html  # the button's name for screen readers


def test_adding_on_the_page_and_removing(client, dc_org_admin, devon):
    client.force_login(dc_org_admin)
    add = reverse("organisations:claim_mapping_add", args=[devon.slug])

    response = client.post(
        add, {"mapping-claim": "roles", "mapping-value": "Tracker.Lead", "mapping-role": "lead"}
    )

    assert response.status_code == 302
    mapping = ClaimRoleMapping.objects.get(organisation=devon)
    assert (mapping.claim, mapping.value, mapping.role) == ("roles", "Tracker.Lead", Role.LEAD)
    remove = reverse("organisations:claim_mapping_remove", args=[devon.slug, mapping.pk])
    assert client.post(remove).status_code == 302
    assert not ClaimRoleMapping.objects.exists()
    html = client.get(_people_url(devon)).content.decode()
    assert "Added the sign-in role Lead (approver) for roles “Tracker.Lead”" in html
    assert "Removed the sign-in role for roles “Tracker.Lead”" in html


def test_a_refused_add_keeps_what_was_typed(client, dc_org_admin, devon):
    _add(dc_org_admin, devon)
    client.force_login(dc_org_admin)
    add = reverse("organisations:claim_mapping_add", args=[devon.slug])

    response = client.post(
        add, {"mapping-claim": "groups", "mapping-value": GROUP, "mapping-role": "editor"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "already gives a role for groups" in html
    assert f'value="{GROUP}"' in html
    missing = client.post(add, {"mapping-claim": "my-claim", "mapping-role": "editor"})
    assert missing.status_code == 400
    assert 'value="my-claim"' in missing.content.decode()


def test_an_outsider_gets_a_404(client, cambs_org_admin, dc_org_admin, devon):
    mapping = _add(dc_org_admin, devon)
    client.force_login(cambs_org_admin)
    add = reverse("organisations:claim_mapping_add", args=[devon.slug])
    remove = reverse("organisations:claim_mapping_remove", args=[devon.slug, mapping.pk])

    data = {"mapping-claim": "groups", "mapping-value": "x", "mapping-role": "editor"}
    assert client.post(add, data).status_code == 404
    assert client.post(remove).status_code == 404
    assert ClaimRoleMapping.objects.count() == 1


def test_a_first_sign_in_through_a_mapping_is_in_the_trail(dc_org_admin, devon):
    SignInDomain.objects.create(organisation=devon, domain="dc.police.example")
    _add(dc_org_admin, devon)

    user = user_for_sign_in(
        claims={"email": "new.person@dc.police.example", "given_name": "Nia", "groups": [GROUP]}
    )

    assert Membership.objects.get(user=user, organisation=devon).role == Role.EDITOR
    assert _trail(devon)[0] == (
        user.username,
        f"Nia joined as Editor through single sign-on (groups “{GROUP}”)",
    )
