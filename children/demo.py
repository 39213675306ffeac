"""The children's demo data: a deterministic stream of children and the builder that writes
them (``build``, one of the builders ``campaign/demo.py`` composes for ``manage.py seed_demo``).

``ChildStream`` does no database access.

``ChildStream(plan, seed, anchor)`` yields one dict of ``Child`` field values per child, drawn
from ``random.Random(seed)`` alone. Child *i* of a seed depends only on the children before
it, so the first N rows are the same whatever N is: a second run regenerates exactly the rows
of the first (and skips them), and a larger N only adds the rows after them.

Ages are reckoned on ``anchor`` (the day the seed was first run), not on today, so that a
re-run on a later day regenerates the very same birth dates and ID numbers.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate, islice

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from huzhou_care.audit.models import ChangeRecord
from huzhou_care.bulk import RowInserter, allocate_ids
from huzhou_care.crypto.fields import blind_lookup
from huzhou_care.demo import catalog
from huzhou_care.demo.services import DemoContext, DemoPart, batched, sql_log_off
from huzhou_care.orgs.models import OrgUnit, School

from . import choices as c
from .identity import resident_id_build
from .models import Child

MIN_AGE, MAX_AGE = 3, 15
REGISTRY_START = dt.date(2019, 1, 1)

# Which school kinds teach each stage of schooling.
STAGE_KINDS = {
    c.SchoolingStage.KINDERGARTEN: {School.Kind.KINDERGARTEN},
    c.SchoolingStage.PRIMARY: {School.Kind.PRIMARY, School.Kind.NINE_YEAR},
    c.SchoolingStage.JUNIOR: {School.Kind.JUNIOR, School.Kind.NINE_YEAR, School.Kind.COMPLETE},
    c.SchoolingStage.SENIOR: {School.Kind.SENIOR, School.Kind.COMPLETE},
    c.SchoolingStage.VOCATIONAL: {School.Kind.VOCATIONAL},
}

# (value, weight) tables. Guardianship follows the national 2016 figures (VOCAB.md).
GUARDIANSHIP = [
    (c.GuardianshipType.GRANDPARENT, 89),
    (c.GuardianshipType.RELATIVE, 3),
    (c.GuardianshipType.ONE_PARENT, 4),
    (c.GuardianshipType.NONE, 4),
]
ASSESSMENT = {
    c.GuardianshipType.GRANDPARENT: [("good", 55), ("fair", 38), ("poor", 7)],
    c.GuardianshipType.RELATIVE: [("good", 45), ("fair", 45), ("poor", 10)],
    c.GuardianshipType.ONE_PARENT: [("good", 15), ("fair", 60), ("poor", 25)],
    c.GuardianshipType.NONE: [("fair", 20), ("poor", 80)],
}
STUDY = [("excellent", 20), ("good", 40), ("average", 32), ("poor", 8)]
LIVING = [("good", 55), ("average", 40), ("hard", 5)]
LIVING_LOW_INCOME = [("average", 40), ("hard", 60)]
LEAVE_REASONS = [
    (c.LeaveReason.PARENTS_RETURNED, 60),
    (c.LeaveReason.MOVED_AWAY, 25),
    (c.LeaveReason.OTHER, 15),
]
RELATIVES = [
    ("伯父", "father", "M"),
    ("叔叔", "father", "M"),
    ("姑姑", "father", "F"),
    ("舅舅", "mother", "M"),
    ("姨妈", "mother", "F"),
]
BOARDING_SHARE = {"primary": 0.05, "junior": 0.35, "senior": 0.7, "vocational": 0.7}


class Weighted:
    """A weighted choice table: one ``rng.random()`` and a bisection per draw (what
    ``rng.choices`` does, without its per-call overhead)."""

    def __init__(self, pairs):
        pairs = list(pairs)
        self.values = [v for v, _ in pairs]
        self.cum = list(accumulate(w for _, w in pairs))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random):
        return self.values[bisect_right(self.cum, rng.random() * self.total)]


# --- the plan: which schools and townships the stream may use ---------------------------------
@dataclass(frozen=True)
class Township:
    pk: int
    name: str
    code: str

    @cached_property
    def villages(self) -> tuple[str, ...]:
        """Six village names of this township, fixed by its code."""
        return tuple(
            f"{v}村" for v in random.Random(int(self.code)).sample(catalog.VILLAGE_NAMES, 6)
        )


@dataclass(frozen=True)
class SchoolRef:
    pk: int
    kind: str
    township: Township


@dataclass
class County:
    pk: int
    name: str
    division: str  # the 6-digit code that starts resident ID numbers
    schools: list[SchoolRef] = field(default_factory=list)

    def __post_init__(self):
        self._by_stage: dict[tuple[int | None, str], list[SchoolRef]] = {}

    @property
    def home_townships(self) -> list[Township]:
        """Townships where children live: those with a primary school, in catalogue order."""
        seen = {}
        for s in self.schools:
            if s.kind in STAGE_KINDS[c.SchoolingStage.PRIMARY]:
                seen.setdefault(s.township.pk, s.township)
        return list(seen.values())

    def schools_for(self, stage: str, township: Township | None = None) -> list[SchoolRef]:
        """Schools of this county teaching ``stage``, in ``township`` if given (memoised)."""
        key = (township.pk if township else None, stage)
        if key not in self._by_stage:
            self._by_stage[key] = [
                s
                for s in self.schools
                if s.kind in STAGE_KINDS[stage]
                and (township is None or s.township.pk == township.pk)
            ]
        return self._by_stage[key]


@dataclass(frozen=True)
class Plan:
    counties: list[County]
    weights: list[int]


# --- resident ID numbers ----------------------------------------------------------------------
class ResidentIdAllocator:
    """Hands out resident ID numbers that are unique within a stream.

    An ID is fixed by (division, birth date, 3-digit order); odd orders are boys, even orders
    girls, so each (division, day, gender) has 500 boy / 499 girl numbers. A counter per key
    walks a fixed permutation of them (``slot = used * 263 + offset mod capacity``: 263 is
    prime to 500 and 499, so no slot repeats), and when a key is full the birth date moves to
    the nearest day with room. With 5 counties and ~4,700 birth days that is ~23 million IDs:
    uniqueness is guaranteed by construction, for millions of children, without a lookup.
    """

    STRIDE = 263

    def __init__(self, *, seed: int, earliest: dt.date, latest: dt.date):
        self._offset = seed * 7919
        self._earliest, self._latest = earliest, latest
        self._used: dict[tuple[str, int, bool], int] = {}

    def allocate(self, division: str, birth: dt.date, male: bool) -> tuple[str, dt.date]:
        """An unused ID for a child born on ``birth`` (or the nearest day with room)."""
        capacity = 500 if male else 499
        for day in self._days_near(birth):
            key = (division, day.toordinal(), male)
            used = self._used.get(key, 0)
            if used < capacity:
                self._used[key] = used + 1
                slot = (used * self.STRIDE + self._offset + key[1]) % capacity
                order = 2 * slot + 1 if male else 2 * slot + 2
                return resident_id_build(division, day, order), day
        raise OverflowError(f"no resident ID numbers left for division {division}")

    def _days_near(self, birth: dt.date) -> Iterator[dt.date]:
        yield birth
        for d in range(1, (self._latest - self._earliest).days + 1):
            after, before = birth + dt.timedelta(days=d), birth - dt.timedelta(days=d)
            if after > self._latest and before < self._earliest:
                return
            if after <= self._latest:
                yield after
            if before >= self._earliest:
                yield before


# --- dates ------------------------------------------------------------------------------------
def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def school_grade(birth: dt.date, on: dt.date) -> int:
    """Grade in the school year running on ``on``: 1..12; 0 大班, -1 中班, -2 小班; lower =
    too young for kindergarten. Children start school in the September after turning six."""
    school_year = on.year if on.month >= 9 else on.year - 1
    first_year = birth.year + (6 if birth.month <= 8 else 7)
    return school_year - first_year + 1


def _day_between(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, max((hi - lo).days, 0)))


# --- the stream -------------------------------------------------------------------------------
class ChildStream:
    """Iterate to get ``Child`` field dicts (FKs as ``<name>_id``), endlessly."""

    def __init__(self, *, plan: Plan, seed: int, anchor: dt.date):
        self.plan, self.anchor = plan, anchor
        self.rng = random.Random(seed)
        self.earliest = years_before(anchor, MAX_AGE + 1) + dt.timedelta(days=1)
        self.latest = years_before(anchor, MIN_AGE)
        self.ids = ResidentIdAllocator(seed=seed, earliest=self.earliest, latest=self.latest)
        self._counties = Weighted(zip(plan.counties, plan.weights, strict=True))
        self._homes = {county.pk: county.home_townships for county in plan.counties}
        self._surnames = Weighted((s, 60 - i) for i, s in enumerate(catalog.SURNAMES))
        self._tables = {
            name: Weighted(pairs)
            for name, pairs in [
                ("guardianship", GUARDIANSHIP),
                ("study", STUDY),
                ("living", LIVING),
                ("living_low", LIVING_LOW_INCOME),
                ("leave", LEAVE_REASONS),
                ("work", catalog.WORK_PLACES),
            ]
        }
        self._assessment = {k: Weighted(v) for k, v in ASSESSMENT.items()}

    def __iter__(self) -> Iterator[dict]:
        while True:
            yield self.child()

    def child(self) -> dict:
        """The next child. The order of the draws below is part of the seed's contract."""
        rng = self.rng
        county = self._counties.draw(rng)
        home = rng.choice(self._homes[county.pk])
        male = rng.random() < 0.53
        age = rng.randint(MIN_AGE, MAX_AGE)
        top = years_before(self.anchor, age)
        birth = _day_between(rng, years_before(top, 1) + dt.timedelta(days=1), top)
        id_number, birth = self.ids.allocate(county.division, birth, male)
        row = {
            "id_number": id_number,
            "birth_date": birth,
            "gender": c.Gender.MALE if male else c.Gender.FEMALE,
            "county_id": county.pk,
            "ethnicity": "汉族" if rng.random() < 0.99 else rng.choice(catalog.OTHER_ETHNICITIES),
        }
        row.update(self._schooling(county, home, birth))
        row.update(self._address(county, row.pop("_township")))
        surname = self._surnames.draw(rng)
        given = rng.choice(catalog.BOY_NAMES if male else catalog.GIRL_NAMES)
        row["name"] = surname + given
        row.update(self._family(surname, row["schooling"]))
        row.update(self._wellbeing(row))
        row.update(self._registration(birth))
        return row

    def _schooling(self, county: County, home: Township, birth: dt.date) -> dict:
        """School, stage, grade and class that fit the child's age; the township is the
        school's (a child goes to a school of its home township, else of its county)."""
        rng = self.rng
        grade = school_grade(birth, self.anchor)
        stage = self._stage(grade)
        if stage in (c.SchoolingStage.NOT_IN_KINDERGARTEN, c.SchoolingStage.DROPPED_OUT):
            return {
                "school_id": None,
                "schooling": stage,
                "grade": None,
                "class_name": "",
                "boarding": False,
                "_township": home,
            }
        if not county.schools_for(stage):  # a county without a vocational school
            stage = c.SchoolingStage.SENIOR
        school = rng.choice(county.schools_for(stage, home) or county.schools_for(stage))
        if stage == c.SchoolingStage.KINDERGARTEN:
            year = grade + 3  # 1 小班, 2 中班, 3 大班
            class_name = f"{'小中大'[year - 1]}{rng.choice('一二三')}班"
            grade = None
        else:
            class_name = f"{rng.randint(1, 6)}班"
        return {
            "school_id": school.pk,
            "schooling": stage,
            "grade": grade,
            "class_name": class_name,
            "boarding": rng.random() < BOARDING_SHARE.get(stage, 0),
            "_township": school.township,
        }

    def _stage(self, grade: int) -> str:
        """就学情况 for a grade: a few 3-5 year-olds stay home, a few teenagers drop out,
        some 15 year-olds choose a vocational school."""
        rng = self.rng
        if grade < -2 or (grade <= 0 and rng.random() < 0.08):
            return c.SchoolingStage.NOT_IN_KINDERGARTEN
        if grade <= 0:
            return c.SchoolingStage.KINDERGARTEN
        if grade >= 7 and rng.random() < 0.003:
            return c.SchoolingStage.DROPPED_OUT
        if grade <= 6:
            return c.SchoolingStage.PRIMARY
        if grade <= 9:
            return c.SchoolingStage.JUNIOR
        vocational = rng.random() < 0.3
        return c.SchoolingStage.VOCATIONAL if vocational else c.SchoolingStage.SENIOR

    def _address(self, county: County, township: Township) -> dict:
        rng = self.rng
        village = rng.choice(township.villages)
        hukou = f"浙江省湖州市{county.name}{township.name}{village}"
        return {
            "township_id": township.pk,
            "village": village,
            "hukou_address": hukou,
            "current_address": f"{hukou}{rng.randint(1, 12)}组{rng.randint(1, 99)}号",
        }

    def _family(self, surname: str, schooling: str) -> dict:
        """Parents (away at work), the guardian and the left-behind type."""
        rng = self.rng
        mother_surname = self._surnames.draw(rng)
        father_place = self._tables["work"].draw(rng)
        mother_place = father_place if rng.random() < 0.65 else self._tables["work"].draw(rng)
        row = {
            "father_name": surname + rng.choice(catalog.MEN_NAMES),
            "father_work_place": father_place,
            "father_phone": self._phone(0.95),
            "mother_name": mother_surname + rng.choice(catalog.WOMEN_NAMES),
            "mother_work_place": mother_place,
            "mother_phone": self._phone(0.95),
            "left_behind_type": c.LeftBehindType.BOTH_AWAY,
        }
        kind = self._tables["guardianship"].draw(rng)
        row["guardianship_type"] = kind
        row["guardianship_assessment"] = self._assessment[kind].draw(rng)
        row.update(self._guardian(kind, row, surname, mother_surname))
        return row

    def _guardian(self, kind: str, parents: dict, surname: str, mother_surname: str) -> dict:
        rng = self.rng
        if kind == c.GuardianshipType.NONE:
            return {"guardian_name": "", "guardian_relation": "", "guardian_phone": ""}
        if kind == c.GuardianshipType.ONE_PARENT:
            # 一方外出另一方无监护能力: the parent at home is the guardian and works nowhere.
            at_home = "mother" if rng.random() < 0.55 else "father"
            return {
                "left_behind_type": c.LeftBehindType.ONE_AWAY_OTHER_INCAPABLE,
                f"{at_home}_work_place": "",
                "guardian_name": parents[f"{at_home}_name"],
                "guardian_relation": "母亲" if at_home == "mother" else "父亲",
                "guardian_phone": parents[f"{at_home}_phone"],
            }
        if kind == c.GuardianshipType.GRANDPARENT:
            relation = rng.choice(["祖母", "祖母", "祖父", "外祖母", "外祖父"])
            male = relation.endswith("父")
            family = (
                surname if relation == "祖父" else mother_surname if relation == "外祖父" else None
            )
            names = catalog.OLD_MEN_NAMES if male else catalog.OLD_WOMEN_NAMES
        else:
            # Aunts and uncles: the father's siblings carry his surname, the mother's hers.
            relation, side, gender = rng.choice(RELATIVES)
            family = surname if side == "father" else mother_surname
            names = catalog.MEN_NAMES if gender == "M" else catalog.WOMEN_NAMES
        family = family or self._surnames.draw(rng)
        return {
            "guardian_name": family + rng.choice(names),
            "guardian_relation": relation,
            "guardian_phone": self._phone(0.95),
        }

    def _wellbeing(self, row: dict) -> dict:
        """Health, study, living, 低保 and 困境儿童 (type consistent with the other answers)."""
        rng = self.rng
        roll = rng.random()
        health, category = c.Health.HEALTHY, ""
        if roll < 0.015:
            health, category = c.Health.DISABLED, rng.choice(catalog.DISABILITIES)
        elif roll < 0.035:
            health, category = c.Health.ILL, rng.choice(catalog.ILLNESSES)
        low_income = rng.random() < 0.05
        in_difficulty = rng.random() < 0.03
        difficulty = ""
        if in_difficulty:
            if health == c.Health.DISABLED:
                difficulty = c.DifficultyType.DISABILITY
            elif row["guardianship_type"] == c.GuardianshipType.NONE:
                difficulty = c.DifficultyType.GUARDIANSHIP
            elif low_income:
                difficulty = c.DifficultyType.POVERTY
            else:
                difficulty = rng.choice(list(c.DifficultyType))
        in_school = (
            row["school_id"] is not None and row["schooling"] != c.SchoolingStage.KINDERGARTEN
        )
        living = self._tables["living_low" if low_income else "living"].draw(rng)
        return {
            "health": health,
            "disability_category": category,
            "study_status": self._tables["study"].draw(rng) if in_school else "",
            "living_status": living,
            "low_income": low_income,
            "in_difficulty": in_difficulty,
            "difficulty_type": difficulty,
            "notes": rng.choice(catalog.NOTES) if rng.random() < 0.06 else "",
        }

    def _registration(self, birth: dt.date) -> dict:
        """Registered between 2019 (a quarter in the first survey, spring 2019) and the anchor
        day; about 3 % have since left the registry with a dated reason."""
        rng = self.rng
        lo = max(REGISTRY_START, birth)
        leaves = rng.random() < 0.03
        hi = self.anchor - dt.timedelta(days=60) if leaves else self.anchor
        if rng.random() < 0.25 and birth < dt.date(2019, 3, 1):
            registered = _day_between(rng, dt.date(2019, 3, 1), dt.date(2019, 6, 30))
        else:
            registered = _day_between(rng, lo, hi)
        row = {
            "registered_on": registered,
            "status": c.ChildStatus.ACTIVE,
            "left_on": None,
            "leave_reason": "",
        }
        if leaves:
            row.update(
                status=c.ChildStatus.LEFT,
                left_on=_day_between(rng, registered + dt.timedelta(days=30), self.anchor),
                leave_reason=self._tables["leave"].draw(rng),
            )
        return row

    def _phone(self, share: float) -> str:
        """An 11-digit mobile number, or "" (not given) for ``1 - share`` of the draws."""
        rng = self.rng
        if rng.random() >= share:
            return ""
        return f"{rng.choice(catalog.MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


