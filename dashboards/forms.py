import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout
from django import forms

from organisations.models import Organisation
from organisations.selectors import visible_organisation_ids
from rocu_tracker.forms import DateField

# What an organisation id in a query string may be: a positive number within the database's
# bigint ("²" is a digit to str.isdigit() but not to int(), hence a form field, not isdigit).
ORGANISATION_ID = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class BoardPaperForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    meeting_on = DateField(label="Meeting date")
    next_meeting_on = DateField(
        label="Next meeting date",
        help_text="The paper lists what falls due before it.",
    )
    changes_since = DateField(
        label="Changes since",
        required=False,
        help_text="The last meeting's date: the paper lists the status changes that happened "
        "after it, by the day they happened (not the day they were recorded).",
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
        # A button of no name: crispy's Submit writes name="", which is invalid HTML.
        self.helper.layout = Layout(
            *self.fields,
            HTML('<button type="submit" class="btn btn-primary">Show the board paper</button>'),
        )

    def names_hidden_organisation(self) -> bool:
        """The query string names, by a well-formed id, an organisation the user may not see:
        the view answers 404, as for any other organisation's object. Anything else that is
        not a choice (`²`, `-1`, `abc`, a number past any id) is the field's own error."""
        if "organisation" not in self.errors:
            return False
        try:
            wanted = ORGANISATION_ID.clean(self.data.get("organisation"))
        except forms.ValidationError:
            return False
        return not self.fields["organisation"].queryset.filter(pk=wanted).exists()

    def clean(self):
        cleaned = super().clean()
        meeting, next_meeting = cleaned.get("meeting_on"), cleaned.get("next_meeting_on")
        if meeting and next_meeting and next_meeting <= meeting:
            self.add_error("next_meeting_on", "The next meeting must come after this one.")
        since = cleaned.get("changes_since")
        if meeting and since and since >= meeting:
            self.add_error("changes_since", "Changes since must be a day before this meeting.")
        return cleaned


# --- the drill-down list's saved views and search ----------------------------------------


class SavedViewForm(forms.Form):
    """Save the list as it is: its query string comes with the form, hidden."""

    name = forms.CharField(
        label="Name of this view",
        max_length=80,
        help_text='For example "My overdue" or "Region red".',
    )
    query = forms.CharField(required=False, widget=forms.HiddenInput)


class SavedViewRenameForm(forms.Form):
    name = forms.CharField(label="New name", max_length=80)


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for",
        max_length=200,
        required=False,
        help_text='Words in a finding, action or progress update. "Quote a phrase"; '
        "-word leaves out what has it.",
    )
