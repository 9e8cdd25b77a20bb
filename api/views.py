"""The API's views: thin, as the pages' are. Reads through api.selectors (scoped: another
organisation's record is a 404); writes through the apps' services (their access rules
refuse with 403, their validation with 400, a stale version with 409)."""

import hashlib

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from actionplans import services as plan_services
from dashboards.filters import ItemFilterSet
from dashboards.selectors import items_for_dashboard
from recommendations import services as item_services
from rocu_tracker.people import display_name

from . import selectors, serializers, services
from .filters import ApiItemFilterSet
from .pagination import DeadlineKeysetPagination, IdKeysetPagination
from .permissions import Public

STALE = OpenApiResponse(serializers.StaleWrite, description="Stale: the version has moved on.")
REFUSED = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid: messages by field."),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="Not allowed (or a read-only token)."),
    404: OpenApiResponse(OpenApiTypes.OBJECT, description="Not found, or not yours to see."),
    409: STALE,
}


class ConditionalGetMixin:
    """A weak ETag over each read's body; If-None-Match with it answers 304 Not Modified."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Authorization", "Cookie"])
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        response["ETag"] = f'W/"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        return get_conditional_response(request, etag=response["ETag"], response=response)


class ListView(ConditionalGetMixin, generics.ListAPIView):
    pagination_class = IdKeysetPagination


class DetailView(ConditionalGetMixin, generics.RetrieveAPIView):
    pass


def _today():
    return timezone.localdate()


class OrganisationList(ListView):
    serializer_class = serializers.OrganisationSerializer

    def get_queryset(self):
        return selectors.organisations()


class OrganisationDetail(DetailView):
    serializer_class = serializers.OrganisationSerializer

    def get_queryset(self):
        return selectors.organisations()


class InspectionList(ListView):
    serializer_class = serializers.InspectionSerializer

    def get_queryset(self):
        return selectors.inspections_visible_to(self.request.user)


class InspectionDetail(DetailView):
    serializer_class = serializers.InspectionSerializer

    def get_queryset(self):
        return selectors.inspections_visible_to(self.request.user)


@extend_schema(parameters=[OpenApiParameter("inspection", int, description="An inspection's id.")])
class FindingList(ListView):
    serializer_class = serializers.FindingSerializer

    def get_queryset(self):
        findings = selectors.findings_visible_to(self.request.user)
        inspection = self.request.query_params.get("inspection")
        if inspection:
            if not inspection.isdigit():
                raise ValidationError({"inspection": ["Give an inspection's id."]})
            findings = findings.filter(inspection_id=int(inspection))
        return findings


class FindingDetail(DetailView):
    serializer_class = serializers.FindingSerializer

    def get_queryset(self):
        return selectors.findings_visible_to(self.request.user)


def _item_filter_parameters():
    """The drill-down list's filters (dashboards.filters.ItemFilterSet), for the schema."""
    parameters = []
    for name, field in ItemFilterSet.base_filters.items():
        many = field.__class__.__name__.startswith("Multiple")
        schema_type = OpenApiTypes.DATE if "deadline_" in name else OpenApiTypes.STR
        if field.__class__.__name__ == "ModelChoiceFilter":
            schema_type = OpenApiTypes.INT
        choices = getattr(field, "extra", {}).get("choices")
        parameters.append(
            OpenApiParameter(
                name,
                schema_type,
                many=many,
                explode=True if many else None,
                enum=[value for value, _ in choices] if choices else None,
                description=str(field.label),
            )
        )
    return parameters


@extend_schema(
    parameters=_item_filter_parameters(),
    responses={200: serializers.TrackedItemSerializer(many=True), 400: REFUSED[400]},
)
class TrackedItemList(ListView):
    """The dashboard's drill-down list: the same filters, the same query, the same count."""

    serializer_class = serializers.TrackedItemSerializer
    pagination_class = DeadlineKeysetPagination

    def get_queryset(self):
        params = self.request.query_params
        if ITEM_FILTERS.isdisjoint(params):
            # No filter asked for: the selector the FilterSet would call with none, without
            # building the filter form (its choice fields cost more than the page's query).
            items = items_for_dashboard(
                user=self.request.user, filters={}, today=_today(), rag=False
            )
        else:
            filterset = ApiItemFilterSet(params, request=self.request, today=_today())
            if not filterset.is_valid():
                raise translate_validation(filterset.errors)
            items = filterset.qs
        return items

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(
            self.get_queryset().values_list(*serializers.ITEM_ROW_FIELDS, named=True)
        )
        today = _today()
        return self.get_paginated_response(
            [serializers.tracked_item_row_representation(row, today) for row in rows]
        )


ITEM_FILTERS = frozenset(ItemFilterSet.base_filters)


class _ItemMixin:
    def get_item(self):
        try:
            return selectors.item_readable_by(
                self.request.user, pk=self.kwargs["pk"], today=_today()
            )
        except ObjectDoesNotExist:
            raise Http404("No such tracked item.") from None


class TrackedItemDetail(_ItemMixin, DetailView):
    serializer_class = serializers.TrackedItemSerializer

    def get_object(self):
        return self.get_item()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": _today()}


class TrackedItemEventList(_ItemMixin, ListView):
    """An item's history, oldest first (by id)."""

    serializer_class = serializers.TrackedItemEventSerializer

    def get_queryset(self):
        return selectors.events_of(self.get_item())


