"""Completeness and timeliness against figures computed by hand (DHIS2 definitions).

Fixture (today = T; due dates in the past, lock dates in the future):

T1 "上半年" due T-20, grace 2 days, owed by districts and schools
  吴兴区团委      submitted T1-1                         complete, on time
  长兴县团委      submitted T1+5 (after grace)           complete, late
  织里镇中心小学  submitted T1-1, returned, resubmitted T1+1 (inside grace)  complete, on time
  煤山镇中心小学  nothing                                 missing
  新学校          joined T1+3: not expected
T2 "三季度" due T-5, no grace, owed by schools
  织里镇中心小学  submitted T2-1, returned (not resubmitted)  not complete
  煤山镇中心小学  draft only                             not complete
  新学校          submitted T2 (on the due date)          complete, on time
T3 "自查" due T+10, owed by districts (not yet due: not in the totals)
  吴兴区团委      submitted early

T1: expected 4, complete 3, on time 2 -> 75.0 % / 50.0 %
T2: expected 3, complete 1, on time 1 -> 33.3 % / 33.3 %
T3: expected 2, complete 1, on time 1 (own column only)
Totals (T1 + T2): expected 7, complete 4, on time 3 -> 57.1 % / 42.9 %
吴兴区: 吴兴区团委(T1 ok), 织里(T1 ok, T2 no), 新学校(T2 ok) -> 4 expected, 3, 3 -> 75 % / 75 %
长兴县: 长兴县团委(T1 late), 煤山(T1 missing, T2 draft) -> 3 expected, 1, 0 -> 33.3 % / 0 %
Overdue (past due + grace, not complete): 煤山 T1 (missing), 织里 T2 (returned), 煤山 T2 (draft)
"""

import datetime as dt

import pytest

from campaign import selectors, services
from campaign.models import ReportingUnit
from tests.factories import SchoolFactory, UserFactory

from . import builders as b

DAY = dt.timedelta(days=1)


@pytest.fixture
def scenario(year, units, alice, bob, carol, dave, city_admin, wuxing):
    t1 = b.make_template(year, title="上半年", due=b.TODAY - 20 * DAY, grace=2, schools=True)
    t2 = b.make_template(year, title="三季度", due=b.TODAY - 5 * DAY, districts=False, schools=True)
    t3 = b.make_template(year, title="自查", due=b.TODAY + 10 * DAY)
    new_school = SchoolFactory(county=wuxing, name="新建实验小学")
    new_unit = b.school_unit(new_school, joined=t1.deadline.due_on + 3 * DAY)
    new_staff = UserFactory(role="school_staff", school=new_school, district=wuxing)

    def submit(template, user, day, *, returned_by=None, resubmit=None):
        report = services.report_start(template=template, user=user)
        b.filled(report, user)
        services.report_submit(report=report, user=user, now=b.at(day))
        if returned_by:
            services.report_review(report=report, approve=False, comment="请补充", user=returned_by)
            if resubmit:
                services.report_submit(report=report, user=user, now=b.at(resubmit))
        return report

    d1, d2 = t1.deadline.due_on, t2.deadline.due_on
    submit(t1, alice, d1 - DAY)
    submit(t1, bob, d1 + 5 * DAY)
    submit(t1, carol, d1 - DAY, returned_by=alice, resubmit=d1 + DAY)
    submit(t2, carol, d2 - DAY, returned_by=alice)
    services.report_start(template=t2, user=dave)
    submit(t2, new_staff, d2)
    submit(t3, alice, b.TODAY)
    return {"t1": t1, "t2": t2, "t3": t3, "new": new_unit, **units}


def figures(rate):
    return (rate.expected, rate.complete, rate.on_time, rate.completeness, rate.timeliness)


def test_per_deadline_figures_equal_the_hand_computed_ones(scenario, city_admin):
    table = selectors.completeness_table(city_admin, scenario["t1"].deadline.stage.year, b.TODAY)
    assert figures(table.by_deadline[scenario["t1"].pk]) == (4, 3, 2, 75.0, 50.0)
    assert figures(table.by_deadline[scenario["t2"].pk]) == (3, 1, 1, 33.3, 33.3)
    assert figures(table.by_deadline[scenario["t3"].pk]) == (2, 1, 1, 50.0, 50.0)


