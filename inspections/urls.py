from django.urls import path

from . import views

app_name = "inspections"
urlpatterns = [
    path("", views.inspection_list, name="list"),
    path("<slug:slug>/", views.inspection_detail, name="detail"),
]
