"""An organisation's webhook endpoints and their deliveries, for its administrators."""

from django.urls import path

from . import views

app_name = "webhooks"

ENDPOINTS = "organisations/<slug:slug>/webhooks/"
ENDPOINT = f"{ENDPOINTS}<int:pk>/"

urlpatterns = [
    path(ENDPOINTS, views.endpoints, name="endpoints"),
    path(f"{ENDPOINTS}add/", views.endpoint_add, name="endpoint_add"),
    path(ENDPOINT, views.endpoint, name="endpoint"),
    path(f"{ENDPOINT}edit/", views.endpoint_edit, name="endpoint_edit"),
    path(f"{ENDPOINT}pause/", views.endpoint_pause, name="endpoint_pause"),
    path(f"{ENDPOINT}resume/", views.endpoint_resume, name="endpoint_resume"),
    path(f"{ENDPOINT}rotate-secret/", views.endpoint_rotate_secret, name="endpoint_rotate_secret"),
    path(f"{ENDPOINT}delete/", views.endpoint_delete, name="endpoint_delete"),
    path(
        f"{ENDPOINT}deliveries/<uuid:delivery>/send-again/",
        views.delivery_resend,
        name="delivery_resend",
    ),
]
