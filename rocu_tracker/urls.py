from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import health, views

urlpatterns = [
    path("", views.home, name="home"),
    # The load balancer asks /health/ready/ (/health/ is its old address); a process
    # supervisor asks /health/live/ (rocu_tracker/health.py says what each checks).
    path("health/", health.ready, name="health"),
    path("health/live/", health.live, name="health_live"),
    path("health/ready/", health.ready, name="health_ready"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", include("accounts.urls")),
    # Single sign-on (OpenID Connect): 404 unless configured (accounts/single_sign_on_urls.py).
    path("accounts/single-sign-on/", include("accounts.single_sign_on_urls")),
    path("accounts/", include("accounts.password_urls")),
    path("inspections/", include("inspections.urls")),
    path("notifications/", include("reminders.urls")),
    path("", include("recommendations.urls")),
    path("plans/", include("actionplans.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("section55/", include("section55.urls")),
    path("responses/", include("section55.public_urls")),
    # The People pages (/organisations/...) and the invitation link (/invitations/<token>/).
    path("", include("organisations.urls")),
    # The JSON API, its OpenAPI schema and docs (api/urls.py).
    path("api/v1/", include("api.urls")),
    # API tokens (api/token_urls.py): /accounts/api-tokens/, /organisations/<slug>/api-tokens/.
    path("", include("api.token_urls")),
    # An organisation's webhook endpoints and their deliveries (/organisations/<slug>/webhooks/).
    path("", include("webhooks.urls")),
    # Board meetings and board papers for any scope.
    path("boards/", include("boards.urls")),
    # The public progress tracker (no sign-in): what organisations choose to publish.
    path("public/", include("public_progress.urls")),
    path("admin/", admin.site.urls),
]
