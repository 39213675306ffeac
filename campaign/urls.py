from django.urls import path

from . import views

app_name = "campaign"

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("completeness/", views.completeness, name="completeness"),
    path("overdue/", views.overdue, name="overdue"),
    path("overdue/remind/", views.remind, name="remind"),
    path("reports/", views.reports, name="reports"),
    path("reports/start/", views.report_start, name="report_start"),
    path("reports/reopen/", views.report_reopen, name="report_reopen"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/action/", views.report_move, name="report_move"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("pilots/", views.pilots, name="pilots"),
    path("pilots/new/", views.pilot_create, name="pilot_create"),
    path("pilots/dossier/", views.pilot_dossier, name="pilot_dossier"),
    path("pilots/<int:pk>/", views.pilot_detail, name="pilot_detail"),
    path("pilots/<int:pk>/edit/", views.pilot_edit, name="pilot_edit"),
    path("pilots/<int:pk>/attach/", views.pilot_attach, name="pilot_attach"),
    path("pilots/<int:pk>/action/", views.pilot_move, name="pilot_move"),
    path("stories/", views.stories, name="stories"),
    path("stories/new/", views.story_create, name="story_create"),
    path("stories/<int:pk>/", views.story_detail, name="story_detail"),
    path("stories/<int:pk>/photos/", views.story_photo_add, name="story_photo_add"),
    path("stories/<int:pk>/action/", views.story_move, name="story_move"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("nominations/", views.nominations, name="nominations"),
    path("nominations/new/", views.nomination_create, name="nomination_create"),
    path("nominations/<int:pk>/action/", views.nomination_move, name="nomination_move"),
    path("showcase/", views.showcase, name="showcase"),
    path("showcase/photos/<int:pk>/", views.showcase_photo, name="showcase_photo"),
]
