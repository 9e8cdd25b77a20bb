"""The public progress tracker. The public pages (no login) read only what an organisation
opted in; the pages under manage/ are its staff's."""

from django.urls import path

from . import views

app_name = "public_progress"

PROGRESS = "<slug:organisation>/<slug:inspection>/"
MANAGE = "manage/<slug:organisation>/"

urlpatterns = [
    path("", views.index, name="index"),
    path(MANAGE, views.manage, name="manage"),
    path(f"{MANAGE}<slug:inspection>/", views.manage_inspection, name="manage_inspection"),
    path(f"{MANAGE}<slug:inspection>/publish/", views.publish, name="publish"),
    path(
        f"{MANAGE}<slug:inspection>/items/<int:item>/update/",
        views.update_add,
        name="update_add",
    ),
    path(PROGRESS, views.progress, name="progress"),
    path(f"{PROGRESS}progress.json", views.progress_json, name="progress_json"),
    path(f"{PROGRESS}progress.csv", views.progress_csv, name="progress_csv"),
]
