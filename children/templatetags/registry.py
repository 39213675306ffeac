"""Template filters for the registry: masking and the change timeline."""

from django import template

from huzhou_care.accounts.masking import mask_id_number, mask_phone

from ..timeline import describe_changes

register = template.Library()

register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)


@register.filter
def changes_display(record):
    return describe_changes(record.changes)


@register.simple_tag(takes_context=True)
def page_url(context, page_number):
    """The current query string with another page number."""
    query = context["request"].GET.copy()
    query["page"] = page_number
    return "?" + query.urlencode()