def test_totals_count_only_deadlines_already_due(scenario, city_admin):
    table = selectors.completeness_table(city_admin, scenario["t1"].deadline.stage.year, b.TODAY)
    assert figures(table.total) == (7, 4, 3, 57.1, 42.9)


def test_per_district_figures(scenario, city_admin, wuxing, changxing):
    table = selectors.completeness_table(city_admin, scenario["t1"].deadline.stage.year, b.TODAY)
    assert figures(table.by_district[wuxing.pk]) == (4, 3, 3, 75.0, 75.0)
    assert figures(table.by_district[changxing.pk]) == (3, 1, 0, 33.3, 0.0)


def test_per_unit_figures_and_the_unit_added_mid_stage(scenario, city_admin):
    table = selectors.unit_table(city_admin, scenario["t1"].deadline.stage.year, b.TODAY)
    assert figures(table.by_unit[scenario["wuxing_school"].pk]) == (2, 1, 1, 50.0, 50.0)
    assert figures(table.by_unit[scenario["changxing"].pk]) == (1, 1, 0, 100.0, 0.0)
    # Joined after T1 was due: owes T2 only.
    assert figures(table.by_unit[scenario["new"].pk]) == (1, 1, 1, 100.0, 100.0)


def test_a_late_submission_stays_recorded_as_late(scenario, bob):
    report = scenario["t1"].reports.get(unit__district=bob.district)
    assert report.late and report.ever_late and report.is_complete


def test_a_district_sees_the_figures_of_its_own_units_only(scenario, alice, wuxing):
    table = selectors.completeness_table(alice, scenario["t1"].deadline.stage.year, b.TODAY)
    assert [row["key"] for row in table.rows] == [wuxing.pk]
    assert figures(table.total) == (4, 3, 3, 75.0, 75.0)


def test_the_overdue_list_holds_the_missing_returned_and_draft_reports(scenario, city_admin):
    rows = selectors.overdue_list(city_admin, scenario["t1"].deadline.stage.year, b.TODAY)
    got = {(r["unit"].name, r["template"].deadline.title, r["status"]) for r in rows}
    assert got == {
        ("煤山镇中心小学", "上半年", "missing"),
        ("织里镇中心小学", "三季度", "returned"),
        ("煤山镇中心小学", "三季度", "draft"),
    }


def test_the_per_unit_table_agrees_with_the_sql_aggregates(scenario, city_admin, alice):
    year = scenario["t1"].deadline.stage.year
    for user in (city_admin, alice):
        sql, python = (
            f(user, year, b.TODAY) for f in (selectors.completeness_table, selectors.unit_table)
        )
        assert figures(sql.total) == figures(python.total)
        for key in python.by_district:
            assert figures(sql.by_district[key]) == figures(python.by_district[key])
        for t in (scenario["t1"], scenario["t2"], scenario["t3"]):
            assert figures(sql.by_deadline[t.pk]) == figures(python.by_deadline[t.pk])


def test_the_city_table_is_a_fixed_number_of_queries(
    scenario, city_admin, django_assert_num_queries, changxing
):
    year = scenario["t1"].deadline.stage.year
    with django_assert_num_queries(3):
        selectors.completeness_table(city_admin, year, b.TODAY)
    # Ten more schools, some with reports: still three queries.
    for i in range(10):
        school = SchoolFactory(county=changxing, name=f"加测学校{i}")
        unit = b.school_unit(school)
        staff = UserFactory(role="school_staff", school=school, district=changxing)
        if i % 2:
            report = services.report_start(template=scenario["t2"], user=staff)
            b.filled(report, staff)
            services.report_submit(report=report, user=staff)
        assert ReportingUnit.objects.filter(pk=unit.pk).exists()
    with django_assert_num_queries(3):
        table = selectors.completeness_table(city_admin, year, b.TODAY)
    assert table.by_deadline[scenario["t2"].pk].expected == 13


def test_the_city_table_page_shows_the_figures(
    client, scenario, city_admin, django_assert_max_num_queries
):
    client.force_login(city_admin)
    with django_assert_max_num_queries(12):
        response = client.get("/campaign/completeness/")
    html = response.content.decode()
    assert "75.0% / 50.0%" in html and "57.1% / 42.9%" in html
