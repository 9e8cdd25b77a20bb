from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.two_factor, name="two_factor"),
    path("set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("verify/", views.two_factor_verify, name="two_factor_verify"),
    path("turn-off/", views.two_factor_turn_off, name="two_factor_turn_off"),
]
