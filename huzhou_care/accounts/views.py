from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from .selectors import home_summary


def home(request):
    summary = home_summary(request.user)
    chart = None
    if "by_county" in summary:
        # Suppressed cells (fewer than 5 children) are drawn as empty bars, as in the table.
        chart = {
            "labels": [row["county"].name for row in summary["by_county"]],
            "series": [
                {"label": "在册留守儿童", "data": [row["children"] for row in summary["by_county"]]}
            ],
        }
    return render(request, "accounts/home.html", {"summary": summary, "county_chart": chart})


@login_not_required
def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
