# Staff users' phones encrypted at rest (issue 13), as the children's phones are in
# children/0010_encrypted_identifiers: User.phone becomes an SM4-GCM EncryptedField with its
# masked form stored beside it (no blind index: nothing looks users up by phone). The data step
# encrypts what is stored (batches of 5,000); reversing it decrypts again (development only).

import huzhou_care.crypto.fields
from django.db import migrations, models

from huzhou_care.crypto.migration import decrypt_existing, encrypt_existing


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        # The companion, filled by the data step.
        migrations.AddField(model_name="user", name="phone_masked", field=models.CharField(blank=True, editable=False, max_length=20, verbose_name="手机号")),
        # The clear column becomes a ciphertext column (text).
        migrations.AlterField(model_name="user", name="phone", field=huzhou_care.crypto.fields.EncryptedField(blank=True, kind="phone", masked="phone_masked", max_length=20, verbose_name="手机号")),
        migrations.RunPython(encrypt_existing("accounts", "User"), decrypt_existing("accounts", "User")),
    ]
