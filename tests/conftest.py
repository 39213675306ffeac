"""Named personas (house style): two districts, a school in each, every role."""

import pytest

from huzhou_care.accounts.models import Role

from .factories import ChildFactory, OrganizationFactory, SchoolFactory, UserFactory, county


def pytest_configure(config):
    """On Redis, each test process (xdist worker) keeps its cache, and the sessions in it, in
    a Redis database of its own (1, 2, ...): a test that clears the cache must not sign out
    the other process's users mid-test. Celery's broker stays where REDIS_URL says."""
    import os
    from urllib.parse import urlsplit, urlunsplit

    from django.conf import settings

    url = os.environ.get("REDIS_URL", "")
    if not url or "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    parts = urlsplit(url)
    db = 1 + int(worker.removeprefix("gw") or 0)
    settings.CACHES["default"]["LOCATION"] = urlunsplit(parts._replace(path=f"/{db}"))


@pytest.fixture(autouse=True)
def _reference_divisions(request):
    """Transactional tests (live server, real worker) empty the database when they end, the
    Huzhou divisions of the data migration included: put them back before each such test.
    (Not ``serialized_rollback``: its saved content types clash with the flushes.)"""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        from huzhou_care.orgs.divisions import load_divisions, read_divisions
        from huzhou_care.orgs.models import OrgUnit

        request.getfixturevalue("transactional_db")
        if not OrgUnit.objects.exists():
            load_divisions(OrgUnit, read_divisions())


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is the production hasher (tested in tests/accounts/test_security.py); tests that
    # create many users use a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def wuxing(db):
    return county("吴兴区")


@pytest.fixture
def changxing(db):
    return county("长兴县")


@pytest.fixture
def wuxing_school(wuxing):
    return SchoolFactory(county=wuxing, name="织里镇中心小学", code="3305020001")


@pytest.fixture
def changxing_school(changxing):
    return SchoolFactory(county=changxing, name="煤山镇中心小学", code="3305220001")


@pytest.fixture
def org(db):
    return OrganizationFactory(name="湖州师范学院团委")


@pytest.fixture
def city_admin(db):
    return UserFactory(username="admin_li", full_name="李书记", role=Role.CITY_ADMIN)


@pytest.fixture
def city_officer(db):
    return UserFactory(username="frank", full_name="方科长", role=Role.CITY_OFFICER)


@pytest.fixture
def alice(wuxing):
    """District officer of 吴兴区."""
    return UserFactory(
        username="alice", full_name="艾丽", role=Role.DISTRICT_STAFF, district=wuxing
    )


@pytest.fixture
def bob(changxing):
    """District officer of 长兴县."""
    return UserFactory(
        username="bob", full_name="鲍勃", role=Role.DISTRICT_STAFF, district=changxing
    )


@pytest.fixture
def carol(wuxing_school):
    """School staff of a 吴兴区 school."""
    return UserFactory(
        username="carol",
        full_name="蔡老师",
        role=Role.SCHOOL_STAFF,
        school=wuxing_school,
        district=wuxing_school.county,
    )


@pytest.fixture
def dave(changxing_school):
    """School staff of a 长兴县 school."""
    return UserFactory(
        username="dave",
        full_name="戴老师",
        role=Role.SCHOOL_STAFF,
        school=changxing_school,
        district=changxing_school.county,
    )


@pytest.fixture
def olga(org):
    return UserFactory(
        username="olga", full_name="欧阳", role=Role.ORG_COORDINATOR, organization=org
    )


@pytest.fixture
def erin(org):
    """A volunteer of a university team."""
    return UserFactory(username="erin", full_name="尔雅", role=Role.VOLUNTEER, organization=org)


@pytest.fixture
def wuxing_child(wuxing_school):
    return ChildFactory(school=wuxing_school, name="王小明")


@pytest.fixture
def changxing_child(changxing_school):
    return ChildFactory(school=changxing_school, name="陈小红")


@pytest.fixture
def personas(city_admin, city_officer, alice, bob, carol, dave, olga, erin):
    return {
        "city_admin": city_admin,
        "city_officer": city_officer,
        "alice": alice,
        "bob": bob,
        "carol": carol,
        "dave": dave,
        "olga": olga,
        "erin": erin,
    }


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Tasks run in-process in tests, even when REDIS_URL is set, except in the integration
    tests that start a real Celery worker (marked celery_worker): those publish to a queue of
    their own test process (tests/worker.py), which their worker consumes."""
    from huzhou_care.celery import app

    from .worker import own_queue

    eager = "celery_worker" not in request.keywords
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    if eager:
        yield
    else:
        with own_queue():
            yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


# An 18-digit resident ID number, or a mobile phone, standing alone in a log line.
_PERSONAL_IN_LOG = __import__("re").compile(
    r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])|(?<![0-9])1[3-9]\d{9}(?![0-9])"
)


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs(caplog):
    """Suite-wide (SECURITY.md: no identifiers in logs): every log record any test causes,
    message and traceback, is scanned for ID numbers and phone numbers."""
    yield
    found = []
    for when in ("setup", "call"):
        for record in caplog.get_records(when):
            text = record.getMessage() + "\n" + (record.exc_text or "")
            if record.exc_info and not record.exc_text:
                import logging

                text += logging.Formatter().formatException(record.exc_info)
            if _PERSONAL_IN_LOG.search(text):
                found.append(f"{record.name} {record.levelname}: {text[:300]}")
    if found:
        pytest.fail("personal data in the logs:\n" + "\n".join(found), pytrace=False)
