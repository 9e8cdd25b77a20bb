"""The intake pages' forms: they validate and convert; inspections.services decides."""

from django import forms

from organisations.models import Organisation
from recommendations.models import Capability, Finding
from rocu_tracker.forms import DateField

from .models import Inspection


class InspectionForm(forms.Form):
    inspectorate = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(kind=Organisation.Kind.INSPECTORATE)
    )
    type = forms.ChoiceField(choices=Inspection.Type.choices)
    scope = forms.ChoiceField(choices=Inspection.Scope.choices)
    title = forms.CharField(max_length=300)
    published_on = DateField(label="Publication date")
    url = forms.URLField(label="Link to the report", max_length=500, required=False)
    fieldwork = forms.CharField(
        label="Fieldwork dates",
        max_length=120,
        required=False,
        help_text="As the report states them, e.g. “April to June 2015”.",
    )
    subjects = forms.ModelMultipleChoiceField(
        label="Organisations the report is about",
        queryset=Organisation.objects.exclude(kind=Organisation.Kind.INSPECTORATE),
        required=False,
        help_text="Leave empty for a national or thematic report. A force's liaison names "
        "their force.",
    )
    section55_applies = forms.BooleanField(
        label="Section 55 applies (the forces' local policing bodies must respond)",
        required=False,
        initial=True,
    )
    stated_counts_source = forms.CharField(
        label="Where the report states its counts",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A page or paragraph of the report, so the counts can be checked.",
    )

    @classmethod
    def initial_for(cls, inspection: Inspection) -> dict:
        return {
            **{name: getattr(inspection, name) for name in cls.base_fields if name != "subjects"},
            "subjects": list(inspection.subjects.all()),
        }


class StatedCountForm(forms.Form):
    """One kind of finding and how many of it the report states."""

    kind = forms.ChoiceField(choices=[("", "---------"), *Finding.Kind.choices], required=False)
    count = forms.IntegerField(min_value=0, max_value=999, required=False)

    def __init__(self, *args, row: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].label = f"Kind of finding (row {row})"
        self.fields["count"].label = f"Number the report states (row {row})"

    def clean(self):
        data = super().clean()
        if bool(data.get("kind")) != (data.get("count") is not None):
            raise forms.ValidationError("Give both the kind and the number, or neither.")
        return data


class BaseStatedCountFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "row": (index or 0) + 1}

    def clean(self):
        kinds = [form.cleaned_data.get("kind") for form in self.forms if form.cleaned_data]
        kinds = [kind for kind in kinds if kind]
        if len(kinds) != len(set(kinds)):
            raise forms.ValidationError("Give each kind of finding once.")

    def counts(self) -> dict[str, int | None]:
        """{kind: count} of the rows given; kinds left out are no longer stated."""
        stated = {
            form.cleaned_data["kind"]: form.cleaned_data["count"]
            for form in self.forms
            if form.cleaned_data.get("kind")
        }
        return {kind: stated.get(kind) for kind in Finding.Kind.values}


StatedCountFormSet = forms.formset_factory(
    StatedCountForm, formset=BaseStatedCountFormSet, extra=2, max_num=len(Finding.Kind.choices)
)


def stated_count_initial(inspection) -> list[dict]:
    return [
        {"kind": kind, "count": count} for kind, count in inspection.stated_counts_by_kind().items()
    ]


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of finding", choices=Finding.Kind.choices)
    reference = forms.CharField(
        label="Reference",
        max_length=20,
        required=False,
        help_text="As the report numbers it, e.g. “1” or “AFI 3”.",
    )
    text = forms.CharField(
        label="The report's words",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Exactly as the report has them.",
    )
    summary = forms.CharField(
        label="Summary, while the report's words are not known",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown marked as a summary, never as the report's words.",
    )
    addressees_as_written = forms.CharField(
        label="Addressed to, as the report writes it",
        required=False,
        help_text="e.g. “every police force in England and Wales”.",
    )
    audience = forms.ChoiceField(
        label="Who must answer it",
        choices=[choice for choice in Finding.Audience.choices if choice[0] != "not_recorded"]
        + [("not_recorded", "Not yet recorded (not tracked)")],
    )
    addressees = forms.ModelMultipleChoiceField(
        label="Named bodies",
        queryset=Organisation.objects.exclude(kind=Organisation.Kind.INSPECTORATE),
        required=False,
        help_text="For “named bodies”: each gets its own tracked item.",
    )
    deadline_precision = forms.ChoiceField(
        label="When it falls due", choices=Finding.DEADLINE_PRECISION_CHOICES
    )
    deadline = DateField(
        label="Deadline date",
        required=False,
        help_text="For a month, any day of it: it falls due on the month's last day. "
        "Leave empty for “immediately” or no deadline.",
    )
    capabilities = forms.ModelMultipleChoiceField(
        label="Specialist capabilities", queryset=Capability.objects.all(), required=False
    )
    cause_of_concern = forms.ModelChoiceField(
        label="The cause of concern it answers",
        queryset=Finding.objects.none(),
        required=False,
        help_text="For a recommendation that a cause of concern leads to.",
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cause_of_concern"].queryset = inspection.findings.filter(
            kind__in=[Finding.Kind.CAUSE_OF_CONCERN, Finding.Kind.ACCELERATED_CAUSE_OF_CONCERN]
        )

    def clean(self):
        data = super().clean()
        if data.get("deadline_precision") in ("day", "month") and not data.get("deadline"):
            self.add_error("deadline", "Give the deadline's date, or choose another deadline.")
        return data

    @classmethod
    def initial_for(cls, finding: Finding) -> dict:
        return {
            **{
                name: getattr(finding, name)
                for name in cls.base_fields
                if name not in ("addressees", "capabilities")
            },
            "addressees": list(finding.addressees.all()),
            "capabilities": list(finding.capabilities.all()),
        }
