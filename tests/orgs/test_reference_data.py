import tablib

from huzhou_care.orgs.admin import SchoolResource
from huzhou_care.orgs.models import OrgUnit, School


def test_the_migration_loads_huzhous_five_counties_and_their_townships(db):
    counties = OrgUnit.objects.filter(level="county")
    assert set(counties.values_list("name", flat=True)) == {
        "吴兴区",
        "南浔区",
        "德清县",
        "长兴县",
        "安吉县",
    }
    for county in counties:
        townships = county.children.filter(level="township")
        assert townships.count() >= 10
        assert all(t.code.startswith(county.code[:6]) for t in townships)
    assert OrgUnit.objects.get(name="织里镇").parent.name == "吴兴区"


def test_load_divisions_is_idempotent(db):
    from django.core.management import call_command

    before = OrgUnit.objects.count()
    call_command("load_divisions", verbosity=0)
    assert OrgUnit.objects.count() == before


def test_schools_import_through_django_import_export_with_a_dry_run_first(db):
    zhili = OrgUnit.objects.get(name="织里镇")
    data = tablib.Dataset(headers=["学校标识码", "学校名称", "学校类型", "区县代码", "乡镇代码"])
    data.append(["3305020101", "织里镇晟舍小学", "primary", "330502000000", zhili.code])
    resource = SchoolResource()
    preview = resource.import_data(data, dry_run=True)
    assert not preview.has_errors() and not School.objects.exists()
    resource.import_data(data, dry_run=False)
    school = School.objects.get(code="3305020101")
    assert (school.county.name, school.township.name) == ("吴兴区", "织里镇")
    again = resource.import_data(data, dry_run=False)
    assert again.totals["skip"] == 1 and School.objects.count() == 1


def test_the_school_import_page_is_for_city_admins(client, city_admin, alice):
    client.force_login(alice)
    assert client.get("/admin/orgs/school/import/").status_code == 302
    client.force_login(city_admin)
    assert client.get("/admin/orgs/school/import/").status_code == 200
