from django import forms

from recommendations.forms import VersionedForm
from recommendations.models import TrackedItem

from .models import Action, ActionPlan

DATE = forms.DateInput(attrs={"type": "date"})


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
        widgets = {
            "consulted_pcc_on": DATE,
            "consulted_rocu_on": DATE,
            "consulted_rocu_board_on": DATE,
            "published_on": DATE,
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
        widgets = {"due_on": DATE, "serves": forms.CheckboxSelectMultiple}
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
        self.fields["owner"].label_from_instance = lambda user: (
            user.get_full_name() or user.username
        )


class VersionedActionForm(ActionForm, VersionedForm):
    pass
