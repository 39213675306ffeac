"""Session limits and cache headers for signed-in pages."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.cache import add_never_cache_headers, patch_cache_control

SESSION_STARTED_KEY = "portal_session_started"


class SessionLimitsMiddleware:
    """The idle timeout is the session cookie age, renewed on each request
    (SESSION_SAVE_EVERY_REQUEST). This adds the absolute limit: a session older than
    SESSION_ABSOLUTE_SECONDS ends, however active it is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = int(time.time())
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Pages seen by a signed-in user may hold personal data: never cache them anywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
