"""Staff users' phones are encrypted at rest (issue 13) and shown masked in the admin's user
list; the admin's change form shows and accepts the full number."""

from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse

from huzhou_care.accounts.masking import FULL_IDENTIFIER_ROLES, may_unmask
from huzhou_care.accounts.models import Role, User
from huzhou_care.crypto.migration import decrypt_existing, encrypt_existing

from ..factories import UserFactory

PHONE = "13912345678"


def _raw_phone(user) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_masked FROM accounts_user WHERE id = %s", [user.pk])
        return cursor.fetchone()


def test_a_users_phone_is_stored_encrypted_with_its_masked_form(db):
    user = UserFactory(phone=PHONE)
    stored, masked = _raw_phone(user)
    assert stored and stored != PHONE and PHONE not in stored and "12345678" not in stored
    assert masked == "139****5678"
    assert User.objects.get(pk=user.pk).phone == PHONE
    assert UserFactory().phone == "" and _raw_phone(User.objects.last()) == ("", "")


def test_the_admin_user_list_shows_the_phone_masked(client, city_admin):
    UserFactory(username="zhou", phone=PHONE)
    client.force_login(city_admin)
    body = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "139****5678" in body and PHONE not in body
    assert "手机号" in body  # the column is labelled


def test_the_admin_change_form_shows_and_accepts_the_full_phone(client, city_admin, org):
    user = UserFactory(username="zhou", full_name="周老师", phone=PHONE, organization=org)
    client.force_login(city_admin)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    assert f'value="{PHONE}"' in client.get(url).content.decode()
    data = {
        "username": "zhou",
        "full_name": "周老师",
        "phone": " 138\u202e87654321\x00 ",  # a bidi override, a NUL: cleaned as all text is
        "role": Role.VOLUNTEER,
        "organization": org.pk,
        "school": "",
        "district": "",
        "is_active": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "08:00:00",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.phone == "13887654321" and user.phone_masked == "138****4321"
    assert "13887654321" not in _raw_phone(user)[0]


def test_the_data_migration_encrypts_clear_phones_and_reverses(db):
    user = UserFactory(phone=PHONE)
    decrypt_existing("accounts", "User")(django_apps, None)
    assert _raw_phone(user)[0] == PHONE
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_user SET phone_masked = ''")
    encrypt_existing("accounts", "User")(django_apps, None)
    encrypt_existing("accounts", "User")(django_apps, None)  # a re-run does not double-encrypt
    stored, masked = _raw_phone(user)
    assert stored != PHONE and masked == "139****5678"
    assert User.objects.get(pk=user.pk).phone == PHONE


def test_full_identifier_roles_are_role_values(db):
    assert set(Role.values) >= FULL_IDENTIFIER_ROLES
    assert may_unmask(UserFactory.build(role=Role.SCHOOL_STAFF))
    assert not may_unmask(UserFactory.build(role=Role.CITY_OFFICER))
