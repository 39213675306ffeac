"""Fill a database with demo data: schools, organisations, one account per role and scope,
and N children with their creation history. ``demo_seed`` is idempotent per seed.

Children are generated as a stream (``generator.ChildStream``) and written in batches of
``BATCH_SIZE`` by ``inserts.RowInserter`` (COPY on PostgreSQL, a prepared INSERT elsewhere).
Each batch is one transaction holding its children and their change records, so an
interrupted run resumes where it stopped. Per batch: one lookup of the ID numbers already
registered, two inserts and one read of the new ids; nothing proportional to N stays in
memory.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from children.models import Child
from huzhou_care.accounts.models import Role, User
from huzhou_care.audit.models import ChangeRecord
from huzhou_care.bulk import RowInserter
from huzhou_care.orgs.models import Organization, OrgUnit, School

from . import catalog
from .generator import ChildStream, County, Plan, SchoolRef, Township

DEFAULT_PASSWORD = "Huzhou-Demo-2026"  # noqa: S105 - public, for demo databases only
BATCH_SIZE = 5_000
PROGRESS_EVERY = 100_000

# The fields a seeded child's "create" record lists (a summary, not the whole row).
SNAPSHOT_FIELDS = [
    "name", "id_number", "county", "township", "school", "grade", "guardianship_type",
    "registered_on", "status", "left_on", "leave_reason",
]  # fmt: skip


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
class DemoResult:
    password: str
    accounts: list[DemoAccount]
    schools_created: int
    organizations_created: int
    children_created: int
    children_existing: int
    anchor: dt.date

    @property
    def users_created(self) -> int:
        return sum(a.created for a in self.accounts)


def demo_seed(
    *, children: int, seed: int, password: str = DEFAULT_PASSWORD, stdout=None
) -> DemoResult:
    """Make sure the demo schools, organisations and accounts exist, and that the first
    ``children`` children of the stream for ``seed`` are registered. New accounts get
    ``password`` (checked against AUTH_PASSWORD_VALIDATORS first); existing ones are left as
    they are. Raises ``ValidationError`` for a weak password, ``ValueError`` for N < 0."""
    if children < 0:
        raise ValueError("children must be >= 0")
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
    anchor = _anchor_date(seed)
    stream = ChildStream(plan=_plan(counties, schools), seed=seed, anchor=anchor)
    with _sql_log_off():
        created, existing = _children_insert(
            rows=islice(stream, children), total=children, seed=seed, stdout=stdout
        )
    return DemoResult(
        password=password,
        accounts=accounts,
        schools_created=schools_created,
        organizations_created=organizations_created,
        children_created=created,
        children_existing=existing,
        anchor=anchor,
    )


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


# --- children ---------------------------------------------------------------------------------
@contextmanager
def _sql_log_off():
    """With DEBUG on, Django formats and keeps every SQL statement it runs (on SQLite it even
    runs a query to quote the parameters): for a million-row seed that is the larger part of
    the time and gigabytes of memory. Turn it off for the bulk inserts."""
    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = debug


def _plan(counties: dict[str, OrgUnit], schools: dict[str, School]) -> Plan:
    """What the stream needs from the database: county and township ids, demo school ids."""
    township_ids = {s.township_id for s in schools.values()}
    townships = {
        t.pk: Township(pk=t.pk, name=t.name, code=t.code)
        for t in OrgUnit.objects.filter(pk__in=township_ids)
    }
    plan_counties = {
        name: County(pk=unit.pk, name=name, division=unit.division_prefix)
        for name, unit in counties.items()
        if name in catalog.COUNTY_WEIGHTS
    }
    for spec in catalog.SCHOOLS:
        school = schools[spec.code]
        plan_counties[spec.county].schools.append(
            SchoolRef(pk=school.pk, kind=spec.kind, township=townships[school.township_id])
        )
    ordered = [plan_counties[name] for name in catalog.COUNTY_WEIGHTS]
    return Plan(counties=ordered, weights=list(catalog.COUNTY_WEIGHTS.values()))


def _seed_ref(seed: int) -> str:
    return f"seed:{seed}"


def _anchor_date(seed: int) -> dt.date:
    """The day ages are reckoned on: the day this seed was first run, else today."""
    first = (
        ChangeRecord.objects.filter(source=ChangeRecord.Source.SEED, source_ref=_seed_ref(seed))
        .order_by("pk")
        .values_list("at", flat=True)
        .first()
    )
    return timezone.localtime(first).date() if first else timezone.localdate()


def _batched(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _existing_ids(id_numbers: list[str]) -> set[str]:
    """Which of these ID numbers are registered already."""
    return set(
        _lookup_chunked(Child.objects.values_list("id_number", "pk"), "id_number", id_numbers)
    )


def _lookup_chunked(pairs_qs, field: str, keys: list) -> dict:
    """``dict(pairs_qs.filter(<field>__in=keys))``, in chunks under the backend's parameter
    limit (999 on SQLite)."""
    step = connection.features.max_query_params or len(keys) or 1
    found = {}
    for start in range(0, len(keys), step):
        found.update(pairs_qs.filter(**{f"{field}__in": keys[start : start + step]}))
    return found


def _children_insert(*, rows: Iterable[dict], total: int, seed: int, stdout) -> tuple[int, int]:
    """Insert the rows whose ID number is not registered yet, batch by batch, each child with
    one "create" change record. Returns (created, already there)."""
    writer = _ChildWriter(seed)
    created = existing = done = 0
    for batch in _batched(rows, BATCH_SIZE):
        taken = _existing_ids([r["id_number"] for r in batch])
        new = [r for r in batch if r["id_number"] not in taken]
        if new:
            writer.write(new)
        created, existing = created + len(new), existing + len(batch) - len(new)
        before, done = done, done + len(batch)
        if stdout is not None and (
            done // PROGRESS_EVERY > before // PROGRESS_EVERY or done == total
        ):
            stdout.write(
                f"儿童：已处理 {done:,} / {total:,}，新建 {created:,}，已存在 {existing:,}\n"
            )
    return created, existing


class _ChildWriter:
    """Writes a batch of child rows and their change records in one transaction."""

    def __init__(self, seed: int):
        self.children = RowInserter(Child)
        self.records = RowInserter(ChangeRecord)
        self.record = {
            "content_type_id": ContentType.objects.get_for_model(Child).pk,
            "action": ChangeRecord.Action.CREATE,
            "source": ChangeRecord.Source.SEED,
            "source_ref": _seed_ref(seed),
        }
        self.snapshot = [(name, Child._meta.get_field(name).attname) for name in SNAPSHOT_FIELDS]

    @transaction.atomic
    def write(self, rows: list[dict]) -> None:
        self.children.insert(rows)
        pks = self._pks(rows)
        self.records.insert(
            [
                {**self.record, "object_id": pks[r["id_number"]], "changes": self._changes(r)}
                for r in rows
            ]
        )

    @staticmethod
    def _pks(rows: list[dict]) -> dict[str, int]:
        """The new children's ids, read back by their unique ID number."""
        return _lookup_chunked(
            Child.objects.values_list("id_number", "pk"),
            "id_number",
            [r["id_number"] for r in rows],
        )

    def _changes(self, row: dict) -> dict:
        """{field: [None, value]} for the summary fields that have a value, JSON-ready: the
        shape ``audit.services.field_diff`` gives, at a fraction of its cost per row."""
        changes = {}
        for name, attname in self.snapshot:
            value = row[attname]
            if value is not None and value != "":
                changes[name] = [None, value.isoformat() if isinstance(value, dt.date) else value]
        return changes
