"""The navigation each role sees. Views decide access; this only hides what would 404."""

from django.urls import reverse

from .navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": menu_for(user, request.path),
        "admin_url": reverse("admin:index") if user.is_city_admin else None,
    }
