import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from organisations.models import Organisation
from organisations.selectors import visible_organisation_ids


class BoardPaperForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    meeting_on = forms.DateField(
        label="Meeting date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    next_meeting_on = forms.DateField(
        label="Next meeting date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The paper lists what falls due before it.",
    )

    def __init__(self, *args, user, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        ids = visible_organisation_ids(user, day=today)
        organisations = Organisation.objects.exclude(kind=Organisation.Kind.INSPECTORATE)
        if ids is not None:
            organisations = organisations.filter(id__in=ids)
        self.fields["organisation"].queryset = organisations.order_by("name")
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.add_input(Submit("", "Show the board paper", css_class="btn-primary"))

    def clean(self):
        cleaned = super().clean()
        meeting, next_meeting = cleaned.get("meeting_on"), cleaned.get("next_meeting_on")
        if meeting and next_meeting and next_meeting <= meeting:
            self.add_error("next_meeting_on", "The next meeting must come after this one.")
        return cleaned
