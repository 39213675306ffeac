"""Routes of the programmes, added to ``campaign.urls`` (namespace ``campaign``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("campaign/venues/", views.venues, name="venues"),
    path("campaign/venues/new/", views.venue_create, name="venue_create"),
    path("campaign/venues/<int:pk>/", views.venue_detail, name="venue_detail"),
    path("campaign/venues/<int:pk>/photos/", views.venue_photo_add, name="venue_photo_add"),
    path("campaign/venue-photos/<int:pk>/", views.venue_photo, name="venue_photo"),
    path("campaign/activities/", views.activities, name="activities"),
    path("campaign/activities/new/", views.activity_create, name="activity_create"),
    path("campaign/activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path(
        "campaign/activities/<int:pk>/photos/", views.activity_photo_add, name="activity_photo_add"
    ),
    path("campaign/activity-photos/<int:pk>/", views.activity_photo, name="activity_photo"),
    path("campaign/wishes/", views.wishes, name="wishes"),
    path("campaign/wishes/<int:pk>/", views.wish_detail, name="wish_detail"),
    path("campaign/wishes/<int:pk>/action/", views.wish_move, name="wish_move"),
    path("campaign/wishes/<int:pk>/evidence/", views.wish_evidence, name="wish_evidence"),
    path("campaign/care/", views.plans, name="plans"),
    path("campaign/care/find/", views.care_find, name="care_find"),
    path("campaign/care/children/<int:pk>/", views.child_care, name="child_care"),
    path("campaign/care/children/<int:pk>/wish/", views.wish_add, name="wish_add"),
    path("campaign/care/children/<int:pk>/aid/", views.aid_add, name="aid_add"),
    path("campaign/care/children/<int:pk>/plan/", views.plan_add, name="plan_add"),
    path(
        "campaign/care/children/<int:pk>/guardianship/",
        views.guardianship_add,
        name="guardianship_add",
    ),
    path("campaign/care/children/<int:pk>/follow-up/", views.follow_up_add, name="follow_up_add"),
    path("campaign/care/plans/<int:pk>/review/", views.plan_review, name="plan_review"),
    path(
        "campaign/care/guardianship/<int:pk>/document/",
        views.guardianship_document,
        name="guardianship_document",
    ),
    # Public (allow-listed): the wish wall and its claim form.
    path("wishes/", views.wish_wall, name="wish_wall"),
    path("wishes/<int:pk>/claim/", views.wish_claim, name="wish_claim"),
]
