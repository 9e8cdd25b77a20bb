from django import forms

from .models import Preference


class PreferenceForm(forms.Form):
    email = forms.ChoiceField(
        label="Reminder emails", choices=Preference.Email.choices, widget=forms.RadioSelect
    )
    only_what_i_own = forms.BooleanField(
        label="Only remind me of what I own",
        required=False,
        help_text="Items without an owner remind every editor of the organisation; tick this to "
        "skip those. Escalations to leads and Section 55 reminders cannot be turned off.",
    )
