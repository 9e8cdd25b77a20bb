from django.urls import path

from . import single_sign_on_views as views

app_name = "single_sign_on"
urlpatterns = [
    path("", views.start, name="start"),
    path("authenticate/", views.Authenticate.as_view(), name="authenticate"),
    path("callback/", views.Callback.as_view(), name="callback"),
]
