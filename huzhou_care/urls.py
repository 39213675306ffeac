from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("huzhou_care.accounts.urls")),
    path("", include("campaign.urls")),
    path("children/", include("children.urls")),
    path("notifications/", include("huzhou_care.notify.urls")),
    path("admin/", admin.site.urls),
]

# Chinese pages in the portal's layout (huzhou_care/errors.py); 500 is Django's, rendering
# templates/500.html without request context.
handler404 = "huzhou_care.errors.page_not_found"
handler403 = "huzhou_care.errors.permission_denied"
