# Personal identifiers encrypted at rest (issue 13): the ID number, the three phones and the two
# addresses become SM4-GCM EncryptedFields with blind indexes and masked forms beside them. The
# data step encrypts what is stored (batches of 5,000) and masks the same fields in the change
# history and in logged search terms; reversing it decrypts again (development only; masked
# history stays masked).

import huzhou_care.crypto.fields
from django.db import migrations, models
from django.db.models import Q

from huzhou_care.crypto.migration import decrypt_existing, encrypt_existing

PROTECTED = ["id_number", "guardian_phone", "father_phone", "mother_phone", "hukou_address", "current_address"]


def mask_history(apps, schema_editor):
    Child = apps.get_model("children", "Child")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ChangeRecord = apps.get_model("audit", "ChangeRecord")
    AccessLog = apps.get_model("audit", "AccessLog")
    fields = {f.name: f for f in Child._meta.encrypted_fields}
    ct = ContentType.objects.filter(app_label="children", model="child").first()
    if ct is not None:
        records = ChangeRecord.objects.filter(content_type=ct, changes__has_any_keys=PROTECTED)
        batch = []
        for record in records.only("pk", "changes").iterator(chunk_size=5000):
            record.changes = {
                name: ([fields[name].mask(str(v or "")) for v in pair] if name in fields else pair)
                for name, pair in record.changes.items()
            }
            batch.append(record)
            if len(batch) >= 5000:
                ChangeRecord.objects.bulk_update(batch, ["changes"])
                batch = []
        ChangeRecord.objects.bulk_update(batch, ["changes"])
    id_field = fields["id_number"]
    phone_field = fields["guardian_phone"]
    logs = []
    for log in AccessLog.objects.filter(query__has_key="q").only("pk", "query").iterator(chunk_size=5000):
        term = str(log.query.get("q") or "")
        if sum(ch.isdigit() for ch in term) >= 7:
            masked = id_field.mask(term) if len(term) >= 15 else phone_field.mask(term)
            log.query = {**log.query, "q": masked}
            logs.append(log)
    AccessLog.objects.bulk_update(logs, ["query"], batch_size=5000)


class Migration(migrations.Migration):

    dependencies = [
        ("children", "0009_transfer_asked_name"),
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RemoveField(model_name="rosterrow", name="raw"),
        # Companions, filled by the data step (the blind index becomes unique after it).
        migrations.AddField(model_name="child", name="id_number_bidx", field=models.CharField(default="", editable=False, max_length=64), preserve_default=False),
        migrations.AddField(model_name="child", name="id_number_masked", field=models.CharField(default="", editable=False, max_length=18, verbose_name="身份证号"), preserve_default=False),
        migrations.AddField(model_name="child", name="guardian_phone_bidx", field=models.CharField(blank=True, editable=False, max_length=64)),
        migrations.AddField(model_name="child", name="guardian_phone_masked", field=models.CharField(blank=True, editable=False, max_length=20, verbose_name="监护人电话")),
        migrations.AddField(model_name="child", name="father_phone_bidx", field=models.CharField(blank=True, editable=False, max_length=64)),
        migrations.AddField(model_name="child", name="father_phone_masked", field=models.CharField(blank=True, editable=False, max_length=20, verbose_name="父亲电话")),
        migrations.AddField(model_name="child", name="mother_phone_bidx", field=models.CharField(blank=True, editable=False, max_length=64)),
        migrations.AddField(model_name="child", name="mother_phone_masked", field=models.CharField(blank=True, editable=False, max_length=20, verbose_name="母亲电话")),
        migrations.AddField(model_name="child", name="hukou_address_masked", field=models.CharField(blank=True, editable=False, max_length=200, verbose_name="户籍所在地")),
        migrations.AddField(model_name="child", name="current_address_masked", field=models.CharField(blank=True, editable=False, max_length=200, verbose_name="现居住地址")),
        migrations.AddField(model_name="rosterrow", name="id_number_bidx", field=models.CharField(blank=True, editable=False, max_length=64)),
        migrations.AddField(model_name="rosterrow", name="id_number_masked", field=models.CharField(blank=True, editable=False, max_length=40, verbose_name="身份证号")),
        # The clear columns become ciphertext columns (text).
        migrations.AlterField(model_name="child", name="id_number", field=huzhou_care.crypto.fields.EncryptedField(blind_index="id_number_bidx", kind="id_number", masked="id_number_masked", max_length=18, verbose_name="身份证号")),
        migrations.AlterField(model_name="child", name="guardian_phone", field=huzhou_care.crypto.fields.EncryptedField(blank=True, blind_index="guardian_phone_bidx", kind="phone", masked="guardian_phone_masked", max_length=20, verbose_name="监护人电话")),
        migrations.AlterField(model_name="child", name="father_phone", field=huzhou_care.crypto.fields.EncryptedField(blank=True, blind_index="father_phone_bidx", kind="phone", masked="father_phone_masked", max_length=20, verbose_name="父亲电话")),
        migrations.AlterField(model_name="child", name="mother_phone", field=huzhou_care.crypto.fields.EncryptedField(blank=True, blind_index="mother_phone_bidx", kind="phone", masked="mother_phone_masked", max_length=20, verbose_name="母亲电话")),
        migrations.AlterField(model_name="child", name="hukou_address", field=huzhou_care.crypto.fields.EncryptedField(blank=True, kind="address", masked="hukou_address_masked", max_length=200, verbose_name="户籍所在地")),
        migrations.AlterField(model_name="child", name="current_address", field=huzhou_care.crypto.fields.EncryptedField(blank=True, kind="address", masked="current_address_masked", max_length=200, verbose_name="现居住地址")),
        migrations.AlterField(model_name="rosterrow", name="id_number", field=huzhou_care.crypto.fields.EncryptedField(blank=True, blind_index="id_number_bidx", kind="id_number", masked="id_number_masked", max_length=40, verbose_name="身份证号")),
        # Encrypt what is stored; mask the same fields in the history and in logged searches.
        migrations.RunPython(encrypt_existing("children", "Child"), decrypt_existing("children", "Child")),
        migrations.RunPython(encrypt_existing("children", "RosterRow"), decrypt_existing("children", "RosterRow")),
        migrations.RunPython(mask_history, migrations.RunPython.noop),
        migrations.AlterField(model_name="child", name="id_number_bidx", field=models.CharField(editable=False, max_length=64, unique=True)),
        migrations.AddIndex(model_name="child", index=models.Index(condition=Q(("guardian_phone_bidx", ""), _negated=True), fields=["guardian_phone_bidx"], name="child_guardian_phone_bidx")),
        migrations.AddIndex(model_name="child", index=models.Index(condition=Q(("father_phone_bidx", ""), _negated=True), fields=["father_phone_bidx"], name="child_father_phone_bidx")),
        migrations.AddIndex(model_name="child", index=models.Index(condition=Q(("mother_phone_bidx", ""), _negated=True), fields=["mother_phone_bidx"], name="child_mother_phone_bidx")),
    ]
