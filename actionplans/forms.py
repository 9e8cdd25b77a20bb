from django import forms

from recommendations.models import TrackedItem
from rocu_tracker.forms import DateField, VersionedForm
from rocu_tracker.people import display_name

from .models import Action, ActionPlan


class ActionPlanForm(forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = [
            "title",
            "owner_title",
            "consulted_pcc_on",
            "consulted_rocu_on",
            "consulted_rocu_board_on",
            "published_on",
            "published_url",
        ]
        field_classes = {
            "consulted_pcc_on": DateField,
            "consulted_rocu_on": DateField,
            "consulted_rocu_board_on": DateField,
            "published_on": DateField,
        }
        help_texts = {
            "consulted_pcc_on": "The 2015 recommendation asked for plans developed with the "
            "PCC, the ROCU and the ROCU executive board.",
            "published_url": "Where the published plan can be read, once it is published.",
        }

    def clean(self):
        data = super().clean()
        if data.get("published_url") and not data.get("published_on"):
            self.add_error("published_on", "Give the date the plan was published.")
        return data


class VersionedActionPlanForm(ActionPlanForm, VersionedForm):
    pass


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["title", "description", "owner", "owner_title", "due_on", "status", "serves"]
        field_classes = {"due_on": DateField}
        widgets = {"serves": forms.CheckboxSelectMultiple}
        labels = {"serves": "Serves these recommendations", "owner_title": "Owner's post"}

    def __init__(self, *args, plan: ActionPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["serves"].queryset = TrackedItem.objects.filter(
            organisation=plan.organisation, finding__inspection=plan.inspection
        ).select_related("finding")
        self.fields["serves"].label_from_instance = lambda item: str(item.finding)
        self.fields["owner"].queryset = self.fields["owner"].queryset.filter(
            memberships__organisation=plan.organisation
        )
        self.fields["owner"].label_from_instance = display_name


class VersionedActionForm(ActionForm, VersionedForm):
    pass
