"""Issue 13 acceptance: no resident ID number, phone or address in clear in any table after
seed_demo and a roster import (history and access log included); uniqueness and search
through the blind index; key rotation; the data migration's encrypt/decrypt steps."""

import base64
import datetime as dt
import io
import json
import secrets
import subprocess
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from campaign.programmes.models import WishClaim
from children.identity import resident_id_build
from children.models import Child
from children.services import child_update
from huzhou_care.accounts.models import User
from huzhou_care.audit.models import AccessLog, ChangeRecord
from huzhou_care.audit.services import ChangeSource
from huzhou_care.crypto.migration import decrypt_existing, encrypt_existing
from volunteers.models import Volunteer

from ..factories import ChildFactory

ROSTERS = Path(__file__).resolve().parent.parent / "fixtures" / "rosters"
PROTECTED = [f.name for f in Child._meta.encrypted_fields]


def _key(key_id):
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(16)).decode()}"


def _clear_values() -> set[str]:
    """Every stored ID number, phone and address, decrypted (the values that must not be in
    any table in clear): the children's, and the phones of staff users, volunteers and wish
    claimers that seed_demo creates too."""
    values = set()
    for child in Child.objects.all():
        for name in PROTECTED:
            if value := getattr(child, name):
                values.add(str(value))
    others = [(User, "phone"), (Volunteer, "mobile"), (WishClaim, "phone")]
    for model, name in others:
        found = {str(v) for obj in model.objects.all() if (v := getattr(obj, name))}
        assert found, f"seed_demo stored no {model.__name__}.{name}: nothing would be checked"
        values |= found
    return values


def _dump() -> str:
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        result = subprocess.run(
            ["pg_dump", "--data-only", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432),
             "-U", db["USER"] or "postgres", db["NAME"]],
            capture_output=True, text=True, check=True, timeout=300,
            env={"PGPASSWORD": db["PASSWORD"] or "", "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        return result.stdout
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            parts.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(parts)


@pytest.mark.django_db(transaction=True)
def test_no_identifier_in_clear_in_any_table_after_seed_and_import(
    client, carol, wuxing_school, monkeypatch
):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 28))
    call_command("seed_demo", children=120, seed=5, stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_roster", str(ROSTERS / "clean-200.xlsx"), school=wuxing_school.code,
                 json=True, stdout=out)  # fmt: skip
    assert json.loads(out.getvalue())["created"] == 200
    # A search by full ID and by phone (access log), an edit of a phone (history).
    child = Child.objects.filter(school=wuxing_school).first()
    client.force_login(carol)
    page = client.get(reverse("children:list"), {"q": child.id_number}, follow=True)
    assert child.name in page.content.decode()
    client.get(reverse("children:list"), {"q": child.guardian_phone or "13812345678"}, follow=True)
    client.get(reverse("children:identifiers", args=[child.pk]))
    child_update(child=child, data={"father_phone": "13566667777"}, source=ChangeSource(carol))
    assert AccessLog.objects.filter(action="search").count() == 2
    assert ChangeRecord.objects.filter(action="update").exists()

    secrets_ = _clear_values()
    assert len(secrets_) > 800 and "13566667777" in secrets_
    dump = _dump()
    assert str(child.pk) in dump and child.name in dump  # the dump does hold the rows
    leaked = sorted(v for v in secrets_ if v in dump)
    assert leaked == []


