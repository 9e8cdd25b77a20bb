"""Every write to Section 55 responses."""

import datetime

from django.core.exceptions import ValidationError

from inspections.models import Inspection
from organisations.models import Organisation
from recommendations.models import Finding

from .models import Section55Position, Section55Response

Stage = Section55Response.Stage


def section55_response_open(*, inspection: Inspection, body: Organisation) -> Section55Response:
    if body.kind != Organisation.Kind.LOCAL_POLICING_BODY:
        raise ValidationError("Only a local policing body answers under Section 55.")
    response, _ = Section55Response.objects.get_or_create(inspection=inspection, body=body)
    return response


def section55_chief_officer_invite(
    *, response: Section55Response, invited_on: datetime.date, comments_due_on: datetime.date
) -> Section55Response:
    if comments_due_on < invited_on:
        raise ValidationError("The chief officer's comments cannot be due before the invitation.")
    response.chief_officer_invited_on = invited_on
    response.chief_officer_comments_due_on = comments_due_on
    response.stage = Stage.CHIEF_OFFICER_INVITED
    response.save()
    return response


def section55_chief_officer_comments_record(
    *, response: Section55Response, comments: str, received_on: datetime.date | None
) -> Section55Response:
    response.chief_officer_comments = comments
    response.chief_officer_comments_received_on = received_on
    response.stage = Stage.CHIEF_OFFICER_COMMENTED
    response.save()
    return response


def section55_office_comments_record(
    *, response: Section55Response, comments: str
) -> Section55Response:
    response.office_comments = comments
    response.stage = Stage.DRAFTING
    response.save()
    return response


def section55_position_set(
    *,
    response: Section55Response,
    finding: Finding,
    position: str = "",
    chief_officer_agreement: str = Section55Position.Agreement.NOT_STATED,
    explanation: str = "",
) -> Section55Position:
    if finding.inspection_id != response.inspection_id:
        raise ValidationError("That finding belongs to another inspection.")
    record, _ = Section55Position.objects.update_or_create(
        response=response,
        finding=finding,
        defaults={
            "position": position,
            "chief_officer_agreement": chief_officer_agreement,
            "explanation": explanation,
        },
    )
    return record
