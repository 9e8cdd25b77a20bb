"""The webhook pages' forms: they validate and convert; webhooks/services.py decides (the
address check included, so an API or a command gets the same refusal)."""

from django import forms

from .models import Event


class EventsForm(forms.Form):
    events = forms.MultipleChoiceField(
        label="Events",
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="A delivery is sent for each of these, about your organisation's own items "
        "or Section 55 responses.",
        error_messages={"required": "Choose at least one event."},
    )
    description = forms.CharField(
        label="Description (optional)",
        max_length=200,
        required=False,
        help_text="For your own records, for example which system receives it.",
    )


class EndpointForm(EventsForm):
    url = forms.URLField(
        label="Endpoint URL",
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="An https:// address on the public internet that accepts a POST.",
    )
    field_order = ["url", "events", "description"]
