"""Compare a parsed roster or 志愿汇 export with the team, then write it all-or-nothing.

``import_plan`` reads what it needs in a fixed number of set-based queries (the team's
members, the volunteers or records the file names) and decides per row: new, update,
unchanged or rejected (with the reason, row and column). ``import_apply`` writes a plan in
one transaction. The upload pages, the Celery tasks, the commands and the benchmark all use
these two functions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from children.roster.parse import ParsedRow, RosterParse, RowError
from huzhou_care.audit.models import ChangeRecord
from huzhou_care.audit.services import ChangeSource, changes_record
from huzhou_care.bulk import RowInserter
from huzhou_care.crypto.fields import Sealed
from huzhou_care.crypto.kinds import KINDS

from ..models import (
    Membership,
    Programme,
    ServiceRecord,
    Team,
    Volunteer,
    VolunteerUploadRow,
)
from .parse import VOLUNTEERS

Outcome = VolunteerUploadRow.Outcome
VOLUNTEER_FIELDS = ("name", "gender", "mobile", "unit", "skills", "political_status")
CHUNK = 5000


@dataclass(slots=True)
class RowPlan:
    row: ParsedRow
    outcome: str
    values: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    target_id: int | None = None  # the existing volunteer or record
    volunteer_id: int | None = None
    join: bool = False  # a roster row that (re)activates the team membership


@dataclass
class ImportPlan:
    kind: str
    parse: RosterParse
    team: Team
    rows: list[RowPlan]

    def summary(self) -> dict:
        counts = defaultdict(int)
        for plan in self.rows:
            counts[plan.outcome] += 1
        return {
            "rows": len(self.rows),
            "created": counts[Outcome.NEW],
            "updated": counts[Outcome.UPDATE],
            "unchanged": counts[Outcome.UNCHANGED],
            "rejected": counts[Outcome.REJECTED],
        }

    def errors(self) -> list[dict]:
        return [
            {"row": p.row.row_number, "column": e.column, "code": e.code, "message": e.message}
            for p in self.rows
            for e in p.errors
        ]

    def report(self, summary: dict | None = None) -> dict:
        """The commands' ``--json`` object."""
        return {**(summary or self.summary()), "errors": self.errors()}


def import_plan(kind: str, parse: RosterParse, team: Team) -> ImportPlan:
    rows = _volunteers_plan(parse, team) if kind == VOLUNTEERS else _hours_plan(parse, team)
    return ImportPlan(kind, parse, team, rows)


def import_apply(plan: ImportPlan, *, source: ChangeSource, upload_id=None, today: dt.date):
    """Write the plan in one transaction; a constraint race rolls everything back."""
    with transaction.atomic():
        if plan.kind == VOLUNTEERS:
            _volunteers_apply(plan, source=source, today=today)
        else:
            _hours_apply(plan, source=source, upload_id=upload_id)
    return plan.summary()


# --------------------------------------------------------------------------- volunteers


def _volunteers_plan(parse: RosterParse, team: Team) -> list[RowPlan]:
    accounts = [str(r.values["account"]) for r in parse.rows if r.ok]
    existing: dict[str, tuple] = {}
    for start in range(0, len(accounts), CHUNK):
        for record in Volunteer.objects.filter(
            zyh_account__in=accounts[start : start + CHUNK]
        ).values_list("zyh_account", "pk", *VOLUNTEER_FIELDS):
            existing[record[0]] = record
    states = dict(Membership.objects.filter(team=team).values_list("volunteer_id", "state"))
    plans = []
    for row in parse.rows:
        if not row.ok:
            plans.append(RowPlan(row, Outcome.REJECTED, errors=list(row.errors)))
            continue
        given = {
            key: row.values[key]
            for key in VOLUNTEER_FIELDS
            if key in row.values and row.values[key] not in ("", None)
        }
        record = existing.get(row.values["account"])
        if record is None:
            plans.append(RowPlan(row, Outcome.NEW, values=given))
            continue
        pk = record[1]
        old = dict(zip(VOLUNTEER_FIELDS, record[2:], strict=True))
        if isinstance(old["mobile"], Sealed):
            old["mobile"] = old["mobile"].reveal()
        changes = {key: [old[key], value] for key, value in given.items() if old[key] != value}
        join = states.get(pk) != Membership.State.ACTIVE
        outcome = Outcome.UPDATE if changes or join else Outcome.UNCHANGED
        plans.append(
            RowPlan(
                row,
                outcome,
                values=given,
                changes=changes,
                target_id=pk,
                volunteer_id=pk,
                join=join,
            )
        )
    return plans