# --- histories ------------------------------------------------------------------------------
# A child's past, told by its change records: a "create" on the registration day, then the
# school years going up each September (and the change of school between stages), and for
# some children a change of guardian, a transfer between schools, or leaving the registry.
GUARDIAN_CHANGE_SHARE = 0.2
TRANSFER_SHARE = 0.1
STAGE_OF_GRADE = [
    (6, c.SchoolingStage.PRIMARY),
    (9, c.SchoolingStage.JUNIOR),
    (12, c.SchoolingStage.SENIOR),
]
# The fields a history event may change, beside those of the create snapshot.
HISTORY_FIELDS = (
    "school_id", "grade", "schooling", "guardianship_type", "guardian_name",
    "guardian_relation", "status", "left_on", "leave_reason",
)  # fmt: skip
RECORD_NAME = {"school_id": "school", "county_id": "county", "township_id": "township"}


def _stage_for(grade: int | None, current: str) -> str:
    if grade is None or grade < 1:
        return c.SchoolingStage.KINDERGARTEN
    for top, stage in STAGE_OF_GRADE:
        if grade <= top:
            # A vocational pupil was at a junior school before, then is vocational again.
            if stage == c.SchoolingStage.SENIOR and current == c.SchoolingStage.VOCATIONAL:
                return current
            return stage
    return current


