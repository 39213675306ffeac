"""One charting library for the portal: Apache ECharts, vendored with its licence, no CDN,
and nothing in it or in our drawer that the strict CSP would refuse (eval, inline styles)."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
ECHARTS = ROOT / "static/vendor/echarts"


def test_echarts_is_vendored_with_its_licence_and_chartjs_is_gone():
    assert (ECHARTS / "echarts.min.js").stat().st_size > 500_000
    assert "Apache License" in (ECHARTS / "LICENSE").read_text(encoding="utf-8")
    assert "Apache ECharts" in (ECHARTS / "NOTICE").read_text(encoding="utf-8")
    assert not (ROOT / "static/vendor/chartjs").exists()
    for path in [*(ROOT / "templates").rglob("*.html"), *(ROOT / "static/js").glob("*.js")]:
        text = path.read_text(encoding="utf-8")
        assert "chart.umd" not in text and "window.Chart" not in text, path
        assert not re.search(r"https?://[^\"' ]*(cdn|jsdelivr|unpkg)", text), path


def test_echarts_needs_no_eval_under_the_csp():
    """The one dynamic-code path in the build is the GeoJSON loader's fallback for browsers
    without JSON.parse (never taken; the portal draws no maps)."""
    text = (ECHARTS / "echarts.min.js").read_text(encoding="utf-8")
    assert not re.search(r"\beval\(", text)
    uses = re.findall(r".{60}new Function\(", text)
    assert len(uses) == 1 and "JSON.parse?JSON.parse(" in uses[0]
    assert "sourceMappingURL" not in text


def test_the_chart_drawer_uses_canvas_and_rich_text_tooltips_only():
    text = (ROOT / "static/js/charts.js").read_text(encoding="utf-8")
    assert 'renderer: "canvas"' in text
    assert text.count('renderMode: "richText"') == text.count("tooltip:")
    assert "innerHTML" not in text and "eval(" not in text and "new Function" not in text
