from django.urls import path

from . import views

app_name = "children"

urlpatterns = [
    path("", views.child_list, name="list"),
    path("risk/", views.risk_list, name="risk"),
    path("<int:pk>/", views.child_detail, name="detail"),
    path("<int:pk>/identifiers/", views.child_identifiers, name="identifiers"),
    path("rosters/", views.child_list, name="roster_upload"),  # replaced by the roster pages
]
