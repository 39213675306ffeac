import pytest

from . import builders as b


@pytest.fixture
def year(db):
    return b.make_year()


@pytest.fixture
def units(wuxing, changxing, wuxing_school, changxing_school, org):
    return {
        "wuxing": b.district_unit(wuxing),
        "changxing": b.district_unit(changxing),
        "wuxing_school": b.school_unit(wuxing_school),
        "changxing_school": b.school_unit(changxing_school),
        "org": b.org_unit(org),
    }
