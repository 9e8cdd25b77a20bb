"""Forms validate and convert; the services decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import Agreement, Position


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _today():
    return timezone.localdate()


class InviteForm(forms.Form):
    invited_on = forms.DateField(label="Invited on", widget=DateInput(), initial=_today)
    comments_due_on = forms.DateField(label="Comments due by", widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        invited_on, due_on = cleaned.get("invited_on"), cleaned.get("comments_due_on")
        if invited_on and due_on and due_on < invited_on:
            raise ValidationError("The comments cannot be due before the invitation.")
        return cleaned


class ChiefOfficerCommentsForm(forms.Form):
    """The chief officer's comments, with an agreement and a note per recommendation."""

    comments = forms.CharField(
        label="The chief officer's comments", widget=forms.Textarea(attrs={"rows": 8})
    )
    received_on = forms.DateField(
        label="Received on", required=False, widget=DateInput(), help_text="Leave blank if unknown."
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


class OfficeCommentsForm(forms.Form):
    comments = forms.CharField(
        label="The office's comments", widget=forms.Textarea(attrs={"rows": 8})
    )


class PositionForm(forms.Form):
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
    def for_row(cls, row, data=None):
        """Bound to `data`, or showing the saved position, else what the force's records
        suggest."""
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
        return cls(prefix=prefix, initial=initial)


class PublishForm(forms.Form):
    published_on = forms.DateField(label="Published on", widget=DateInput(), initial=_today)


class CopiesForm(forms.Form):
    home_secretary_on = forms.DateField(
        label="Copy sent to the Home Secretary on", required=False, widget=DateInput()
    )
    inspectorate_on = forms.DateField(
        label="Copy sent to the inspectorate on", required=False, widget=DateInput()
    )

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
