from django import template

register = template.Library()


@register.filter
def get_label(labels: dict, code: str) -> str:
    """The Chinese label of a rule code (the code itself if the rule is gone)."""
    return labels.get(code, code)


@register.filter
def channel(preference: dict, code: str):
    return next((c for c in preference["channels"] if c["code"] == code), None)