def _volunteers_apply(plan: ImportPlan, *, source: ChangeSource, today: dt.date) -> None:
    team = plan.team
    new = [p for p in plan.rows if p.outcome == Outcome.NEW]
    Volunteer.objects.bulk_create(
        [Volunteer(zyh_account=p.row.values["account"], **p.values) for p in new], batch_size=1000
    )
    ids = {}
    accounts = [p.row.values["account"] for p in new]
    for start in range(0, len(accounts), CHUNK):
        ids.update(
            Volunteer.objects.filter(zyh_account__in=accounts[start : start + CHUNK]).values_list(
                "zyh_account", "pk"
            )
        )
    for p in new:
        p.volunteer_id = ids[p.row.values["account"]]
    changes_record(
        model=Volunteer,
        entries=[(p.volunteer_id, ChangeRecord.Action.CREATE, {}) for p in new],
        source=source,
    )
    updates = [p for p in plan.rows if p.outcome == Outcome.UPDATE and p.changes]
    now = timezone.now()
    by_fields = defaultdict(list)
    for p in updates:
        values = {key: new_value for key, (_old, new_value) in p.changes.items()}
        by_fields[tuple(sorted(values))].append(Volunteer(pk=p.target_id, updated_at=now, **values))
    for fields, objs in by_fields.items():
        extra = ["mobile_masked"] if "mobile" in fields else []
        Volunteer.objects.bulk_update(objs, [*fields, *extra, "updated_at"], batch_size=500)
    changes_record(
        model=Volunteer,
        entries=[(p.target_id, ChangeRecord.Action.UPDATE, _audited(p.changes)) for p in updates],
        source=source,
    )
    joining = [p.volunteer_id for p in plan.rows if p.outcome == Outcome.UPDATE and p.join]
    if joining:
        Membership.objects.filter(team=team, volunteer_id__in=joining).update(
            state=Membership.State.ACTIVE, decided_at=now, joined_on=today
        )
    have = set(
        Membership.objects.filter(team=team, volunteer_id__in=joining).values_list(
            "volunteer_id", flat=True
        )
    )
    Membership.objects.bulk_create(
        [
            Membership(team=team, volunteer_id=vid, joined_on=today, decided_at=now)
            for vid in [p.volunteer_id for p in new] + [v for v in joining if v not in have]
        ],
        batch_size=1000,
    )


def _audited(changes: dict) -> dict:
    """The history keeps a phone number masked, never in clear."""
    if "mobile" not in changes:
        return changes
    mask = KINDS["phone"].mask
    return {**changes, "mobile": [mask(v or "") for v in changes["mobile"]]}


# --------------------------------------------------------------------------- service hours

_PROGRAMMES = [(str(label), value) for value, label in Programme.choices]


def programme_of(activity: str) -> str:
    """The campaign programme an activity name announces (七彩假期·暑期陪护), else ""."""
    for label, value in _PROGRAMMES:
        if label in activity:
            return value
    return ""


