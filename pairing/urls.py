from django.urls import path

from . import views

app_name = "pairing"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("visit/", views.visit_new, name="visit_new"),
    path("children/<int:pk>/", views.child_card, name="child"),
    path("visits/<int:pk>/close/", views.follow_up_close, name="follow_up_close"),
    path("pair/", views.pair, name="pair"),
    path("class/", views.class_pair, name="class_pair"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="end"),
    path("orgs/", views.org_list, name="org_list"),
    path("orgs/new/", views.org_create, name="org_create"),
    path("orgs/<int:pk>/", views.org_detail, name="org_detail"),
    path("orgs/<int:pk>/visit/", views.org_visit, name="org_visit"),
    path("coverage/", views.coverage, name="coverage"),
    path("overdue/", views.overdue, name="overdue"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/<int:pk>/", views.thread, name="thread"),
]
