"""The core encrypted field type on a throw-away model (its own table, isolated app
registry): ciphertext at rest, companions, blind-index lookups, keys and rotation."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import FieldError
from django.db import IntegrityError, connection, models, transaction
from django.test.utils import isolate_apps, override_settings

from huzhou_care.crypto.cipher import DecryptionError, keyring
from huzhou_care.crypto.devkeys import KeyConfigError, parse_field_keys
from huzhou_care.crypto.fields import EncryptedField, Opened, Sealed
from huzhou_care.crypto.kinds import mask_address, normalise_id_number, normalise_phone
from huzhou_care.crypto.rotation import rotate_model

ROOT = Path(__file__).resolve().parents[2]
ID = "330502201501011234"


def _key(key_id):
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(16)).decode()}"


@pytest.fixture
def Person(django_db_blocker):
    with isolate_apps("huzhou_care.crypto"):

        class Person(models.Model):
            id_number = EncryptedField(
                kind="id_number", blind_index="id_number_bidx", masked="id_number_masked"
            )
            phone = EncryptedField(
                kind="phone", blank=True, blind_index="phone_bidx", masked="phone_masked"
            )
            address = EncryptedField(kind="address", blank=True, masked="address_masked")
            # Companions declared after the fields: construction must still fill them.
            id_number_bidx = models.CharField(max_length=64, unique=True)
            id_number_masked = models.CharField(max_length=18)
            phone_bidx = models.CharField(max_length=64, blank=True)
            phone_masked = models.CharField(max_length=20, blank=True)
            address_masked = models.CharField(max_length=40, blank=True)

            class Meta:
                app_label = "crypto"

            def __str__(self):
                return self.id_number_masked

        with django_db_blocker.unblock(), connection.schema_editor() as editor:
            editor.create_model(Person)
        yield Person
        with django_db_blocker.unblock(), connection.schema_editor() as editor:
            editor.delete_model(Person)


def _raw(Person, pk):
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()


pytestmark = pytest.mark.django_db(transaction=True)


def test_values_are_stored_encrypted_with_a_fresh_nonce_and_the_key_id(Person):
    a = Person.objects.create(
        id_number=ID, phone="13812345678", address="浙江省湖州市吴兴区织里镇1号"
    )
    b = Person.objects.create(id_number="330502201501021230", phone="13812345678")
    row = _raw(Person, a.pk)
    stored = " ".join(str(v) for v in row)
    assert ID not in stored and "13812345678" not in stored and "织里镇1号" not in stored
    token_a, token_b = row[2], _raw(Person, b.pk)[2]  # phone column
    assert token_a != token_b  # same phone, different nonces
    assert token_a.startswith(f"{keyring().current_id}:")
    again = Person.objects.get(pk=a.pk)
    assert isinstance(again.__dict__["id_number"], Sealed)  # nothing decrypted on load
    assert again.id_number == ID and again.phone == "13812345678"
    assert again.address == "浙江省湖州市吴兴区织里镇1号"


def test_companions_hold_the_blind_index_and_the_masked_form(Person):
    p = Person(id_number=ID, phone="138 1234 5678", address="浙江省湖州市吴兴区织里镇1号")
    assert p.id_number_masked == "3305**********1234"
    assert p.phone_masked == "138****5678"
    assert p.address_masked == "浙江省湖州市吴兴区****"
    assert len(p.id_number_bidx) == 64 and ID not in p.id_number_bidx
    p.save()
    p.phone = "13900001111"  # assigning refills the companions
    assert p.phone_masked == "139****1111"
    p.save()
    loaded = Person.objects.only("id", "phone_masked").get(pk=p.pk)
    assert loaded.phone_masked == "139****1111"


def test_exact_and_in_lookups_use_the_normalised_blind_index(Person):
    p = Person.objects.create(id_number="33050220150101123X", phone="13812345678")
    assert Person.objects.get(id_number="33050220150101123x") == p
    assert Person.objects.get(id_number="３３０５０２２０１５０１０１１２３Ｘ") == p
    assert Person.objects.filter(phone__in=["+86 138-1234-5678", "13900000000"]).get() == p
    assert not Person.objects.filter(id_number="330502201501011231").exists()
    with pytest.raises(FieldError):
        list(Person.objects.filter(id_number__startswith="3305"))
    with pytest.raises(FieldError):
        list(Person.objects.filter(address="浙江省"))  # no blind index: cannot be matched


def test_the_same_id_in_another_spelling_is_a_duplicate(Person):
    Person.objects.create(id_number="33050220150101123X")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(id_number="33050220150101123x")


def test_an_altered_or_moved_ciphertext_does_not_decrypt(Person):
    p = Person.objects.create(id_number=ID, phone="13812345678")
    token = _raw(Person, p.pk)[2]
    Person.objects.filter(pk=p.pk).update(id_number=Sealed(token))  # phone's token in id column
    with pytest.raises(DecryptionError):
        _ = Person.objects.get(pk=p.pk).id_number
    key_id, _, b64 = token.partition(":")
    raw = bytearray(base64.b64decode(b64))
    raw[15] ^= 1
    bad = f"{key_id}:{base64.b64encode(bytes(raw)).decode()}"
    Person.objects.filter(pk=p.pk).update(phone=Sealed(bad))
    with pytest.raises(DecryptionError):
        _ = Person.objects.get(pk=p.pk).phone


def test_an_unchanged_value_is_written_back_as_read(Person):
    p = Person.objects.create(id_number=ID, phone="13812345678")
    before = _raw(Person, p.pk)
    loaded = Person.objects.get(pk=p.pk)
    assert isinstance(loaded.phone, Opened)
    loaded.save()
    assert _raw(Person, p.pk) == before


def test_rotation_key1_to_key2_then_without_key1(Person, settings):
    key1, key2 = _key("key1"), _key("key2")
    settings.FIELD_KEYS = key1
    people = [
        Person.objects.create(id_number=f"33050220150101{n:03d}0", phone=f"1381234{n:04d}")
        for n in range(7)
    ]
    settings.FIELD_KEYS = f"{key2},{key1}"
    list(rotate_model(Person, Person._meta.encrypted_fields, batch=3))
    assert all(
        v.startswith("key2:")
        for row in Person.objects.values_list("id_number", "phone")
        for v in (s.token for s in row)
    )
    settings.FIELD_KEYS = key2
    for person in people:
        again = Person.objects.get(pk=person.pk)
        assert again.id_number == person.id_number and again.phone == person.phone
    assert Person.objects.get(id_number=people[3].id_number).pk == people[3].pk


def test_a_value_under_a_removed_key_is_refused_not_misread(Person, settings):
    settings.FIELD_KEYS = _key("old")
    p = Person.objects.create(id_number=ID)
    settings.FIELD_KEYS = _key("new")
    with pytest.raises(DecryptionError, match="unknown key id"):
        _ = Person.objects.get(pk=p.pk).id_number


def test_normalisers_and_masks():
    assert normalise_id_number(" ３３０５０２２０１５０１０１１２３ｘ ") == "33050220150101123X"
    assert normalise_phone("+86 138-1234-5678") == "13812345678"
    assert mask_address("湖州市南浔区练市镇某村8号") == "湖州市南浔区****"
    assert "8号" not in mask_address("某村8号")


def test_key_settings_are_checked():
    with pytest.raises(KeyConfigError):
        parse_field_keys("k1:" + base64.b64encode(b"short").decode())
    with pytest.raises(KeyConfigError):
        parse_field_keys("")
    assert [k for k, _ in parse_field_keys(f"{_key('a')},{_key('b')}")] == ["a", "b"]


@pytest.mark.django_db(transaction=False)
def test_production_refuses_to_start_without_field_keys():
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "x.example",
    }
    env.pop("DJANGO_FIELD_KEYS", None)
    env.pop("DJANGO_BLIND_INDEX_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_FIELD_KEYS" in result.stderr


@override_settings(FIELD_KEYS=_key("t1"))
def test_the_keyring_follows_the_settings():
    assert keyring().current_id == "t1"
