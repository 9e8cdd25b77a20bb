"""What the API says of each record, and what its writes take. The querysets that feed
these (api.selectors) select and prefetch everything named here, so a page of any size is a
fixed number of queries."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actionplans.models import Action, ActionPlan
from inspections.models import Inspection
from organisations.models import Organisation
from recommendations.models import Finding, TrackedItem, TrackedItemEvent
from rocu_tracker import deadlines
from rocu_tracker.people import display_name
from section55.models import Section55Publication, Section55PublishedPosition


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "slug", "name", "short_name", "kind"]


class OrganisationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "slug", "short_name"]


class InspectionSerializer(serializers.ModelSerializer):
    inspectorate = OrganisationBriefSerializer()
    published_to_trackers = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "slug",
            "title",
            "inspectorate",
            "type",
            "scope",
            "published_on",
            "url",
            "published_to_trackers",
            "updated_at",
        ]

    def get_published_to_trackers(self, inspection) -> bool:
        return inspection.published_to_trackers_at is not None


class FindingSerializer(serializers.ModelSerializer):
    addressees = OrganisationBriefSerializer(many=True)
    capabilities = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    deadline_display = serializers.CharField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "inspection",
            "key",
            "kind",
            "reference",
            "text",
            "summary",
            "addressees_as_written",
            "audience",
            "addressees",
            "deadline",
            "deadline_precision",
            "deadline_display",
            "capabilities",
            "updated_at",
        ]


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return display_name(user)


class TrackedItemSerializer(serializers.ModelSerializer):
    organisation = OrganisationBriefSerializer()
    inspection = serializers.IntegerField(source="finding.inspection_id")
    finding_kind = serializers.CharField(source="finding.kind")
    finding_reference = serializers.CharField(source="finding.reference")
    inspectorate_deadline = serializers.DateField(source="finding.deadline", allow_null=True)
    owner = PersonSerializer(allow_null=True)
    rag = serializers.SerializerMethodField()

    class Meta:
        model = TrackedItem
        fields = [
            "id",
            "finding",
            "inspection",
            "finding_kind",
            "finding_reference",
            "organisation",
            "status",
            "owner",
            "target_date",
            "inspectorate_deadline",
            "effective_deadline",
            "rag",
            "blocked_by",
            "version",
            "updated_at",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=[rag.value for rag in deadlines.Rag]))
    def get_rag(self, item) -> str:
        rag = getattr(item, "rag", None)
        return rag if rag is not None else item.rag(self.context["today"]).value

    def to_representation(self, item) -> dict:
        """The fields above, written out: a list of 50 through DRF's fields costs several
        times the page's query. test_serializers holds the two in agreement."""
        finding, organisation, owner = item.finding, item.organisation, item.owner
        return {
            "id": item.pk,
            "finding": item.finding_id,
            "inspection": finding.inspection_id,
            "finding_kind": finding.kind,
            "finding_reference": finding.reference,
            "organisation": {
                "id": organisation.pk,
                "slug": organisation.slug,
                "short_name": organisation.short_name,
            },
            "status": item.status,
            "owner": None if owner is None else {"id": owner.pk, "name": display_name(owner)},
            "target_date": _iso(item.target_date),
            "inspectorate_deadline": _iso(finding.deadline),
            "effective_deadline": _iso(item.effective_deadline),
            "rag": self.get_rag(item),
            "blocked_by": item.blocked_by,
            "version": item.version,
            "updated_at": serializers.DateTimeField().to_representation(item.updated_at),
        }

    def to_representation_by_fields(self, item) -> dict:
        """DRF's own rendering of the declared fields (what to_representation must equal)."""
        return super().to_representation(item)


def _iso(day):
    return day.isoformat() if day else None


TRACKED_ITEM_COLUMNS = (
    "id",
    "finding_id",
    "organisation_id",
    "owner_id",
    "status",
    "target_date",
    "effective_deadline",
    "blocked_by",
    "version",
    "updated_at",
)


class EvidenceBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    size = serializers.IntegerField()


class TrackedItemEventSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()
    evidence = EvidenceBriefSerializer(many=True)

    class Meta:
        model = TrackedItemEvent
        fields = [
            "id",
            "item",
            "kind",
            "occurred_on",
            "recorded_at",
            "by",
            "from_status",
            "to_status",
            "narrative",
            "percent_complete",
            "old_date",
            "new_date",
            "item_version",
            "evidence",
        ]

    def get_by(self, event) -> str:
        return display_name(event.actor, nobody=event.actor_name or "the system")


class ActionSerializer(serializers.ModelSerializer):
    serves = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "plan",
            "title",
            "description",
            "owner_title",
            "due_on",
            "status",
            "serves",
            "version",
            "updated_at",
        ]


class ActionPlanSerializer(serializers.ModelSerializer):
    organisation = OrganisationBriefSerializer()

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "organisation",
            "inspection",
            "title",
            "owner_title",
            "published_on",
            "published_url",
            "version",
            "updated_at",
        ]


class PublishedPositionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section55PublishedPosition
        fields = [
            "finding",
            "order",
            "label",
            "recommendation",
            "recommendation_summary",
            "position",
            "explanation",
            "agreement",
            "chief_officer_agreement",
            "chief_officer_note",
        ]


class Section55PublicationSerializer(serializers.ModelSerializer):
    office = OrganisationBriefSerializer(source="response.body")
    inspection = serializers.IntegerField(source="response.inspection_id")
    inspection_title = serializers.CharField(source="response.inspection.title")

    class Meta:
        model = Section55Publication
        fields = [
            "id",
            "office",
            "inspection",
            "inspection_title",
            "version",
            "published_on",
            "correction_note",
        ]


class Section55PublicationDetailSerializer(Section55PublicationSerializer):
    positions = PublishedPositionSerializer(many=True)

    class Meta(Section55PublicationSerializer.Meta):
        fields = [
            *Section55PublicationSerializer.Meta.fields,
            "chief_officer_comments_status",
            "chief_officer_comments",
            "chief_officer_comments_received_on",
            "chief_officer_comments_due_on",
            "office_comments",
            "copy_to_home_secretary_on",
            "copy_to_inspectorate_on",
            "positions",
        ]


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    token = serializers.CharField(allow_null=True, help_text="The token's name, if one is used.")
    read_only = serializers.BooleanField()


# --- writes: each takes the version the client saw --------------------------------------


class ProgressUpdateInput(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1)
    status = serializers.ChoiceField(
        choices=TrackedItem.Status.choices, required=False, help_text="Unchanged if left out."
    )
    narrative = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=20000
    )
    percent_complete = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True
    )
    occurred_on = serializers.DateField(required=False, allow_null=True)
    evidence = serializers.ListField(
        child=serializers.FileField(max_length=255),
        required=False,
        default=list,
        max_length=10,
        help_text="Files (multipart/form-data).",
    )


class OwnerInput(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1)
    owner = serializers.IntegerField(allow_null=True, help_text="A user id; null for nobody.")


class TargetDateRevisionInput(serializers.Serializer):
    expected_version = serializers.IntegerField(min_value=1)
    proposed_date = serializers.DateField()
    reason = serializers.CharField(max_length=5000)


class TargetDateRevisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField(source="item_id")
    old_date = serializers.DateField(allow_null=True)
    proposed_date = serializers.DateField()
    reason = serializers.CharField()
    state = serializers.CharField()


class ActionProgressInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    status = serializers.ChoiceField(choices=Action.Status.choices)


class ProgressUpdateResult(serializers.Serializer):
    event = TrackedItemEventSerializer()
    item = TrackedItemSerializer()


class StaleChange(serializers.Serializer):
    kind = serializers.CharField(required=False)
    occurred_on = serializers.DateField(required=False)
    by = serializers.CharField(required=False)
    from_status = serializers.CharField(required=False)
    to_status = serializers.CharField(required=False)
    narrative = serializers.CharField(required=False)
    item_version = serializers.IntegerField(required=False)
    field = serializers.CharField(required=False)
    now = serializers.CharField(required=False)


class StaleWrite(serializers.Serializer):
    detail = serializers.CharField()
    current_version = serializers.IntegerField()
    changes = StaleChange(many=True)
