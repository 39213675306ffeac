"""factory_boy factories with Chinese fake data, on the real Huzhou divisions loaded by the
orgs data migration."""

import datetime as dt
import itertools

import factory

from children import choices as c
from children.identity import resident_id_build
from children.models import Child
from huzhou_care.accounts.models import Role, User
from huzhou_care.orgs.models import Organization, OrgUnit, School

SURNAMES = "王李张刘陈杨黄赵吴周徐孙沈朱钱费姚施"
GIVEN = [
    "梓涵",
    "子轩",
    "欣怡",
    "浩然",
    "雨桐",
    "宇航",
    "诗琪",
    "俊杰",
    "思彤",
    "一诺",
    "佳怡",
    "明轩",
]
_order = itertools.count(1)


def county(name: str) -> OrgUnit:
    return OrgUnit.objects.get(level=OrgUnit.Level.COUNTY, name=name)


def first_township(county_unit: OrgUnit) -> OrgUnit:
    return county_unit.children.filter(level=OrgUnit.Level.TOWNSHIP).order_by("code").first()


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    code = factory.Sequence(lambda n: f"21{n:08d}")
    name = factory.Sequence(lambda n: f"第{n}实验小学")
    kind = School.Kind.PRIMARY
    county = factory.LazyFunction(lambda: county("吴兴区"))
    township = factory.LazyAttribute(lambda o: first_township(o.county))


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"湖州师范学院第{n}志愿服务队")
    kind = Organization.Kind.UNIVERSITY
    level = Organization.Level.CITY
    county = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"{SURNAMES[n % len(SURNAMES)]}老师")
    role = Role.VOLUNTEER
    password = factory.django.Password("portal-test-Pass-2026")


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    school = factory.SubFactory(SchoolFactory)
    county = factory.LazyAttribute(lambda o: o.school.county if o.school else county("吴兴区"))
    township = factory.LazyAttribute(
        lambda o: o.school.township if o.school else first_township(o.county)
    )
    name = factory.Sequence(lambda n: SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)])
    birth_date = factory.Sequence(lambda n: dt.date(2012 + n % 8, 1 + n % 12, 1 + n % 28))
    id_number = factory.LazyAttribute(
        lambda o: resident_id_build(o.county.code[:6], o.birth_date, next(_order) % 1000)
    )
    gender = factory.LazyAttribute(
        lambda o: c.Gender.MALE if int(o.id_number[16]) % 2 else c.Gender.FEMALE
    )
    grade = 3
    class_name = "2班"
    left_behind_type = c.LeftBehindType.BOTH_AWAY
    guardianship_type = c.GuardianshipType.GRANDPARENT
    guardianship_assessment = c.GuardianshipAssessment.GOOD
    guardian_name = "王秀英"
    guardian_relation = "祖母"
    guardian_phone = "13812345678"
    father_name = "王建国"
    father_work_place = "广东省深圳市"
    father_phone = "13900001111"
    mother_name = "李丽"
    mother_work_place = "上海市"
    mother_phone = "13700002222"
    registered_on = dt.date(2026, 9, 1)


def stored_ids(qs=None) -> set[str]:
    """The registered children's ID numbers, decrypted (the column holds ciphertext)."""
    from children.models import Child

    qs = Child.objects.all() if qs is None else qs
    return {sealed.reveal() for sealed in qs.values_list("id_number", flat=True)}
