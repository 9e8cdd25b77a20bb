"""The form a ROCU's staff record a capability's delivery with (capability_views.py)."""

from django import forms

from organisations.models import CapabilityDeliveryRecord, Organisation
from rocu_tracker.forms import DateField


class CapabilityDeliveryForm(forms.Form):
    delivery = forms.ChoiceField(
        label="How the region delivers it",
        choices=CapabilityDeliveryRecord.Delivery.choices,
        widget=forms.RadioSelect,
    )
    through_region = forms.ModelChoiceField(
        label="Through which region",
        queryset=Organisation.objects.none(),
        required=False,
        help_text="Only when it is delivered through another region.",
    )
    valid_from = DateField(label="From", help_text="The day from which this is so.")
    note = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    source = forms.CharField(
        label="Source",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Where this is stated: a board paper, a report, or its web address.",
    )

    def __init__(self, *args, region: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["through_region"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.REGION
        ).exclude(pk=region.pk)
