from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("items/", views.item_list, name="items"),
    path("items/export.csv", views.export_csv, name="export_csv"),
    path("items/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("exports/<uuid:pk>/", views.export_job, name="export_job"),
    path("exports/<uuid:pk>/download", views.export_job_download, name="export_job_download"),
    path("board-paper/", views.board_paper, name="board_paper"),
    path("board-paper.pdf", views.board_paper_pdf, name="board_paper_pdf"),
    path("capabilities/", views.capability_matrix, name="capability_matrix"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
