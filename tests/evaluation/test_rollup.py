"""The roll-up against a hand-computed fixture (tests/evaluation/builders.py)."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError, IntegrityError

from campaign.evaluation import measures, services
from campaign.models import Assessment, Snapshot

from . import builders as b


@pytest.fixture
def fixture(wuxing, changxing, wuxing_school, changxing_school, city_admin):
    return b.build(wuxing, changxing, wuxing_school, changxing_school, city_admin)


def _district(snapshot, name):
    return next(d for d in snapshot.results["districts"] if d["name"] == name)


def test_values_and_scores_equal_the_hand_computed_ones(fixture):
    snapshot, created = services.rollup(b.YEAR, b.AS_OF)
    assert created
    wx = _district(snapshot, "吴兴区")
    got = {code: (cell["value"], cell["score"]) for code, cell in wx["indicators"].items()}
    assert got == b.EXPECTED_WUXING
    assert wx["score"] == b.EXPECTED_WUXING_SCORE and wx["grade"] == "不合格"
    # 5 activities in 2026 by the date, over 3 programmes (the school's 2, the organisation's 1);
    # 7 of the 10 wishes published by the date fulfilled by then.
    assert (wx["indicators"]["activities"]["num"], wx["indicators"]["activities"]["den"]) == (5, 3)
    assert (wx["indicators"]["wishes"]["num"], wx["indicators"]["wishes"]["den"]) == (7, 10)
    cx = _district(snapshot, "长兴县")
    assert cx["score"] == b.EXPECTED_CHANGXING_SCORE
    assert cx["indicators"]["reports"] == {"value": 0.0, "score": 0.0, "num": 0.0, "den": 2.0}
    assert cx["indicators"]["hours"]["value"] is None  # no volunteers: no value, no points
    ranks = [d["name"] for d in snapshot.results["districts"][:2]]
    assert ranks == ["吴兴区", "长兴县"]
    assert snapshot.table == fixture["table"]
    assert snapshot.inputs["table"]["version"] == 1


def test_the_drill_down_has_the_school_and_its_township(fixture, wuxing_school):
    snapshot, _ = services.rollup(b.YEAR, b.AS_OF)
    school = next(s for s in snapshot.results["schools"] if s["id"] == wuxing_school.pk)
    assert school["indicators"]["staff"]["value"] == 80.0
    assert school["indicators"]["hours"]["value"] == 8.0
    assert school["indicators"]["activities"]["value"] == b.EXPECTED_SCHOOL_ACTIVITIES
    assert school["indicators"]["wishes"]["value"] == 70.0
    town = next(t for t in snapshot.results["townships"] if t["id"] == wuxing_school.township_id)
    assert town["indicators"]["visited"]["value"] == 50.0
    assert town["county_id"] == wuxing_school.county_id
    assert town["indicators"]["activities"]["value"] == 1.67  # with the venue's activity


def test_the_quantitative_formula_clamps():
    assert services.quantitative_score(10, 90, 80, 98) == services.q2(10 * 10 / 18)
    assert services.quantitative_score(10, 70, 80, 98) == 0
    assert services.quantitative_score(10, 120, 80, 98) == 10
    assert services.quantitative_score(10, None, 80, 98) == 0


def test_the_same_year_and_date_twice_gives_one_snapshot(fixture):
    first, created = services.rollup(b.YEAR, b.AS_OF)
    second, created_again = services.rollup(b.YEAR, b.AS_OF)
    assert created and not created_again and first.pk == second.pk
    assert Snapshot.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Snapshot.objects.create(
            year=b.YEAR, as_of=b.AS_OF, table=first.table, inputs={}, results={}, checksum=""
        )


def test_data_entered_after_the_date_changes_a_later_snapshot_not_this_one(fixture, wuxing):
    snapshot, _ = services.rollup(b.YEAR, b.AS_OF)
    later, _ = services.rollup(b.YEAR, b.AS_OF + dt.timedelta(days=2))
    wx = _district(later, "吴兴区")
    # The child, pairing and visit entered the next morning, and publicity raised to A.
    assert wx["indicators"]["registry"]["den"] == 11
    assert wx["indicators"]["publicity"]["value"] == "A"
    assert _district(snapshot, "吴兴区")["indicators"]["publicity"]["value"] == "B"
    assert snapshot.checksum != later.checksum


def test_a_snapshot_cannot_be_changed(fixture):
    snapshot, _ = services.rollup(b.YEAR, b.AS_OF)
    snapshot.results = {}
    with pytest.raises(PermissionError):
        snapshot.save()
    with pytest.raises(PermissionError):
        snapshot.delete()
    with pytest.raises(PermissionError):
        Snapshot.objects.filter(pk=snapshot.pk).update(results={})
    with pytest.raises(PermissionError):
        Snapshot.objects.all().delete()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE campaign_snapshot SET results = '{}'")
    snapshot.refresh_from_db()
    assert _district(snapshot, "吴兴区")["score"] == b.EXPECTED_WUXING_SCORE


def test_a_snapshot_is_reproducible_from_its_inputs(fixture):
    snapshot, _ = services.rollup(b.YEAR, b.AS_OF)
    inputs, results = services.compute(b.YEAR, b.AS_OF, snapshot.table)
    assert services.checksum(inputs) == snapshot.checksum
    assert results == snapshot.results


def test_no_query_runs_per_unit(fixture, django_assert_max_num_queries, changxing_school):
    from tests.factories import SchoolFactory

    for n in range(5):
        SchoolFactory(county=changxing_school.county, code=f"33052299{n:02d}")
    with django_assert_max_num_queries(20):
        services.compute(b.YEAR, b.AS_OF, services.table_for(b.YEAR))


def test_the_command_prints_the_issue_shape(fixture):
    out = StringIO()
    call_command(
        "evaluation_rollup",
        "--year",
        str(b.YEAR),
        "--as-of",
        b.AS_OF.isoformat(),
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert set(data) == {"snapshot", "created", "districts"} and data["created"] is True
    wx = next(d for d in data["districts"] if d["district"] == "吴兴区")
    assert set(wx) == {"district", "score", "grade", "indicators"}
    assert wx["indicators"]["staff"] == {"value": 80.0, "score": 6.0}
    out = StringIO()
    call_command(
        "evaluation_rollup",
        "--year",
        str(b.YEAR),
        "--as-of",
        b.AS_OF.isoformat(),
        "--json",
        stdout=out,
    )
    again = json.loads(out.getvalue())
    assert again["created"] is False and again["snapshot"] == data["snapshot"]
    assert again["districts"] == data["districts"]


def test_the_command_refuses_a_bad_date_and_a_future_one(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("evaluation_rollup", "--year", "2026", "--as-of", "2026-13-01")
    with pytest.raises(CommandError, match="不能晚于今天"):
        call_command("evaluation_rollup", "--year", "2099", "--as-of", "2099-12-01")


def test_a_measure_plugs_in_with_one_registration(fixture, wuxing):
    """How an app's measure joins (as issue 10's did): register it, add it to a version."""

    def activities(ctx):
        return {(wuxing.pk, None, None): (12, 3)}

    measures.register(measures.Measure("test.activities", "每个项目的活动数", activities, scale=1))
    try:
        table = services.new_version(fixture["table"], actor=None, note="增加活动指标")
        group = table.groups.get(code="service")
        group.indicators.filter(code="hours").update(weight=2)
        group.indicators.create(
            code="test_activities",
            name="每个项目的活动数（测试口径）",
            kind="quantitative",
            weight=5,
            measure="test.activities",
            target=4,
            floor=0,
        )
        services.publish_table(table)
        snapshot, _ = services.rollup(b.YEAR, b.AS_OF)
        cell = _district(snapshot, "吴兴区")["indicators"]["test_activities"]
        assert (cell["value"], cell["score"]) == (4.0, 5.0)
        assert snapshot.table.version == 2
    finally:
        measures.unregister("test.activities")


def test_a_table_whose_weights_do_not_add_up_is_not_published(fixture):
    table = services.new_version(fixture["table"], actor=None, note="调整")
    table.groups.get(code="care").indicators.filter(code="staff").update(weight=20)
    with pytest.raises(services.EvaluationError, match="结对关爱"):
        services.publish_table(table)


def test_assessments_keep_every_change_with_its_reason(fixture, wuxing, alice, city_admin):
    table = fixture["table"]
    mech = table.groups.get(code="effect").indicators.get(code="mechanism")
    services.assess(
        actor=alice,
        year=b.YEAR,
        district=wuxing,
        indicator=mech,
        side="self",
        grade="A",
        evidence="制度文件 3 份",
    )
    with pytest.raises(services.EvaluationError, match="修改理由"):
        services.assess(
            actor=alice, year=b.YEAR, district=wuxing, indicator=mech, side="self", grade="B"
        )
    services.assess(
        actor=alice,
        year=b.YEAR,
        district=wuxing,
        indicator=mech,
        side="self",
        grade="B",
        reason="按实际降为 B",
    )
    with pytest.raises(PermissionError):
        services.assess(
            actor=alice, year=b.YEAR, district=wuxing, indicator=mech, side="city", grade="A"
        )
    with pytest.raises(services.EvaluationError, match="等次"):
        services.assess(
            actor=city_admin,
            year=b.YEAR,
            district=wuxing,
            indicator=mech,
            side="city",
            grade="D",
            reason="x",
        )
    own = Assessment.objects.filter(district=wuxing, side="self", indicator_code="mechanism")
    assert list(own.values_list("grade", "reason")) == [("A", ""), ("B", "按实际降为 B")]
