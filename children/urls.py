from django.urls import path

from . import views

app_name = "children"

urlpatterns = [
    path("", views.child_list, name="list"),
    path("search/", views.child_search, name="search"),
    path("risk/", views.risk_list, name="risk"),
    path("register/", views.child_register, name="register"),
    path("export/", views.child_export, name="export"),
    path("<int:pk>/", views.child_detail, name="detail"),
    path("<int:pk>/identifiers/", views.child_identifiers, name="identifiers"),
    path("<int:pk>/edit/", views.child_edit, name="edit"),
    path("<int:pk>/leave/", views.child_leave, name="leave"),
    path("<int:pk>/restore/", views.child_restore, name="restore"),
    path("<int:pk>/transfer/", views.child_transfer, name="transfer"),
    path("rosters/", views.roster_upload, name="roster_upload"),
    path("rosters/template/", views.roster_template, name="roster_template"),
    path("rosters/<int:pk>/", views.roster_detail, name="roster_detail"),
    path("rosters/<int:pk>/progress/", views.roster_progress, name="roster_progress"),
    path("rosters/<int:pk>/confirm/", views.roster_confirm, name="roster_confirm"),
    path("rosters/<int:pk>/cancel/", views.roster_cancel, name="roster_cancel"),
    path("rosters/<int:pk>/errors/", views.roster_errors, name="roster_errors"),
    path(
        "rosters/<int:pk>/rows/<int:row>/transfer/",
        views.roster_transfer_request,
        name="roster_transfer_request",
    ),
    path("transfers/", views.transfer_requests, name="transfer_requests"),
    path("transfers/<int:pk>/decide/", views.transfer_decide, name="transfer_decide"),
]
