from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from .selectors import home_summary


def home(request):
    return render(request, "accounts/home.html", {"summary": home_summary(request.user)})


@login_not_required
def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
