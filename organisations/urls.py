"""The People pages under /organisations/, and the invitation link /invitations/<token>/
(included at the site's root: the link in the email is short and says what it is)."""

from django.urls import path

from . import views

app_name = "organisations"

urlpatterns = [
    path("organisations/people/", views.people_index, name="people_index"),
    path("organisations/<slug:slug>/people/", views.people, name="people"),
    path("organisations/<slug:slug>/people/invite/", views.invite, name="invite"),
    path(
        "organisations/<slug:slug>/people/invitations/<int:pk>/withdraw/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organisations/<slug:slug>/people/sign-in-roles/",
        views.claim_mapping_add,
        name="claim_mapping_add",
    ),
    path(
        "organisations/<slug:slug>/people/sign-in-roles/<int:pk>/remove/",
        views.claim_mapping_remove,
        name="claim_mapping_remove",
    ),
    path("organisations/<slug:slug>/people/<int:pk>/", views.person, name="person"),
    path(
        "organisations/<slug:slug>/people/<int:pk>/deactivate/",
        views.person_deactivate,
        name="person_deactivate",
    ),
    path(
        "organisations/<slug:slug>/people/<int:pk>/reactivate/",
        views.person_reactivate,
        name="person_reactivate",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
