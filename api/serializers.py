"""What the API says of each record, and what its writes take. The querysets that feed
these (api.selectors) select and prefetch everything named here, so a page of any size is a
fixed number of queries."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actionplans.models import Action, ActionPlan
from inspections.models import Inspection
from organisations.models import Organisation
from recommendations.models import Finding, TrackedItem, TrackedItemEvent
from rocu_tracker import deadlines
from rocu_tracker.people import display_name, display_name_of
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
        annotated = item.__dict__.get("rag")  # items_for_dashboard's, else the method's
        return annotated if annotated is not None else item.rag(self.context["today"]).value


def _iso(day):
    return day.isoformat() if day else None


# What the item list reads of each row, as a named tuple (no model instances: building 150
# of them a page cost more than the query).
ITEM_ROW_FIELDS = (
    "pk",
    "finding_id",
    "finding__inspection_id",
    "finding__kind",
    "finding__reference",
    "finding__deadline",
    "organisation_id",
    "organisation__slug",
    "organisation__short_name",
    "status",
    "owner_id",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "target_date",
    "effective_deadline",
    "blocked_by",
    "version",
    "updated_at",
)


def _timestamp(moment) -> str:
    """serializers.DateTimeField's rendering, without building its field for every row."""
    text = timezone.localtime(moment).isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def tracked_item_row_representation(row, today) -> dict:
    """TrackedItemSerializer's rendering of one ITEM_ROW_FIELDS row (test_serializers holds
    the two equal)."""
    owner = None
    if row.owner_id is not None:
        name = display_name_of(
            first_name=row.owner__first_name,
            last_name=row.owner__last_name,
            username=row.owner__username,
        )
        owner = {"id": row.owner_id, "name": name}
    rag = deadlines.rag(
        is_closed=row.status in TrackedItem.CLOSED_STATUSES,
        is_blocked=bool(row.blocked_by),
        inspectorate_deadline=row.finding__deadline,
        target_date=row.target_date,
        today=today,
    )
    return {
        "id": row.pk,
        "finding": row.finding_id,
        "inspection": row.finding__inspection_id,
        "finding_kind": row.finding__kind,
        "finding_reference": row.finding__reference,
        "organisation": {
            "id": row.organisation_id,
            "slug": row.organisation__slug,
            "short_name": row.organisation__short_name,
        },
        "status": row.status,
        "owner": owner,
        "target_date": _iso(row.target_date),
        "inspectorate_deadline": _iso(row.finding__deadline),
        "effective_deadline": _iso(row.effective_deadline),
        "rag": rag.value,
        "blocked_by": row.blocked_by,
        "version": row.version,
        "updated_at": _timestamp(row.updated_at),
    }


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
