from django.urls import path

from . import views
from .evaluation import views as ev

app_name = "campaign"

urlpatterns = [
    path("", views.home, name="home"),
    path("campaign/", views.timeline, name="timeline"),
    path("campaign/completeness/", views.completeness, name="completeness"),
    path("campaign/overdue/", views.overdue, name="overdue"),
    path("campaign/overdue/remind/", views.remind, name="remind"),
    path("campaign/reports/", views.reports, name="reports"),
    path("campaign/reports/start/", views.report_start, name="report_start"),
    path("campaign/reports/reopen/", views.report_reopen, name="report_reopen"),
    path("campaign/reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("campaign/reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("campaign/reports/<int:pk>/action/", views.report_move, name="report_move"),
    path("campaign/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("campaign/pilots/", views.pilots, name="pilots"),
    path("campaign/pilots/new/", views.pilot_create, name="pilot_create"),
    path("campaign/pilots/dossier/", views.pilot_dossier, name="pilot_dossier"),
    path("campaign/pilots/<int:pk>/", views.pilot_detail, name="pilot_detail"),
    path("campaign/pilots/<int:pk>/edit/", views.pilot_edit, name="pilot_edit"),
    path("campaign/pilots/<int:pk>/attach/", views.pilot_attach, name="pilot_attach"),
    path("campaign/pilots/<int:pk>/action/", views.pilot_move, name="pilot_move"),
    path("campaign/stories/", views.stories, name="stories"),
    path("campaign/stories/new/", views.story_create, name="story_create"),
    path("campaign/stories/<int:pk>/", views.story_detail, name="story_detail"),
    path("campaign/stories/<int:pk>/photos/", views.story_photo_add, name="story_photo_add"),
    path("campaign/stories/<int:pk>/action/", views.story_move, name="story_move"),
    path("campaign/photos/<int:pk>/", views.photo, name="photo"),
    path("campaign/nominations/", views.nominations, name="nominations"),
    path("campaign/nominations/new/", views.nomination_create, name="nomination_create"),
    path("campaign/nominations/<int:pk>/action/", views.nomination_move, name="nomination_move"),
    path("campaign/showcase/", views.showcase, name="showcase"),
    path("campaign/showcase/photos/<int:pk>/", views.showcase_photo, name="showcase_photo"),
    # The December evaluation and its dashboards (campaign/evaluation/).
    path("campaign/dashboard/", ev.city_dashboard, name="dashboard"),
    path("campaign/dashboard/district/", ev.district_dashboard, name="dashboard_district"),
    path("campaign/dashboard/export/<slug:key>.xlsx", ev.dashboard_export, name="dashboard_export"),
    path("campaign/dashboard/refresh/", ev.dashboard_refresh, name="dashboard_refresh"),
    path("campaign/evaluation/", ev.evaluation, name="evaluation"),
    path("campaign/evaluation/ranking.xlsx", ev.evaluation_export, name="evaluation_export"),
    path("campaign/evaluation/run/", ev.evaluation_run, name="evaluation_run"),
    path("campaign/evaluation/jobs/<int:pk>/", ev.evaluation_job, name="evaluation_job"),
    path(
        "campaign/evaluation/districts/<int:pk>/",
        ev.evaluation_district,
        name="evaluation_district",
    ),
    path(
        "campaign/evaluation/districts/<int:pk>/assess/",
        ev.evaluation_assess,
        name="evaluation_assess",
    ),
    path(
        "campaign/evaluation/districts/<int:pk>/sheet.xlsx",
        ev.evaluation_sheet,
        name="evaluation_sheet",
    ),
]

# The programmes (issue 10): venues, activities, wishes and the public wish wall, care records.
from .programmes.urls import urlpatterns as programme_urls  # noqa: E402

urlpatterns += programme_urls
