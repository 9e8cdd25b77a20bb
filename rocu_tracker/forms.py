"""Form pieces every app shares: one date widget and one date field for the whole project,
the version a versioned form carries, and how a form shows a refused save."""

from django import forms
from django.core.exceptions import ValidationError

from rocu_tracker import deadlines

# A browser's date input accepts and submits only ISO dates (yyyy-mm-dd); a value rendered in
# any other format is dropped and the field comes back empty, losing a date the user never
# touched.
ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """The browser's date picker, given the value in the only format it reads."""

    input_type = "date"

    def __init__(self, attrs=None):
        attrs = {
            "min": deadlines.EARLIEST_DATE.isoformat(),
            "max": deadlines.LATEST_DATE.isoformat(),
            **(attrs or {}),
        }
        super().__init__(attrs=attrs, format=ISO_DATE)

    def format_value(self, value):
        """A date given back to a bound form ("30/06/2016", which the field accepts, in a link)
        in ISO too. One no format reads can be shown by no date input (the browser empties it;
        and it would be invalid HTML), so it goes, and the field's error says why."""
        if isinstance(value, str):
            try:
                value = forms.DateField().to_python(value)
            except ValidationError:
                return ""
        return super().format_value(value)


class DateField(forms.DateField):
    """A date a person enters: the project's date input, bounded to a sane range."""

    widget = DateInput

    default_validators = [deadlines.require_plausible_date]


def posted_data(request):
    """What a form binds to: the submitted data on a POST, else None (unbound). An empty POST
    is still a POST: `request.POST or None` would take one (a preferences form with every box
    unticked, say) for a GET and save nothing."""
    return request.POST if request.method == "POST" else None


class VersionedForm(forms.Form):
    """Carries the version the user saw, so a stale save is refused, not lost."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def form_refuse(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the form with the user's input kept. After a stale edit
    the form lists what changed and now carries the version current, so saving again once
    the user has read the changes succeeds (and a further change is caught again)."""
    current_version = getattr(error, "current_version", None)
    if current_version is not None and "version" in form.fields:
        form.data = form.data.copy()
        form.data[form.add_prefix("version")] = current_version
        form.stale_changes = error.changes
    form.add_error(None, error)
