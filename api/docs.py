"""The API's docs page: Swagger UI from drf-spectacular-sidecar's static files, its start-up
script fetched from this same view (?script), so the page needs no inline script or style
under the site's CSP. Signed in, "Try it out" uses the session, its writes carrying the CSRF
token from the cookie this page makes sure of."""

from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.views import SpectacularSwaggerSplitView


@method_decorator(ensure_csrf_cookie, name="get")
class SwaggerDocs(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = "ROCU Tracker API"
