"""Durations in Chinese words."""

import datetime as dt

from django import template

register = template.Library()


@register.filter
def duration_zh(value) -> str:
    """``timedelta(minutes=15)`` -> "15 分钟"; ``timedelta(hours=1, minutes=30)`` -> "1 小时 30 分钟"."""
    if not isinstance(value, dt.timedelta):
        return ""
    minutes = max(int(value.total_seconds() + 59) // 60, 1)
    hours, minutes = divmod(minutes, 60)
    parts = ([f"{hours} 小时"] if hours else []) + ([f"{minutes} 分钟"] if minutes else [])
    return " ".join(parts)
