from django import template

from ..selectors import star_level

register = template.Library()


@register.filter
def stars(hours) -> str:
    """★★★☆☆ for a cumulative number of approved hours."""
    level = star_level(hours)
    return "★" * level + "☆" * (5 - level)


@register.filter
def star_count(hours) -> int:
    return star_level(hours)