class History:
    """The change records of one generated child, from its own random stream (seed and ID
    number), so that the children stream itself and its contract stay as they were."""

    def __init__(self, *, plan: Plan, seed: int, anchor: dt.date):
        self.seed, self.anchor = seed, anchor
        self.counties = {county.pk: county for county in plan.counties}
        self.townships = {
            s.township.pk: s.township for county in plan.counties for s in county.schools
        }
        self.kinds = {c.GuardianshipType.GRANDPARENT, c.GuardianshipType.RELATIVE}

    def events(self, row: dict) -> tuple[dict, list[tuple[dt.date, str, dict]]]:
        """(the child's values on its registration day, [(day, action, {field: [old, new]})]
        in date order). The events lead from the first values to the row as it is now."""
        rng = random.Random(f"{self.seed}:{row['id_number']}")
        state = {name: row[name] for name in HISTORY_FIELDS}
        start, end = row["registered_on"], row["left_on"] or self.anchor
        dates = []
        if row["left_on"]:
            dates.append((row["left_on"], "leave"))
        for year in range(start.year, end.year + 1):
            september = dt.date(year, 9, 1)
            if start < september <= end:
                dates.append((september, "grade"))
        if (end - start).days > 200 and rng.random() < GUARDIAN_CHANGE_SHARE:
            day = _day_between(rng, start + dt.timedelta(days=30), end - dt.timedelta(days=1))
            dates.append((day, "guardian"))
        if (end - start).days > 400 and rng.random() < TRANSFER_SHARE:
            day = _day_between(rng, start + dt.timedelta(days=60), end - dt.timedelta(days=30))
            if day.month != 9 or day.day != 1:
                dates.append((day, "transfer"))
        county = self.counties[row["county_id"]]
        home = self.townships.get(row["township_id"])
        backwards = []
        for day, kind in sorted(dates, reverse=True):
            changes = getattr(self, f"_undo_{kind}")(rng, state, county, home, row)
            if changes:
                backwards.append((day, "leave" if kind == "leave" else
                                  "transfer" if kind == "transfer" else "update", changes))  # fmt: skip
        return state, backwards[::-1]

    @staticmethod
    def _undo(state: dict, **old) -> dict:
        """Set the state back to ``old`` values; the change records {field: [old, new]}."""
        changes = {}
        for name, value in old.items():
            if state[name] != value:
                changes[RECORD_NAME.get(name, name)] = [value, state[name]]
                state[name] = value
        return changes

    def _undo_leave(self, rng, state, county, home, row) -> dict:
        return self._undo(state, status=c.ChildStatus.ACTIVE, left_on=None, leave_reason="")

    def _undo_grade(self, rng, state, county, home, row) -> dict:
        """The September before: one grade lower, and at a school of the stage before when
        the stage changed (a primary school before the junior one...)."""
        grade = state["grade"]
        if grade is None or state["schooling"] not in (
            c.SchoolingStage.PRIMARY, c.SchoolingStage.JUNIOR,
            c.SchoolingStage.SENIOR, c.SchoolingStage.VOCATIONAL,
        ):  # fmt: skip
            return {}
        before = grade - 1
        stage = _stage_for(before, state["schooling"])
        if stage == c.SchoolingStage.KINDERGARTEN:
            before = None
        if stage == state["schooling"]:
            return self._undo(state, grade=before)
        schools = county.schools_for(stage, home) or county.schools_for(stage)
        if not schools:
            return {}  # no such school in the demo catalogue: the past stays as it is
        school = schools[rng.randrange(len(schools))]
        return self._undo(state, grade=before, schooling=stage, school_id=school.pk)

    def _undo_guardian(self, rng, state, county, home, row) -> dict:
        now = state["guardianship_type"]
        if now == c.GuardianshipType.ONE_PARENT:
            return {}  # the parent at home: the left-behind type would change too
        kind = rng.choice(sorted(self.kinds - {now}))
        if kind == c.GuardianshipType.GRANDPARENT:
            relation = rng.choice(["祖母", "祖父", "外祖母", "外祖父"])
            names = catalog.OLD_MEN_NAMES if relation.endswith("父") else catalog.OLD_WOMEN_NAMES
        else:
            relation, _side, gender = rng.choice(RELATIVES)
            names = catalog.MEN_NAMES if gender == "M" else catalog.WOMEN_NAMES
        name = row["name"][0] + rng.choice(names)
        return self._undo(
            state, guardianship_type=kind, guardian_relation=relation, guardian_name=name
        )

    def _undo_transfer(self, rng, state, county, home, row) -> dict:
        if state["school_id"] is None:
            return {}
        others = [s for s in county.schools_for(state["schooling"]) if s.pk != state["school_id"]]
        if not others:
            return {}
        return self._undo(state, school_id=others[rng.randrange(len(others))].pk)


