"""The navigation each role sees. Views decide access; this only hides what would 404."""

from django.urls import reverse

from .navigation import menu_for, menu_groups


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = menu_for(user, request.path)
    return {
        "nav_items": items,
        "nav_groups": menu_groups(items),
        "admin_url": reverse("admin:index") if user.is_city_admin else None,
    }
