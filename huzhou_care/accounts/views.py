from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


@login_not_required
def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, where guessing the old password is limited like logging in:
    each wrong old password is a failed login (see ``PasswordChangeForm``), and a user locked
    out on this address gets the lockout page instead of the form."""

    def dispatch(self, request, *args, **kwargs):
        credentials = {"username": request.user.get_username()}
        if request.method == "POST" and AxesProxyHandler.is_locked(request, credentials):
            return get_lockout_response(request, credentials)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
