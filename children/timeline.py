"""Turn stored change records ({field: [old, new]}) into Chinese lines for the timeline."""

from django.core.exceptions import FieldDoesNotExist

from huzhou_care.orgs.models import OrgUnit, School

from .models import Child

# History records hold masked values of encrypted fields already; masking again is harmless
# and covers records written before the fields were encrypted.
MASKED = {f.name: f.mask for f in Child._meta.encrypted_fields}
RELATED = {"county": OrgUnit, "township": OrgUnit, "school": School}


def _display(field, value):
    if value in (None, ""):
        return "（空）"
    if field.name in MASKED:
        return MASKED[field.name](str(value))
    if field.name in RELATED:
        obj = RELATED[field.name].objects.filter(pk=value).only("name").first()
        return obj.name if obj else f"#{value}"
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def describe_changes(changes: dict) -> list[tuple[str, str, str]]:
    lines = []
    for name, (old, new) in changes.items():
        try:
            field = Child._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        lines.append((str(field.verbose_name), _display(field, old), _display(field, new)))
    return lines
