import datetime

from django import forms
from django.conf import settings
from django.utils import timezone

from rocu_tracker.forms import DateField

from .models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What it is for, so you know which to revoke: “Power BI”."
    )
    access_level = forms.ChoiceField(
        label="Access",
        choices=ApiToken.Access.choices,
        initial=ApiToken.Access.READ,
        widget=forms.RadioSelect,
    )
    expires_on = DateField(
        label="Expires on",
        help_text=f"Required; at most {settings.API_TOKEN_MAX_LIFETIME_DAYS} days from today.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["expires_on"].initial = today + datetime.timedelta(
            days=settings.API_TOKEN_DEFAULT_LIFETIME_DAYS
        )
        self.fields["expires_on"].widget.attrs.update(
            min=(today + datetime.timedelta(days=1)).isoformat(),
            max=(today + datetime.timedelta(days=settings.API_TOKEN_MAX_LIFETIME_DAYS)).isoformat(),
        )
