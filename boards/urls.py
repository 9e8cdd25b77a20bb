from django.urls import path

from . import views

app_name = "boards"

urlpatterns = [
    path("", views.board_list, name="list"),
    path("<int:pk>/", views.board_detail, name="detail"),
    path("<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_paper, name="paper"),
    path("meetings/<int:pk>/issue/", views.paper_issue, name="paper_issue"),
    path("meetings/<int:pk>/paper.pdf", views.paper_pdf, name="paper_pdf"),
]
