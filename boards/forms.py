from django import forms

from rocu_tracker.forms import DateField

from .models import Meeting


class MeetingForm(forms.ModelForm):
    held_on = DateField(label="Date")
    starts_at = forms.TimeField(
        label="Time",
        required=False,
        help_text="Optional, as 24-hour hh:mm, for example 10:00.",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    class Meta:
        model = Meeting
        fields = ["title", "held_on", "starts_at", "location", "notes"]
        labels = {"title": "Title", "location": "Location", "notes": "Notes"}
        help_texts = {"title": "For example: Executive board, spring meeting."}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
