from django.shortcuts import render

from .selectors import home_summary


def home(request):
    """Every signed-in role has a home page: what it may see, counted."""
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
    return render(request, "campaign/home.html", {"summary": summary, "county_chart": chart})
