from django.urls import path

from . import views

app_name = "recommendations"
urlpatterns = [
    path("work/", views.my_work, name="my_work"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/progress/", views.item_progress, name="item_progress"),
    path("items/<int:pk>/accept/", views.item_accept, name="item_accept"),
    path("items/<int:pk>/return/", views.item_return, name="item_return"),
    path("items/<int:pk>/owner/", views.item_assign, name="item_assign"),
    path("items/<int:pk>/target-date/", views.item_target_date, name="item_target_date"),
    path(
        "items/<int:pk>/target-date/<int:revision_pk>/decision/",
        views.revision_decide,
        name="revision_decide",
    ),
    path(
        "items/<int:pk>/reminders/pause/", views.item_reminders_pause, name="item_reminders_pause"
    ),
    path(
        "items/<int:pk>/reminders/resume/",
        views.item_reminders_resume,
        name="item_reminders_resume",
    ),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path(
        "items/<int:pk>/inspectorate/confirm/",
        views.item_inspectorate_confirm,
        name="item_inspectorate_confirm",
    ),
    path(
        "items/<int:pk>/inspectorate/return/",
        views.item_inspectorate_return,
        name="item_inspectorate_return",
    ),
    path("findings/<int:pk>/earlier/", views.finding_link, name="finding_link"),
    path("inspectorate/awaiting/", views.inspectorate_awaiting, name="inspectorate_awaiting"),
]