# --- the builder ------------------------------------------------------------------------------
BATCH_SIZE = 5_000
PROGRESS_EVERY = 100_000

# The fields a seeded child's "create" record lists (a summary, not the whole row).
SNAPSHOT_FIELDS = [
    "name", "id_number", "county", "township", "school", "grade", "guardianship_type",
    "registered_on", "status", "left_on", "leave_reason",
]  # fmt: skip


def build(context: DemoContext) -> DemoPart:
    """Make sure the first ``context.children`` children of the stream for the context's seed are
    registered. Children are generated as a stream and written in batches of ``BATCH_SIZE``
    through ``huzhou_care.bulk.RowInserter`` (COPY on PostgreSQL, a prepared INSERT elsewhere).
    Each batch is one transaction holding its children and their change records, so an
    interrupted run resumes where it stopped. Per batch: one lookup of the ID numbers already
    registered, two inserts and one read of the new ids; nothing proportional to N stays in
    memory."""
    children = context.children
    plan = _plan(context.counties, context.schools)
    stream = ChildStream(plan=plan, seed=context.seed, anchor=context.anchor)
    history = History(plan=plan, seed=context.seed, anchor=context.anchor)
    with sql_log_off():
        created, existing = _children_insert(
            rows=islice(stream, children), total=children, context=context, history=history
        )
    return DemoPart("儿童", created, existing)


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


