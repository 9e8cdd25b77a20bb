"""Forms validate and convert; the services decide."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from rocu_tracker.forms import DateField, VersionedForm
from rocu_tracker.people import display_name

from . import access
from . import evidence as evidence_checks
from .models import Finding, TrackedItem

# What evidence may be: documents, spreadsheets, presentations, images and plain text, each
# checked by its content (recommendations/evidence.py).
EVIDENCE_TYPES = {suffix: kind.content_type for suffix, kind in evidence_checks.TYPES.items()}


class OwnIdsForm(forms.Form):
    """The item page holds several forms at once: each prefixes its fields' ids with its own
    name, so no id is used twice and every label points at its own field."""

    id_prefix = "id"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [self._check(super(EvidenceField, self).clean(upload, initial)) for upload in files]

    def _check(self, upload):
        suffix = Path(upload.name).suffix.lower()
        if suffix not in EVIDENCE_TYPES:
            allowed = ", ".join(sorted(ext.lstrip(".") for ext in EVIDENCE_TYPES))
            raise forms.ValidationError(
                f"“{upload.name}” is not a file type we accept. Use one of: {allowed}."
            )
        if problem := evidence_checks.size_problem(upload):
            raise forms.ValidationError(problem)
        # Neither the name nor the browser's claim about the type is trusted: the content
        # must be what the name says, and the allow-list gives the type it is served as.
        if not evidence_checks.content_matches(upload, suffix):
            raise forms.ValidationError(
                f"“{upload.name}” is named as {evidence_checks.TYPES[suffix].label} ({suffix}) but "
                "its content is not one, so it was not stored. Save it again in that format, "
                "or attach it with the ending of what it really is."
            )
        upload.content_type = EVIDENCE_TYPES[suffix]
        return upload


class ProgressUpdateForm(VersionedForm):
    status = forms.ChoiceField(help_text="Leave as it is to add an update without a change.")
    narrative = forms.CharField(
        label="Update",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What has been done, what is next, and anything holding it up.",
    )
    percent_complete = forms.IntegerField(
        label="Per cent complete", required=False, min_value=0, max_value=100
    )
    evidence = EvidenceField(
        label="Evidence files",
        required=False,
        help_text="Documents, spreadsheets, images or text, up to "
        f"{filesizeformat(settings.EVIDENCE_MAX_BYTES)} each.",
    )
    occurred_on = DateField(
        label="Happened on",
        required=False,
        initial=timezone.localdate,
        help_text="The day it happened, if not today: never in the future, nor before the "
        "report was published.",
    )

    def __init__(self, *args, item: TrackedItem, next_statuses: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        current = (item.status, f"{item.get_status_display()} (no change)")
        self.fields["status"].choices = [current] + [
            (status, TrackedItem.Status(status).label) for status in next_statuses
        ]
        self.fields["status"].initial = item.status


class SignOffForm(OwnIdsForm, VersionedForm):
    id_prefix = "sign_off"
    narrative = forms.CharField(
        label="Comment", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(OwnIdsForm, VersionedForm):
    id_prefix = "return"
    reason = forms.CharField(label="Why it is returned", widget=forms.Textarea(attrs={"rows": 2}))


class AssignOwnerForm(OwnIdsForm, VersionedForm):
    id_prefix = "owner"
    owner = forms.ModelChoiceField(queryset=None, required=False, empty_label="Nobody")

    def __init__(self, *args, item: TrackedItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = access.people_who_may_own(item).order_by(
            "first_name", "last_name", "username"
        )
        self.fields["owner"].label_from_instance = display_name
        self.fields["owner"].initial = item.owner_id


class TargetDateRevisionForm(OwnIdsForm):
    id_prefix = "revision"
    proposed_date = DateField(
        label="New target date",
        help_text="The inspectorate's deadline does not change; this is your own target.",
    )
    reason = forms.CharField(
        label="Reason for the revision", widget=forms.Textarea(attrs={"rows": 2})
    )


class RevisionDecisionForm(OwnIdsForm):
    id_prefix = "decision"
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject")], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note",
        required=False,
        help_text="Needed when you reject.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RemindersPauseForm(OwnIdsForm):
    id_prefix = "pause"
    until = DateField(
        label="Pause until",
        help_text="The last day without reminders (today at the earliest, a year ahead at most).",
    )
    reason = forms.CharField(
        label="Why reminders are paused",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RemindersResumeForm(OwnIdsForm):
    id_prefix = "resume"
    reason = forms.CharField(
        label="Note", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


def _happened_on() -> DateField:
    return DateField(
        label="Happened on",
        required=False,
        initial=timezone.localdate,
        help_text="The day of the inspectorate's decision, if not today.",
    )


class InspectorateConfirmForm(OwnIdsForm, VersionedForm):
    id_prefix = "inspectorate_confirm"
    narrative = forms.CharField(
        label="Comment", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    occurred_on = _happened_on()


class InspectorateReturnForm(OwnIdsForm, VersionedForm):
    id_prefix = "inspectorate_return"
    reason = forms.CharField(
        label="Why the inspectorate returns it", widget=forms.Textarea(attrs={"rows": 2})
    )
    occurred_on = _happened_on()


class FindingLinkForm(OwnIdsForm):
    """That a finding repeats or supersedes one of an earlier report."""

    id_prefix = "finding_link"
    REPEATS, SUPERSEDES = "repeats", "supersedes"
    link = forms.ChoiceField(
        label="This finding",
        choices=[
            (REPEATS, "Repeats it (raised before; the earlier one's items stay as they are)"),
            (SUPERSEDES, "Supersedes it (the earlier one's open items close as superseded)"),
        ],
        widget=forms.RadioSelect,
    )
    earlier = forms.ModelChoiceField(label="Earlier finding", queryset=None)

    def __init__(self, *args, finding: Finding, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["earlier"].queryset = (
            Finding.objects.filter(
                inspection__published_on__lt=finding.inspection.published_on,
                kind__in=Finding.TRACKED_KINDS,
            )
            .select_related("inspection__inspectorate")
            .order_by("-inspection__published_on", "inspection_id", "position", "id")
        )
        self.fields["earlier"].label_from_instance = _earlier_label


def _earlier_label(finding: Finding) -> str:
    inspection = finding.inspection
    return f"{inspection.published_on:%Y} {inspection.inspectorate.short_name}: {finding}"[:160]