def test_the_same_id_in_another_spelling_is_refused_as_a_duplicate(client, wuxing_school, carol):
    number = next(  # one whose check character is X
        n
        for o in range(999)
        if (n := resident_id_build("330502", dt.date(2015, 6, 1), o))[-1] == "X"
    )
    ChildFactory(school=wuxing_school, id_number=number)
    full_width = number[:-1].translate({ord("0") + i: ord("０") + i for i in range(10)}) + "x"
    client.force_login(carol)
    response = client.post(
        reverse("children:register"),
        {
            "name": "钱多多", "id_number": full_width, "ethnicity": "汉族",
            "school": wuxing_school.pk, "township": wuxing_school.township_id, "grade": 5,
            "left_behind_type": "both_away", "guardianship_type": "grandparent",
            "health": "healthy", "hukou_registered": "on",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "已在信息库中登记" in response.content.decode()
    assert Child.objects.count() == 1
    # And the database itself refuses it, whatever the spelling (unique blind index).
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildFactory(school=wuxing_school, id_number=number[:-1] + "x")


def test_search_by_full_id_or_phone_finds_the_child(client, carol, wuxing_school):
    child = ChildFactory(school=wuxing_school, mother_phone="13755556666")
    other = ChildFactory(school=wuxing_school)
    client.force_login(carol)
    body = client.get(
        reverse("children:list"), {"q": child.id_number.lower()}, follow=True
    ).content.decode()
    assert child.name in body and other.id_number_masked not in body
    body = client.get(
        reverse("children:list"), {"q": "137 5555 6666"}, follow=True
    ).content.decode()
    assert child.id_number_masked in body and other.id_number_masked not in body
    log = AccessLog.objects.filter(action="search").first()
    assert "13755556666" not in json.dumps(log.query) and "5555" not in json.dumps(log.query)


def test_lists_read_masked_columns_without_decrypting(client, carol, wuxing_school, monkeypatch):
    ChildFactory.create_batch(3, school=wuxing_school)
    from huzhou_care.crypto import cipher

    def refuse(*args, **kwargs):
        raise AssertionError("a list page decrypted a value")

    monkeypatch.setattr(cipher.KeyRing, "decrypt", refuse)
    client.force_login(carol)
    body = client.get(reverse("children:list")).content.decode()
    assert body.count("**********") == 3
    assert client.get(reverse("children:risk")).status_code == 200
    response = client.post(reverse("children:export"), {"layout": "national"})
    assert response.status_code == 200


def test_full_export_with_a_reason_decrypts(client, alice, wuxing_school):
    child = ChildFactory(school=wuxing_school, hukou_address="浙江省湖州市吴兴区织里镇晓河村")
    client.force_login(alice)
    response = client.post(
        reverse("children:export"), {"layout": "list", "full": "on", "reason": "核对监护人电话"}
    )
    assert response.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = {str(c.value) for row in sheet.iter_rows() for c in row}
    assert child.id_number in cells and "13812345678" in cells
    assert AccessLog.objects.get(action="export").query["full"] is True


@pytest.mark.django_db(transaction=True)
def test_rotation_key1_to_key2_then_without_key1(settings, wuxing_school):
    key1, key2 = _key("key1"), _key("key2")
    settings.FIELD_KEYS = key1
    children = ChildFactory.create_batch(5, school=wuxing_school, current_address="湖州市某路1号")
    expected = {c.pk: (c.id_number, c.guardian_phone, c.current_address) for c in children}
    settings.FIELD_KEYS = f"{key2},{key1}"
    out = io.StringIO()
    call_command("rotate_field_keys", batch=2, json=True, stdout=out)
    assert json.loads(out.getvalue())["models"]["children.Child"] == 5
    settings.FIELD_KEYS = key2
    for child in Child.objects.all():
        assert (child.id_number, child.guardian_phone, child.current_address) == expected[child.pk]
    tokens = Child.objects.values_list("id_number", flat=True)
    assert all(t.token.startswith("key2:") for t in tokens)
    assert Child.objects.get(id_number=children[2].id_number).pk == children[2].pk
    again = io.StringIO()
    call_command("rotate_field_keys", json=True, stdout=again)  # nothing left: resumes at zero
    assert json.loads(again.getvalue())["models"]["children.Child"] == 0


def test_the_data_migration_encrypts_clear_rows_and_reverses(wuxing_school):
    child = ChildFactory(school=wuxing_school, hukou_address="浙江省湖州市吴兴区织里镇")
    clear = [getattr(child, name) for name in PROTECTED]
    decrypt_existing("children", "Child")(django_apps, None)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(PROTECTED)} FROM children_child")  # noqa: S608
        assert list(cursor.fetchone()) == clear
        cursor.execute("UPDATE children_child SET id_number_bidx = '', id_number_masked = ''")
    encrypt_existing("children", "Child")(django_apps, None)
    encrypt_existing("children", "Child")(django_apps, None)  # a re-run does not double-encrypt
    again = Child.objects.get(pk=child.pk)
    assert [getattr(again, name) for name in PROTECTED] == clear
    assert again.id_number_masked == child.id_number_masked
    assert Child.objects.get(id_number=child.id_number) == again
