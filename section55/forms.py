"""Forms validate and convert; the services decide. Each draft form carries the response's
version the user saw (VersionedForm), so a save over someone else's is refused, not lost."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from rocu_tracker.forms import DateField, VersionedForm

from .models import Agreement, Position

# Ids of the forms that share the response page and a field name ("version"), so that each
# element's id is unique on the page.
INVITE_ID = "id_invite_%s"
OFFICE_COMMENTS_ID = "id_office_%s"


def _today():
    return timezone.localdate()


class InviteForm(VersionedForm):
    invited_on = DateField(label="Invited on", initial=_today)
    comments_due_on = DateField(label="Comments due by")

    def clean(self):
        cleaned = super().clean()
        invited_on, due_on = cleaned.get("invited_on"), cleaned.get("comments_due_on")
        if invited_on and due_on and due_on < invited_on:
            raise ValidationError("The comments cannot be due before the invitation.")
        return cleaned


class ChiefOfficerCommentsForm(VersionedForm):
    """The chief officer's comments, with an agreement and a note per recommendation."""

    comments = forms.CharField(
        label="The chief officer's comments", widget=forms.Textarea(attrs={"rows": 8})
    )
    received_on = DateField(
        label="Received on", required=False, help_text="Leave blank if unknown."
    )

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            key = row.finding.id
            position = row.position
            self.fields[f"agreement_{key}"] = forms.ChoiceField(
                label=f"{row.label}: does the chief officer agree?",
                choices=Agreement.choices,
                initial=position.chief_officer_agreement if position else Agreement.NOT_STATED,
            )
            self.fields[f"note_{key}"] = forms.CharField(
                label=f"{row.label}: the chief officer's note",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=position.chief_officer_note if position else "",
            )

    def recommendation_fields(self):
        """(row, agreement field, note field) for the template."""
        return [
            (row, self[f"agreement_{row.finding.id}"], self[f"note_{row.finding.id}"])
            for row in self.rows
        ]

    def views(self):
        from .services import ChiefOfficerView

        return [
            ChiefOfficerView(
                finding=row.finding,
                agreement=self.cleaned_data[f"agreement_{row.finding.id}"],
                note=self.cleaned_data[f"note_{row.finding.id}"],
            )
            for row in self.rows
        ]


class OfficeCommentsForm(VersionedForm):
    comments = forms.CharField(
        label="The office's comments", widget=forms.Textarea(attrs={"rows": 8})
    )


class PositionForm(VersionedForm):
    position = forms.ChoiceField(
        label="Position", choices=Position.choices, widget=forms.RadioSelect
    )
    explanation = forms.CharField(
        label="Explanation",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The action taken or proposed, or why no action is taken.",
    )
    agreement = forms.ChoiceField(
        label="Does the office agree with the recommendation?",
        choices=Agreement.choices,
        initial=Agreement.NOT_STATED,
    )

    @classmethod
    def for_row(cls, row, *, version: int | None, data=None):
        """Bound to `data`, or showing the saved position, else what the force's records
        suggest; carrying the response's `version`."""
        prefix = f"rec-{row.finding.id}"
        if data is not None:
            return cls(data, prefix=prefix)
        if row.position and row.position.position:
            initial = {
                "position": row.position.position,
                "explanation": row.position.explanation,
                "agreement": row.position.agreement,
            }
        elif row.prefill:
            initial = {"position": row.prefill.position, "explanation": row.prefill.explanation}
        else:
            initial = {}
        return cls(prefix=prefix, initial={**initial, "version": version})


class PublishForm(forms.Form):
    """The publication date, and where the pre-publication check warns (fewer recommendations
    recorded than the report makes, or a text not recorded) the office's acknowledgement,
    which the page shows only then and the service requires only then."""

    published_on = DateField(label="Published on", initial=_today)
    acknowledged = forms.BooleanField(
        label="I have read the warnings above and publish the response as it is; it will say "
        "plainly what it does not cover.",
        required=False,
    )


class CopiesForm(forms.Form):
    home_secretary_on = DateField(label="Copy sent to the Home Secretary on", required=False)
    inspectorate_on = DateField(label="Copy sent to the inspectorate on", required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("home_secretary_on") and not cleaned.get("inspectorate_on"):
            raise ValidationError("Give at least one date.")
        return cleaned


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label="What does the correction change, and why?",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BoardPaperForm(forms.Form):
    """To and From lines of a board paper (GET parameters)."""

    to = forms.CharField(label="To", required=False, max_length=200)
    sender = forms.CharField(label="From", required=False, max_length=200)
