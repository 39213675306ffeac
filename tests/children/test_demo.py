"""children/demo.py: the deterministic stream of demo children (no database)."""

import datetime as dt
from itertools import islice

from children import choices as c
from children.demo import ChildStream, County, Plan, ResidentIdAllocator, SchoolRef, Township
from children.identity import resident_id_parse
from huzhou_care.orgs.models import School


# --- the stream itself (no database) ---------------------------------------------------------
def _plan() -> Plan:
    home = Township(pk=10, name="织里镇", code="330502100000")
    county = County(pk=1, name="吴兴区", division="330502")
    county.schools.extend(
        SchoolRef(pk=pk, kind=kind, township=home)
        for pk, kind in [
            (1, School.Kind.KINDERGARTEN),
            (2, School.Kind.PRIMARY),
            (3, School.Kind.JUNIOR),
            (4, School.Kind.SENIOR),
        ]
    )
    return Plan(counties=[county], weights=[1])


def test_a_seed_always_yields_the_same_children_whatever_the_count():
    anchor = dt.date(2026, 3, 1)
    short = list(islice(ChildStream(plan=_plan(), seed=3, anchor=anchor), 50))
    long = list(islice(ChildStream(plan=_plan(), seed=3, anchor=anchor), 80))
    assert long[:50] == short
    other = list(islice(ChildStream(plan=_plan(), seed=4, anchor=anchor), 50))
    assert other != short


def test_id_numbers_stay_unique_when_a_birth_day_runs_out_of_numbers():
    day = dt.date(2015, 6, 1)
    ids = ResidentIdAllocator(seed=1, earliest=dt.date(2015, 5, 30), latest=dt.date(2015, 6, 3))
    numbers = [ids.allocate("330502", day, male=True) for _ in range(1200)]
    assert len({n for n, _ in numbers}) == 1200
    for number, born in numbers:
        parsed = resident_id_parse(number)
        assert parsed.birth_date == born and parsed.gender == c.Gender.MALE
    assert {born for _, born in numbers} == {
        dt.date(2015, 6, 1),
        dt.date(2015, 6, 2),
        dt.date(2015, 5, 31),
    }
