from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    # Entering a report by hand and publishing it to the trackers (issue 13).
    path("new/", views.inspection_create, name="create"),
    path("<slug:slug>/", views.inspection_detail, name="detail"),
    path("<slug:slug>/intake/", views.inspection_intake, name="intake"),
    path("<slug:slug>/findings/add/", views.finding_add, name="finding_add"),
    path("<slug:slug>/findings/<int:pk>/edit/", views.finding_edit, name="finding_edit"),
    path("<slug:slug>/findings/<int:pk>/move/", views.finding_move, name="finding_move"),
    path("<slug:slug>/publish/", views.inspection_publish, name="publish"),
]

# Pasting a report's text and importing a spreadsheet of findings (issue 13).
from . import intake_views  # noqa: E402

urlpatterns += [
    path("<slug:slug>/paste/", intake_views.findings_paste, name="paste"),
    path("<slug:slug>/import/", intake_views.findings_import, name="import"),
    path(
        "<slug:slug>/import/template.<str:extension>",
        intake_views.findings_import_template,
        name="import_template",
    ),
]
