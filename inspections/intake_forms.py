"""The forms of the paste and import pages: they validate and convert; paste.py reads the
text, spreadsheet_import.py checks and writes."""

from pathlib import Path

from django import forms

from organisations.models import Organisation
from recommendations import evidence as upload_checks
from recommendations.models import Finding
from rocu_tracker import deadlines
from rocu_tracker.forms import DateField

from .paste import GUESS, ParsedFinding


class PasteForm(forms.Form):
    text = forms.CharField(
        label="The report's text",
        help_text="Paste the report's summary of recommendations, or any list of its findings. "
        "Nothing is saved until you have checked what was read and confirmed it.",
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=200_000,
    )


class PastedFindingForm(forms.Form):
    """One finding read from the text, every value editable; `notes` carries what the parser
    guessed, so the page can say so again after a correction."""

    include = forms.BooleanField(label="Save this finding", required=False, initial=True)
    kind = forms.ChoiceField(label="Kind of finding", choices=Finding.Kind.choices)
    reference = forms.CharField(
        label="Reference", max_length=20, required=False, help_text="The report's own number."
    )
    text = forms.CharField(
        label="Text, as the report words it", widget=forms.Textarea(attrs={"rows": 4})
    )
    deadline_precision = forms.ChoiceField(
        label="Kind of deadline", choices=Finding.DEADLINE_PRECISION_CHOICES
    )
    deadline = DateField(
        label="Deadline",
        required=False,
        help_text="For a month, any day of it: the month's last day is kept.",
    )
    addressees_as_written = forms.CharField(
        label="Addressees, as the report words them", max_length=1000, required=False
    )
    audience = forms.ChoiceField(label="Who must answer it", choices=Finding.Audience.choices)
    addressees = forms.ModelMultipleChoiceField(
        label="Named organisations",
        queryset=Organisation.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        help_text="For 'Named bodies'. Hold Ctrl (or Cmd) to choose more than one.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    notes = forms.CharField(widget=forms.HiddenInput, required=False)

    @classmethod
    def initial_from(cls, parsed: ParsedFinding) -> dict:
        notes = [GUESS + "."] + parsed.warnings
        return {
            "include": True,
            "kind": parsed.kind,
            "reference": parsed.reference,
            "text": parsed.text,
            "deadline_precision": parsed.deadline_precision,
            "deadline": parsed.deadline,
            "addressees_as_written": parsed.addressees_as_written,
            "audience": parsed.audience,
            "addressees": parsed.addressee_slugs,
            "notes": "\n".join(notes),
        }

    @property
    def note_lines(self) -> list[str]:
        value = self["notes"].value() or ""
        return [line for line in value.split("\n") if line]

    def clean(self):
        data = super().clean()
        if not data.get("include"):
            return data
        precision, deadline = data.get("deadline_precision"), data.get("deadline")
        if precision == deadlines.Precision.NONE:
            data["deadline"] = None
        elif deadline is None and "deadline" not in self.errors:
            self.add_error("deadline", "Enter the deadline, or choose 'No deadline'.")
        elif precision == deadlines.Precision.MONTH and deadline:
            data["deadline"] = deadlines.month_end(deadline.year, deadline.month)
        if data.get("audience") == Finding.Audience.NAMED and not data.get("addressees"):
            self.add_error("addressees", "Choose the organisations it is addressed to.")
        return data


class BasePastedFindingFormSet(forms.BaseFormSet):
    def included(self) -> list[dict]:
        return [form.cleaned_data for form in self.forms if form.cleaned_data.get("include")]

    def clean(self):
        if any(self.errors):
            return
        if not self.included():
            raise forms.ValidationError("Choose at least one finding to save.")


PastedFindingFormSet = forms.formset_factory(
    PastedFindingForm, formset=BasePastedFindingFormSet, extra=0, max_num=500, validate_max=True
)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet of findings",
        help_text="CSV (saved as CSV UTF-8) or Excel workbook (.xlsx), with the template's "
        "columns. Nothing is imported until the whole file is clean and you confirm.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if problem := upload_checks.size_problem(upload):
            raise forms.ValidationError(problem)
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(
                f"“{upload.name}” is not a CSV or XLSX file. Save the spreadsheet as CSV UTF-8 "
                "or as an Excel workbook (.xlsx)."
            )
        return upload


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
