"""The one date widget and field, and the one display name and finding text."""

import datetime

import pytest
from django import forms as django_forms
from django.contrib.auth import get_user_model

from recommendations.models import Finding
from rocu_tracker.forms import DateField
from rocu_tracker.people import display_name


class _Form(django_forms.Form):
    due_on = DateField(required=False)


def test_it_renders_a_date_in_the_only_format_a_date_input_reads():
    html = str(_Form(initial={"due_on": datetime.date(2026, 6, 30)})["due_on"])
    assert 'type="date"' in html
    assert 'value="2026-06-30"' in html
    assert 'min="1990-01-01"' in html and 'max="2100-12-31"' in html


@pytest.mark.parametrize(("typed", "shown"), [("30/06/2016", "2016-06-30"), ("31/02/2016", "")])
def test_it_gives_a_date_input_a_british_date_back_in_iso_and_drops_a_non_date(typed, shown):
    assert f'value="{shown}"' in str(_Form({"due_on": typed})["due_on"])


@pytest.mark.parametrize("typed", ["9999-12-31", "0202-06-30"])
def test_it_refuses_a_date_out_of_range(typed):
    form = _Form({"due_on": typed})
    assert not form.is_valid()
    assert form.errors["due_on"] == ["Enter a date between 1 January 1990 and 31 December 2100."]


def test_it_accepts_an_empty_optional_date():
    form = _Form({"due_on": ""})
    assert form.is_valid()
    assert form.cleaned_data["due_on"] is None


def test_it_names_a_person_by_full_name_else_username():
    user_model = get_user_model()
    assert display_name(user_model(username="alice", first_name="Alice", last_name="Smith")) == (
        "Alice Smith"
    )
    assert display_name(user_model(username="alice")) == "alice"
    assert display_name(None) == ""
    assert display_name(None, nobody="nobody") == "nobody"


@pytest.mark.parametrize(
    ("text", "summary", "shown"),
    [
        ("Forces should publish a plan.", "A plan", "Forces should publish a plan."),
        ("", "A plan", "Summary (exact text not yet recorded): A plan"),
        ("", "", "Exact text not yet recorded."),
    ],
)
def test_it_never_passes_a_placeholder_off_as_a_findings_text(text, summary, shown):
    assert Finding(text=text, summary=summary).display_text == shown
