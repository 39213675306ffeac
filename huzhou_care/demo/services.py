"""Demo reference data of the core: schools, partner organisations and one account per role
and scope, and the context every app's demo builder receives. The core names no app: the
children, volunteers... each build their own demo data (``<app>/demo.py``) from this context,
and ``campaign`` composes them (``campaign/demo.py``, ``manage.py seed_demo``)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import connection, transaction
from django.utils import timezone

from huzhou_care.accounts.models import Role, User
from huzhou_care.audit.models import ChangeRecord
from huzhou_care.orgs.models import Organization, OrgUnit, School

from . import catalog

DEFAULT_PASSWORD = "Huzhou-Demo-2026"  # noqa: S105 - public, for demo databases only


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    district: str | None
    school: str | None
    organization: str | None
    created: bool

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)

    def as_json(self) -> dict:
        return {
            "username": self.username,
            "role": self.role,
            "district": self.district,
            "school": self.school,
            "organization": self.organization,
        }


@dataclass(frozen=True)
class DemoContext:
    """What every app's demo builder receives: the seed, the day ages are reckoned on, and the
    reference rows the core made sure exist (by catalogue key)."""

    seed: int
    anchor: dt.date
    children: int  # the demo's size: how many children; other builders scale from it
    counties: dict[str, OrgUnit]
    schools: dict[str, School]  # by catalogue code
    organizations: dict[str, Organization]  # by name
    accounts: list[DemoAccount]
    stdout: object | None = None

    @property
    def source_ref(self) -> str:
        """The ``source_ref`` of every ChangeRecord this seed writes."""
        return seed_ref(self.seed)

    def say(self, line: str) -> None:
        if self.stdout is not None:
            self.stdout.write(line + "\n")


@dataclass(frozen=True)
class DemoPart:
    """What one builder did, for the command's summary line: e.g. ("儿童", 2000, 0)."""

    label: str
    created: int
    existing: int = 0


@dataclass(frozen=True)
class DemoResult:
    password: str
    accounts: list[DemoAccount]
    schools_created: int
    organizations_created: int
    anchor: dt.date
    parts: list[DemoPart] = field(default_factory=list)

    @property
    def users_created(self) -> int:
        return sum(a.created for a in self.accounts)


@dataclass(frozen=True)
class DemoReference:
    context: DemoContext
    schools_created: int
    organizations_created: int


def demo_reference_ensure(
    *, seed: int, children: int, password: str = DEFAULT_PASSWORD, stdout=None
) -> DemoReference:
    """Make sure the demo schools, organisations and accounts exist. New accounts get
    ``password`` (checked against AUTH_PASSWORD_VALIDATORS first); existing ones are left as
    they are. Raises ``ValidationError`` for a weak password."""
    validate_password(password)
    # One hash for every new account (Argon2 takes ~0.2 s a hash; they share the password).
    encoded = make_password(password)
    with transaction.atomic():
        counties = {u.name: u for u in OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY)}
        schools, schools_created = _schools_ensure(counties)
        organizations, organizations_created = _organizations_ensure(counties)
        accounts = [
            _account_ensure(spec, counties, schools, organizations, encoded)
            for spec in catalog.ACCOUNTS
        ]
    context = DemoContext(
        seed=seed,
        anchor=anchor_date(seed),
        children=children,
        counties=counties,
        schools=schools,
        organizations=organizations,
        accounts=accounts,
        stdout=stdout,
    )
    return DemoReference(context, schools_created, organizations_created)


# --- reference data ---------------------------------------------------------------------------
def _schools_ensure(counties: dict[str, OrgUnit]) -> tuple[dict[str, School], int]:
    """The catalogue's schools by code. A school is found by its code, else by its name in
    its county (a school entered by hand keeps its own code); otherwise it is created."""
    existing = {
        s.code: s for s in School.objects.filter(code__in=[s.code for s in catalog.SCHOOLS])
    }
    townships = {
        (t.parent_id, t.name): t for t in OrgUnit.objects.filter(level=OrgUnit.Level.TOWNSHIP)
    }
    found, created = {}, 0
    for spec in catalog.SCHOOLS:
        county = counties[spec.county]
        school = (
            existing.get(spec.code) or School.objects.filter(county=county, name=spec.name).first()
        )
        if school is None:
            school = School(
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                county=county,
                township=townships[(county.pk, spec.township)],
            )
            school.full_clean()
            school.save()
            created += 1
        found[spec.code] = school
    return found, created


def _organizations_ensure(counties: dict[str, OrgUnit]) -> tuple[dict[str, Organization], int]:
    """The catalogue's organisations by name, created when missing."""
    found, created = {}, 0
    for spec in catalog.ORGANIZATIONS:
        org = Organization.objects.filter(name=spec.name).first()
        if org is None:
            org = Organization(
                name=spec.name,
                kind=spec.kind,
                level=spec.level,
                county=counties[spec.county] if spec.county else None,
            )
            org.full_clean()
            org.save()
            created += 1
        found[spec.name] = org
    return found, created


def _account_ensure(spec, counties, schools, organizations, encoded_password) -> DemoAccount:
    """Create the account unless its username exists; an existing one is left unchanged."""
    user = (
        User.objects.filter(username=spec.username)
        .select_related("district", "school", "organization")
        .first()
    )
    created = user is None
    if created:
        school = schools[spec.school] if spec.school else None
        district = school.county if school else counties.get(spec.district)
        is_admin = spec.role == Role.CITY_ADMIN
        user = User(
            username=spec.username,
            full_name=spec.full_name,
            role=spec.role,
            district=district,
            school=school,
            organization=organizations.get(spec.organization),
            phone=_account_phone(spec.username),
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        user.password = encoded_password
        user.full_clean()
        user.save()
    return DemoAccount(
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        district=_name(user.district),
        school=_name(user.school),
        organization=_name(user.organization),
        created=created,
    )


def _account_phone(username: str) -> str:
    """A stable mobile number per demo account."""
    rng = random.Random(username)
    return f"{rng.choice(catalog.MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def _name(obj) -> str | None:
    return obj.name if obj else None


# --- helpers for the apps' builders -----------------------------------------------------------
def seed_ref(seed: int) -> str:
    return f"seed:{seed}"


def anchor_date(seed: int) -> dt.date:
    """The day ages are reckoned on: the day this seed was first run, else today."""
    first = (
        ChangeRecord.objects.filter(source=ChangeRecord.Source.SEED, source_ref=seed_ref(seed))
        .order_by("pk")
        .values_list("at", flat=True)
        .first()
    )
    return timezone.localtime(first).date() if first else timezone.localdate()


@contextmanager
def sql_log_off():
    """With DEBUG on, Django formats and keeps every SQL statement it runs (on SQLite it even
    runs a query to quote the parameters): for a million-row seed that is the larger part of
    the time and gigabytes of memory. Turn it off for the bulk inserts."""
    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = debug


def batched(rows: Iterable, size: int) -> Iterator[list]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def lookup_chunked(pairs_qs, field: str, keys: list) -> dict:
    """``dict(pairs_qs.filter(<field>__in=keys))``, in chunks under the backend's parameter
    limit (999 on SQLite)."""
    step = connection.features.max_query_params or len(keys) or 1
    found = {}
    for start in range(0, len(keys), step):
        found.update(pairs_qs.filter(**{f"{field}__in": keys[start : start + step]}))
    return found
