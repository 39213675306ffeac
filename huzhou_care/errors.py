"""Error pages in the portal's layout and in Chinese: 404 and 403 (with the menu of a signed-in
user), 500 (without request context, so that it renders even when the database is down).

With DEBUG on, Django answers a 404 with its technical page (English, outside the layout);
``NotFoundPageMiddleware`` puts the portal's page in its place, so that ``make run`` shows a
clerk what production shows: records outside one's scope answer 404 by design.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


@login_not_required
def page_not_found(request, exception=None):
    response = render(request, "404.html", status=404)
    response.portal_page = True
    return response


@login_not_required
def permission_denied(request, exception=None):
    response = render(request, "403.html", status=403)
    response.portal_page = True
    return response


class NotFoundPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and not getattr(response, "portal_page", False)
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(request, "htmx", False)
        ):
            return page_not_found(request)
        return response
