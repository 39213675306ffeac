"""Clean text stored before every way in cleaned it (issue 7): control characters, bidi
controls, and zero-width characters in names, removed from children, roster previews and
transfer requests. Rows without such characters are not touched; no history is written (the
values shown are the same; only invisible characters go)."""

from django.db import migrations

from huzhou_care.text import clean_name, clean_text, has_unsafe

CHILD_NAMES = ("name", "guardian_name", "father_name", "mother_name")
CHILD_MULTILINE = ("notes",)


def _cleaned(value, *, name=False, multiline=False):
    if isinstance(value, str):
        if name:
            return clean_name(value).strip()
        return clean_text(value, multiline=multiline)
    if isinstance(value, list):
        return [_cleaned(v, multiline=True) for v in value]
    if isinstance(value, dict):
        return {k: _cleaned(v, multiline=True) for k, v in value.items()}
    return value


def _dirty(value) -> bool:
    if isinstance(value, str):
        return has_unsafe(value) or ("\r" in value)
    if isinstance(value, list):
        return any(_dirty(v) for v in value)
    if isinstance(value, dict):
        return any(_dirty(v) for v in value.values())
    return False


def _clean_model(model, fields, names=(), multiline=()):
    # Only the fields the model has at this state (a test may run this on today's models,
    # where the preview's raw cells are gone).
    have = {f.name for f in model._meta.get_fields()}
    fields = [f for f in fields if f in have]
    for row in model.objects.only("pk", *fields).iterator(chunk_size=2000):
        changes = {}
        for field in fields:
            value = getattr(row, field)
            if _dirty(value) or (field in names and isinstance(value, str) and value != clean_name(value)):
                changes[field] = _cleaned(value, name=field in names, multiline=field in multiline)
        if changes:
            model.objects.filter(pk=row.pk).update(**changes)


def clean_stored_text(apps, schema_editor):
    Child = apps.get_model("children", "Child")
    text_fields = [
        f.name
        for f in Child._meta.get_fields()
        if getattr(f, "get_internal_type", lambda: "")() in ("CharField", "TextField")
        and not f.choices
    ]
    _clean_model(Child, text_fields, names=CHILD_NAMES, multiline=CHILD_MULTILINE)
    _clean_model(
        apps.get_model("children", "RosterRow"), ["name", "id_number", "errors", "raw"], names=("name",)
    )
    _clean_model(
        apps.get_model("children", "RosterUpload"), ["original_name", "message", "warnings", "header"]
    )
    _clean_model(apps.get_model("children", "TransferRequest"), ["note", "decision_note"])


class Migration(migrations.Migration):
    dependencies = [("children", "0007_rosterupload_status_in_step")]

    operations = [migrations.RunPython(clean_stored_text, migrations.RunPython.noop, elidable=True)]
