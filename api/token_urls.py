"""The token pages (HTML for people): /accounts/api-tokens/ and
/organisations/<slug>/api-tokens/."""

from django.urls import path

from . import token_views

app_name = "api_tokens"

urlpatterns = [
    path("accounts/api-tokens/", token_views.personal_tokens, name="personal"),
    path(
        "accounts/api-tokens/<int:pk>/revoke/",
        token_views.personal_token_revoke,
        name="personal_revoke",
    ),
    path("organisations/<slug:slug>/api-tokens/", token_views.service_tokens, name="service"),
    path(
        "organisations/<slug:slug>/api-tokens/<int:pk>/revoke/",
        token_views.service_token_revoke,
        name="service_revoke",
    ),
]
