"""The unread count on the bell in the navigation bar (one count over a partial index)."""

from .selectors import unread_count


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notify_unread": unread_count(user)}