def _hours_plan(parse: RosterParse, team: Team) -> list[RowPlan]:
    members = {
        account: (vid, name)
        for account, vid, name in Membership.objects.filter(team=team)
        .exclude(state=Membership.State.APPLIED)
        .values_list("volunteer__zyh_account", "volunteer_id", "volunteer__name")
    }
    days = [r.values["service_date"] for r in parse.rows if r.ok]
    timed, dated = {}, {}
    if days:
        for pk, vid, signed_in, day, activity, hours, signed_out in ServiceRecord.objects.filter(
            service_date__range=(min(days), max(days)),
            volunteer_id__in=Membership.objects.filter(team=team).values("volunteer_id"),
        ).values_list(
            "pk",
            "volunteer_id",
            "signed_in_at",
            "service_date",
            "activity_name",
            "hours",
            "signed_out_at",
        ):
            record = (pk, activity, hours, signed_out)
            if signed_in is not None:
                timed[vid, signed_in] = record
            else:
                dated[vid, day, activity] = record
    columns = parse.columns
    plans = []
    for row in parse.rows:
        if not row.ok:
            plans.append(RowPlan(row, Outcome.REJECTED, errors=list(row.errors)))
            continue
        values = row.values
        member = members.get(values["account"])
        if member is None:
            label = columns["account"]
            plans.append(
                RowPlan(
                    row,
                    Outcome.REJECTED,
                    errors=[
                        RowError(
                            label,
                            "unknown_account",
                            f"「{label}」列的志愿汇账号{values['account']}不是本队的志愿者："
                            "请先在“志愿者名册”中登记该志愿者，或核对账号是否填错",
                        )
                    ],
                )
            )
            continue
        vid, name = member
        if values["name"] and values["name"] != name:
            label = columns["name"]
            plans.append(
                RowPlan(
                    row,
                    Outcome.REJECTED,
                    errors=[
                        RowError(
                            label,
                            "name_mismatch",
                            f"「{label}」列为“{values['name']}”，但志愿汇账号{values['account']}"
                            f"登记的志愿者是“{name}”：请核对账号是否填错",
                        )
                    ],
                )
            )
            continue
        signed_in = values["signed_in"]
        record = (
            timed.get((vid, signed_in))
            if signed_in is not None
            else dated.get((vid, values["service_date"], values["activity"]))
        )
        if record is None:
            plans.append(RowPlan(row, Outcome.NEW, volunteer_id=vid))
            continue
        pk, activity, hours, signed_out = record
        changes = {}
        if hours != values["hours"]:
            changes["hours"] = [str(hours), str(values["hours"])]
        if signed_in is not None:
            if activity != values["activity"]:
                changes["activity_name"] = [activity, values["activity"]]
            if values["signed_out"] is not None and signed_out != values["signed_out"]:
                changes["signed_out_at"] = [
                    signed_out.isoformat() if signed_out else None,
                    values["signed_out"].isoformat(),
                ]
        plans.append(
            RowPlan(
                row,
                Outcome.UPDATE if changes else Outcome.UNCHANGED,
                changes=changes,
                target_id=pk,
                volunteer_id=vid,
            )
        )
    return plans


def _hours_apply(plan: ImportPlan, *, source: ChangeSource, upload_id) -> None:
    team = plan.team
    now = timezone.now()
    approved = team.imports_approved
    fixed = {
        "team_id": team.pk,
        "source": ServiceRecord.Source.IMPORT,
        "upload_id": upload_id,
        "state": ServiceRecord.State.APPROVED if approved else ServiceRecord.State.PENDING,
        "decided_at": now if approved else None,
        "decided_by_id": getattr(source.actor, "pk", None) if approved else None,
        "decline_reason": "",
    }
    programmes: dict[str, str] = {}
    new = [p for p in plan.rows if p.outcome == Outcome.NEW]
    inserter = RowInserter(ServiceRecord)
    for start in range(0, len(new), CHUNK):
        batch = []
        for p in new[start : start + CHUNK]:
            values = p.row.values
            activity = values["activity"]
            programme = programmes.get(activity)
            if programme is None:
                programme = programmes[activity] = programme_of(activity)
            batch.append(
                {
                    **fixed,
                    "volunteer_id": p.volunteer_id,
                    "service_date": values["service_date"],
                    "signed_in_at": values["signed_in"],
                    "signed_out_at": values["signed_out"],
                    "hours": values["hours"],
                    "activity_name": activity,
                    "programme": programme,
                }
            )
        inserter.insert(batch)
    updates = [p for p in plan.rows if p.outcome == Outcome.UPDATE]
    timed, dated = [], []
    for p in updates:
        values = p.row.values
        if values["signed_in"] is not None:  # identity: sign-in; the rest may change
            timed.append(
                ServiceRecord(
                    pk=p.target_id,
                    hours=values["hours"],
                    activity_name=values["activity"],
                    programme=programme_of(values["activity"]),
                    signed_out_at=values["signed_out"],
                )
            )
        else:  # identity: date and activity; only the hours may change
            dated.append(ServiceRecord(pk=p.target_id, hours=values["hours"]))
    if timed:
        ServiceRecord.objects.bulk_update(
            timed, ["hours", "activity_name", "programme", "signed_out_at"], batch_size=500
        )
    if dated:
        ServiceRecord.objects.bulk_update(dated, ["hours"], batch_size=500)
    changes_record(
        model=ServiceRecord,
        entries=[(p.target_id, ChangeRecord.Action.UPDATE, p.changes) for p in updates],
        source=source,
    )
    # One entry on the team for the created records: each record names its upload and source.
    if new:
        changes_record(
            model=Team,
            entries=[(team.pk, ChangeRecord.Action.UPDATE, {"hours_imported": [None, len(new)]})],
            source=source,
        )
