"""The office's private pages, under /section55/."""

from django.urls import path

from . import views

app_name = "section55"

RESPONSE = "<slug:body>/<slug:inspection>/"

urlpatterns = [
    path("", views.response_list, name="list"),
    path(RESPONSE, views.response_detail, name="detail"),
    path(f"{RESPONSE}start/", views.response_start, name="start"),
    path(f"{RESPONSE}invite/", views.chief_officer_invite, name="invite"),
    path(f"{RESPONSE}chief-officer/", views.chief_officer_comments, name="chief_officer"),
    path(f"{RESPONSE}not-received/", views.chief_officer_not_received, name="not_received"),
    path(f"{RESPONSE}office-comments/", views.office_comments, name="office_comments"),
    path(f"{RESPONSE}positions/<int:finding>/", views.position_set, name="position"),
    path(f"{RESPONSE}publish/", views.response_publish, name="publish"),
    path(f"{RESPONSE}copies/", views.copies_record, name="copies"),
    path(f"{RESPONSE}correction/", views.correction_start, name="correction"),
    path(f"{RESPONSE}letter/", views.covering_letter, name="letter"),
    path(f"{RESPONSE}letter.pdf", views.covering_letter, {"pdf": True}, name="letter_pdf"),
    path(f"{RESPONSE}board-paper/", views.board_paper, name="board_paper"),
    path(f"{RESPONSE}board-paper.pdf", views.board_paper, {"pdf": True}, name="board_paper_pdf"),
]
