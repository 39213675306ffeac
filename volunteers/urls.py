from django.urls import path

from . import views

app_name = "volunteers"

urlpatterns = [
    path("", views.volunteer_list, name="volunteer_list"),
    path("me/", views.me, name="me"),
    path("<int:pk>/", views.volunteer_detail, name="volunteer_detail"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/hours/", views.team_hours, name="team_hours"),
    path("teams/<int:pk>/hours/decide/", views.team_hours_decide, name="team_hours_decide"),
    path("teams/<int:pk>/hours/new/", views.record_new, name="record_new"),
    path("teams/<int:pk>/join/", views.team_join, name="team_join"),
    path("hours/<int:pk>/decide/", views.record_decide, name="record_decide"),
    path("memberships/<int:pk>/decide/", views.membership_decide, name="membership_decide"),
    path("uploads/", views.upload, name="upload"),
    path("uploads/<int:pk>/", views.upload_detail, name="upload_detail"),
    path("uploads/<int:pk>/progress/", views.upload_progress, name="upload_progress"),
    path("uploads/<int:pk>/confirm/", views.upload_confirm, name="upload_confirm"),
    path("uploads/<int:pk>/cancel/", views.upload_cancel, name="upload_cancel"),
    path("uploads/<int:pk>/errors/", views.upload_errors, name="upload_errors"),
]
