from django import forms

from .models import PUBLIC_UPDATE_MAX_LENGTH


class PublishForm(forms.Form):
    publish = forms.TypedChoiceField(
        choices=[("yes", "Publish"), ("no", "Stop publishing")],
        coerce=lambda value: value == "yes",
        widget=forms.HiddenInput,
    )


class PublicUpdateForm(forms.Form):
    text = forms.CharField(
        label="Public update",
        max_length=PUBLIC_UPDATE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown to the public with today's date, never with your name. Write nothing "
        "that is not for publication.",
    )

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, prefix=f"item-{item.pk}", **kwargs)
        self.fields["text"].label = f"Public update on {item.reference_label}"
