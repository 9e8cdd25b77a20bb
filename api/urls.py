"""/api/v1/: the JSON API, its OpenAPI schema and its docs (Swagger UI from static files)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import docs, views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.SwaggerDocs.as_view(url_name="api:schema"), name="docs"),
    path("me/", views.Me.as_view(), name="me"),
    path("organisations/", views.OrganisationList.as_view(), name="organisations"),
    path("organisations/<int:pk>/", views.OrganisationDetail.as_view(), name="organisation"),
    path("inspections/", views.InspectionList.as_view(), name="inspections"),
    path("inspections/<int:pk>/", views.InspectionDetail.as_view(), name="inspection"),
    path("findings/", views.FindingList.as_view(), name="findings"),
    path("findings/<int:pk>/", views.FindingDetail.as_view(), name="finding"),
    path("items/", views.TrackedItemList.as_view(), name="items"),
    path("items/<int:pk>/", views.TrackedItemDetail.as_view(), name="item"),
    path("items/<int:pk>/events/", views.TrackedItemEventList.as_view(), name="item_events"),
    path(
        "items/<int:pk>/progress-updates/",
        views.ProgressUpdateCreate.as_view(),
        name="item_progress_update",
    ),
    path("items/<int:pk>/owner/", views.OwnerChange.as_view(), name="item_owner"),
    path(
        "items/<int:pk>/target-date-revisions/",
        views.TargetDateRevisionCreate.as_view(),
        name="item_target_date_revision",
    ),
    path("action-plans/", views.ActionPlanList.as_view(), name="action_plans"),
    path("action-plans/<int:pk>/", views.ActionPlanDetail.as_view(), name="action_plan"),
    path("actions/", views.ActionList.as_view(), name="actions"),
    path("actions/<int:pk>/", views.ActionDetail.as_view(), name="action"),
    path("section55/responses/", views.PublishedResponseList.as_view(), name="responses"),
    path(
        "section55/responses/<int:pk>/",
        views.PublishedResponseDetail.as_view(),
        name="response",
    ),
    # Anything else under /api/v1/ is a JSON 404, as an API's client expects.
    re_path(r"^.*$", views.not_found, name="not_found"),
]
