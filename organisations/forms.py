"""The People pages' forms: they validate and convert; organisations/services.py decides."""

from django import forms
from django.contrib.auth import password_validation

from .models import Membership


def _role_choices(roles) -> list[tuple[str, str]]:
    return [(role, Membership.Role(role).label) for role in roles]


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=150,  # it becomes the username, which is at most 150 characters
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="The invitation goes here; it is also the person's username.",
    )
    role = forms.ChoiceField(label="Role")
    job_title = forms.CharField(label="Job title", max_length=120, required=False)

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(roles)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(roles)


class ClaimMappingForm(forms.Form):
    """A role single sign-on gives to a first sign-in whose ID token's claim holds a value."""

    prefix = "mapping"

    claim = forms.CharField(
        label="Claim",
        max_length=100,
        initial="groups",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="The ID token's claim, for example groups or roles.",
    )
    value = forms.CharField(
        label="Value",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="What the claim must hold, for example the directory group's id.",
    )
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(roles)


class AcceptInvitationForm(forms.Form):
    """The invited person's name and password; the service checks the password's strength
    with the project's validators (AUTH_PASSWORD_VALIDATORS)."""

    first_name = forms.CharField(
        label="First name", max_length=150, widget=forms.TextInput({"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, widget=forms.TextInput({"autocomplete": "family-name"})
    )
    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label="Confirm the new password",
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", "The two passwords are not the same.")
        return data
