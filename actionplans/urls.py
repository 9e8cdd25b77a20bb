from django.urls import path

from . import views

app_name = "actionplans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/<slug:inspection_slug>/", views.plan_create, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
]
