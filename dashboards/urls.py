from django.urls import path

from . import capability_views, views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("items/", views.item_list, name="items"),
    path("items/export.csv", views.export_csv, name="export_csv"),
    path("items/export.xlsx", views.export_xlsx, name="export_xlsx"),
    # saved views of the list, and search
    path("items/views/", views.saved_views, name="saved_views"),
    path("items/views/<int:pk>/rename/", views.saved_view_rename, name="saved_view_rename"),
    path("items/views/<int:pk>/delete/", views.saved_view_delete, name="saved_view_delete"),
    path("search/", views.search, name="search"),
    path("exports/<uuid:pk>/", views.export_job, name="export_job"),
    path("exports/<uuid:pk>/download", views.export_job_download, name="export_job_download"),
    path("board-paper/", views.board_paper, name="board_paper"),
    path("board-paper.pdf", views.board_paper_pdf, name="board_paper_pdf"),
    path("capabilities/", views.capability_matrix, name="capability_matrix"),
    # A capability's delivery in one region: its history, and recording it (ROCU staff).
    path(
        "capabilities/<slug:region>/<slug:capability>/",
        capability_views.capability_history,
        name="capability_history",
    ),
    path(
        "capabilities/<slug:region>/<slug:capability>/record/",
        capability_views.capability_delivery_record,
        name="capability_delivery_record",
    ),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