def _item_response(item, request, code=status.HTTP_200_OK):
    fresh = selectors.item_readable_by(request.user, pk=item.pk, today=_today())
    context = {"request": request, "today": _today()}
    return Response(serializers.TrackedItemSerializer(fresh, context=context).data, status=code)


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ProgressUpdateCreate(_ItemMixin, APIView):
    @extend_schema(
        request={
            "multipart/form-data": serializers.ProgressUpdateInput,
            "application/json": serializers.ProgressUpdateInput,
        },
        responses={201: serializers.ProgressUpdateResult, **REFUSED},
    )
    def post(self, request, pk):
        """Add a progress update (a status move, a narrative, evidence files)."""
        item = self.get_item()
        data = _valid(serializers.ProgressUpdateInput, request)
        event = item_services.progress_update_add(
            item=item,
            by=request.user,
            expected_version=data["expected_version"],
            status=data.get("status") or item.status,
            narrative=data["narrative"],
            percent_complete=data.get("percent_complete"),
            evidence_files=data["evidence"],
            occurred_on=data.get("occurred_on"),
        )
        event = selectors.events_of(item).get(pk=event.pk)
        return Response(
            {
                "event": serializers.TrackedItemEventSerializer(event).data,
                "item": _item_response(item, request).data,
            },
            status=status.HTTP_201_CREATED,
        )


class OwnerChange(_ItemMixin, APIView):
    @extend_schema(
        request=serializers.OwnerInput,
        responses={200: serializers.TrackedItemSerializer, **REFUSED},
    )
    def post(self, request, pk):
        """Give the item an owner among its organisation's editors and leads (or nobody)."""
        item = self.get_item()
        data = _valid(serializers.OwnerInput, request)
        owner = None
        if data["owner"] is not None:
            owner = item_services.access.people_who_may_own(item).filter(pk=data["owner"]).first()
            if owner is None:
                raise ValidationError(
                    {"owner": ["The owner must be an editor or lead of the organisation."]}
                )
        item_services.tracked_item_assign(
            item=item, owner=owner, by=request.user, expected_version=data["expected_version"]
        )
        return _item_response(item, request)


class TargetDateRevisionCreate(_ItemMixin, APIView):
    @extend_schema(
        request=serializers.TargetDateRevisionInput,
        responses={201: serializers.TargetDateRevisionSerializer, **REFUSED},
    )
    def post(self, request, pk):
        """Ask a lead to approve a revised target date, saying why."""
        item = self.get_item()
        data = _valid(serializers.TargetDateRevisionInput, request)
        revision = services.target_date_revision_request_at_version(
            item=item,
            by=request.user,
            expected_version=data["expected_version"],
            proposed_date=data["proposed_date"],
            reason=data["reason"],
        )
        return Response(
            serializers.TargetDateRevisionSerializer(revision).data, status=status.HTTP_201_CREATED
        )


class ActionPlanList(ListView):
    serializer_class = serializers.ActionPlanSerializer

    def get_queryset(self):
        return selectors.plans_readable_by(self.request.user, today=_today())


class ActionPlanDetail(DetailView):
    serializer_class = serializers.ActionPlanSerializer

    def get_queryset(self):
        return selectors.plans_readable_by(self.request.user, today=_today())


@extend_schema(parameters=[OpenApiParameter("plan", int, description="An action plan's id.")])
class ActionList(ListView):
    serializer_class = serializers.ActionSerializer

    def get_queryset(self):
        actions = selectors.actions_readable_by(self.request.user, today=_today())
        plan = self.request.query_params.get("plan")
        if plan:
            if not plan.isdigit():
                raise ValidationError({"plan": ["Give an action plan's id."]})
            actions = actions.filter(plan_id=int(plan))
        return actions


class ActionDetail(ConditionalGetMixin, generics.GenericAPIView):
    serializer_class = serializers.ActionSerializer

    def get_queryset(self):
        return selectors.actions_readable_by(self.request.user, today=_today())

    @extend_schema(responses={200: serializers.ActionSerializer, 404: REFUSED[404]})
    def get(self, request, pk):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=serializers.ActionProgressInput,
        responses={200: serializers.ActionSerializer, **REFUSED},
    )
    def patch(self, request, pk):
        """Record an action's progress (its status), at the version the client saw."""
        action = self.get_object()
        data = _valid(serializers.ActionProgressInput, request)
        plan_services.action_update(
            action=action,
            by=request.user,
            expected_version=data["version"],
            serves=list(action.serves.all()),
            status=data["status"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=action.pk)).data)


class PublishedResponseList(ListView):
    """Published Section 55 responses (the newest version of each): no sign-in needed."""

    serializer_class = serializers.Section55PublicationSerializer
    permission_classes = [Public]

    def get_queryset(self):
        return selectors.published_responses()


class PublishedResponseDetail(DetailView):
    """One published version of a Section 55 response, with its positions."""

    serializer_class = serializers.Section55PublicationDetailSerializer
    permission_classes = [Public]

    def get_queryset(self):
        return selectors.published_response_versions()


class Me(ConditionalGetMixin, APIView):
    @extend_schema(responses={200: serializers.MeSerializer})
    def get(self, request):
        """Who the request acts as: the smallest authenticated answer."""
        token = request.auth if hasattr(request.auth, "is_read_only") else None
        return Response(
            {
                "id": request.user.pk,
                "name": display_name(request.user),
                "token": token.name if token else None,
                "read_only": bool(token and token.is_read_only),
            }
        )


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
def not_found(request):
    raise NotFound("There is nothing at this address in the API.")
