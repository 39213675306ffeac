from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("huzhou_care.accounts.urls")),
    path("", include("campaign.urls")),
    path("children/", include("children.urls")),
    path("admin/", admin.site.urls),
]
