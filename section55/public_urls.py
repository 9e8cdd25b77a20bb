"""The public pages (no login), under /responses/: published responses only."""

from django.urls import path

from . import public_views as views

app_name = "responses"

RESPONSE = "<slug:body>/<slug:inspection>/"
VERSION = f"{RESPONSE}v<int:version>/"

urlpatterns = [
    path("", views.public_index, name="index"),
    path("national.csv", views.national_csv, name="national_csv"),
    path("national.json", views.national_json, name="national_json"),
    path("<slug:body>/", views.public_office, name="office"),
]
# Each view answers for the newest version and for a given one.
for suffix, view, name in [
    ("", views.public_response, "detail"),
    ("print/", views.public_response_print, "print"),
    ("response.pdf", views.public_response_pdf, "pdf"),
    ("response.json", views.public_response_json, "json"),
    ("response.csv", views.public_response_csv, "csv"),
]:
    urlpatterns += [
        path(f"{RESPONSE}{suffix}", view, name=name),
        path(f"{VERSION}{suffix}", view, name=f"{name}_version"),
    ]
