"""Who may read a Section 55 response's draft.

The draft (the office's comments, its positions and their explanations, the chief officer's
comments and views before publication, the board paper while the response is open) belongs to
the office: the staff of the responding body (Membership.Role.PCC_STAFF there) read and
write it, and superusers read everything. The force's editors and leads enter the chief
officer's comments on their own page (selectors.can_enter_chief_officer_comments), which
shows them the recommendations and the chief officer's views, never the office's text.
Everybody else who may see the response (the region's board members, administrators who are
not superusers, the office's other members) sees its stage, its clock, the dates of each step
and its published versions."""

from django.core.exceptions import PermissionDenied

from organisations.models import Membership

from .models import Section55Response


def can_read_draft(user, response: Section55Response) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.memberships.filter(
        organisation_id=response.body_id, role=Membership.Role.PCC_STAFF
    ).exists()


def can_read_document(user, response: Section55Response | None) -> bool:
    """The board paper reads the draft: anyone who may read the draft opens it, and so does
    any reader once the response is published and not being corrected (the draft is then
    the published version word for word). A response not started has no draft text yet."""
    return response is None or response.is_frozen or can_read_draft(user, response)


def require_read_draft(user, response: Section55Response) -> None:
    if not can_read_draft(user, response):
        raise PermissionDenied(
            f"The draft of this response belongs to {response.body.name}: only its staff read "
            "it until it is published. You can see its stage, its statutory clock and its "
            "published versions on the response page."
        )


def require_read_document(user, response: Section55Response | None) -> None:
    if not can_read_document(user, response):
        require_read_draft(user, response)
