from django.urls import path

from . import views

app_name = "children"

urlpatterns = [
    path("", views.child_list, name="list"),
    path("risk/", views.risk_list, name="risk"),
    path("register/", views.child_register, name="register"),
    path("export/", views.child_export, name="export"),
    path("<int:pk>/", views.child_detail, name="detail"),
    path("<int:pk>/identifiers/", views.child_identifiers, name="identifiers"),
    path("<int:pk>/edit/", views.child_edit, name="edit"),
    path("<int:pk>/leave/", views.child_leave, name="leave"),
    path("<int:pk>/restore/", views.child_restore, name="restore"),
    path("<int:pk>/transfer/", views.child_transfer, name="transfer"),
    path("rosters/", views.child_list, name="roster_upload"),  # replaced by the roster pages
]
