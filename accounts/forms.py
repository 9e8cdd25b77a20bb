import re

from django import forms

SIX_DIGITS = "Enter the six digits your authenticator app shows."


def _code_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text="Six digits. A new code appears every 30 seconds.",
        max_length=20,
        error_messages={"required": SIX_DIGITS},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )


def _six_digits(value: str) -> str:
    token = "".join(value.split())
    if not re.fullmatch(r"\d{6}", token):
        raise forms.ValidationError(SIX_DIGITS)
    return token


class TokenForm(forms.Form):
    token = _code_field("Code from your authenticator app")

    def clean_token(self) -> str:
        return _six_digits(self.cleaned_data["token"])


class ReplaceDeviceForm(TokenForm):
    """Moving to a new authenticator: its first code, then one from the current one (last,
    so it is still fresh when the form is sent)."""

    token = _code_field("Code from the new authenticator app")
    current_token = _code_field("Code from your current authenticator app")

    def clean_current_token(self) -> str:
        return _six_digits(self.cleaned_data["current_token"])