def _id_lookup(id_numbers: list[str]) -> dict[str, int]:
    """{ID number: child id} for those of these ID numbers that are registered."""
    return blind_lookup(Child.objects.all(), "id_number", id_numbers, "pk")


def _children_insert(
    *, rows: Iterable[dict], total: int, context: DemoContext, history: History
) -> tuple[int, int]:
    """Insert the rows whose ID number is not registered yet, batch by batch, each child with
    its change records. Returns (created, already there)."""
    writer = _ChildWriter(context.source_ref, history)
    created = existing = done = 0
    for batch in batched(rows, BATCH_SIZE):
        taken = _id_lookup([r["id_number"] for r in batch])
        new = [r for r in batch if r["id_number"] not in taken]
        if new:
            writer.write(new)
        created, existing = created + len(new), existing + len(batch) - len(new)
        before, done = done, done + len(batch)
        if done // PROGRESS_EVERY > before // PROGRESS_EVERY or done == total:
            context.say(f"儿童：已处理 {done:,} / {total:,}，新建 {created:,}，已存在 {existing:,}")
    return created, existing


class _ChildWriter:
    """Writes a batch of child rows and their change records (the history) in one
    transaction."""

    def __init__(self, source_ref: str, history: History):
        self.children = RowInserter(Child, with_pk=True)
        self.records = RowInserter(ChangeRecord)
        self.history = history
        self.record = {
            "content_type_id": ContentType.objects.get_for_model(Child).pk,
            "source": ChangeRecord.Source.SEED,
            "source_ref": source_ref,
        }
        self.snapshot = [(name, Child._meta.get_field(name).attname) for name in SNAPSHOT_FIELDS]
        self.protected = {f.name: f for f in Child._meta.encrypted_fields}

    @transaction.atomic
    def write(self, rows: list[dict]) -> None:
        rows = [
            {**row, "id": pk} for row, pk in zip(rows, allocate_ids(Child, len(rows)), strict=True)
        ]
        self.children.insert(rows)
        records = []
        for row in rows:
            first, events = self.history.events(row)
            fixed = {**self.record, "object_id": row["id"]}
            records.append(
                {
                    **fixed,
                    "action": ChangeRecord.Action.CREATE,
                    "at": _at(row["registered_on"], 0),
                    "changes": self._changes({**row, **first}),
                }
            )
            records.extend(
                {**fixed, "action": action, "at": _at(day, n + 1), "changes": _json(changes)}
                for n, (day, action, changes) in enumerate(events)
            )
        self.records.insert(records)

    def _changes(self, row: dict) -> dict:
        """{field: [None, value]} for the summary fields that have a value, JSON-ready: the
        shape ``audit.services.field_diff`` gives, at a fraction of its cost per row."""
        changes = {}
        for name, attname in self.snapshot:
            value = row[attname]
            if value is not None and value != "":
                if name in self.protected:  # the history keeps masked identifiers only
                    value = self.protected[name].mask(value)
                changes[name] = [None, value.isoformat() if isinstance(value, dt.date) else value]
        return changes


def _at(day: dt.date, order: int) -> dt.datetime:
    """A time on that day in office hours (records of one day keep their order)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, min(order, 59))))


def _json(changes: dict) -> dict:
    return {
        name: [v.isoformat() if isinstance(v, dt.date) else v for v in pair]
        for name, pair in changes.items()
    }
