"""Scope for every URL: a walk over all URL patterns proves no route is missing from the
matrix, anonymous users are sent to the login page (except the public allow-list), and every
role x every object route x an object inside and outside its scope answers as it should
(outside -> 404)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC = {"accounts:login"}
ANY_SIGNED_IN = {
    "campaign:home",
    "accounts:logout",
    "accounts:password_change",
    "accounts:password_change_done",
}
CHILD_ROLES = {"city_admin", "alice", "bob", "carol", "dave"}
TRANSFER_ROLES = {"city_admin", "alice", "bob"}

# Routes that take no object: which personas may open them (others: 404).
PAGE_ROUTES = {
    "children:list": CHILD_ROLES,
    "children:risk": CHILD_ROLES,
    "children:register": CHILD_ROLES,
    "children:export": CHILD_ROLES,
    "children:roster_upload": CHILD_ROLES,
    "children:roster_template": CHILD_ROLES,
    "children:transfer_requests": CHILD_ROLES,
}
# Routes on one child: which personas may use them on a child in their scope.
CHILD_ROUTES = {
    "children:detail": CHILD_ROLES,
    "children:identifiers": CHILD_ROLES,
    "children:edit": CHILD_ROLES,
    "children:leave": CHILD_ROLES,
    "children:restore": CHILD_ROLES,
    "children:transfer": TRANSFER_ROLES,
}
# Routes on one roster upload (of the 吴兴区 or the 长兴县 school).
UPLOAD_ROUTES = {
    "children:roster_detail": CHILD_ROLES,
    "children:roster_progress": CHILD_ROLES,
    "children:roster_errors": CHILD_ROLES,
}
# POST-only routes on one upload: GET is refused (405) after the scope check passes.
UPLOAD_POST_ROUTES = {
    "children:roster_confirm": CHILD_ROLES,
    "children:roster_cancel": CHILD_ROLES,
    "children:roster_transfer_request": CHILD_ROLES,
}
# POST-only routes on one transfer request: only the side that holds the child decides.
TRANSFER_POST_ROUTES = {"children:transfer_decide": TRANSFER_ROLES}
# Which of the two children (吴兴区 / 长兴县) each persona's scope holds.
SCOPE = {
    "city_admin": {"wuxing", "changxing"},
    "alice": {"wuxing"},
    "carol": {"wuxing"},
    "bob": {"changxing"},
    "dave": {"changxing"},
    "city_officer": set(),
    "olga": set(),
    "erin": set(),
}
ALL_PERSONAS = list(SCOPE)


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", p


def portal_routes():
    return {
        name: p for name, p in _walk(get_resolver().url_patterns) if not name.startswith("admin:")
    }


def _url(name, pk=None):
    pattern = portal_routes()[name]
    kwargs = {key: pk or 999999 for key in pattern.pattern.converters}
    return reverse(name, kwargs=kwargs)


def test_every_route_is_in_the_scope_matrix():
    known = (
        PUBLIC
        | ANY_SIGNED_IN
        | set(PAGE_ROUTES)
        | set(CHILD_ROUTES)
        | set(UPLOAD_ROUTES)
        | set(UPLOAD_POST_ROUTES)
        | set(TRANSFER_POST_ROUTES)
    )
    assert set(portal_routes()) == known


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(portal_routes()))
def test_anonymous_users_are_sent_to_login_except_on_public_pages(client, name):
    response = client.get(_url(name))
    if name in PUBLIC:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_the_admin_sends_anonymous_users_to_its_login(client):
    response = client.get("/admin/children/child/")
    assert response.status_code in (302, 404)


@pytest.mark.parametrize("name", sorted(PAGE_ROUTES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_pages_open_for_their_roles_and_404_for_others(client, personas, name, persona):
    client.force_login(personas[persona])
    response = client.get(_url(name))
    assert response.status_code == (200 if persona in PAGE_ROUTES[name] else 404)


@pytest.mark.parametrize("name", sorted(CHILD_ROUTES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_child_routes_answer_404_outside_the_scope(
    client, personas, wuxing_child, changxing_child, name, persona
):
    client.force_login(personas[persona])
    for place, child in (("wuxing", wuxing_child), ("changxing", changxing_child)):
        response = client.get(_url(name, child.pk))
        visible = place in SCOPE[persona] and persona in CHILD_ROUTES[name]
        assert (response.status_code != 404) == visible, (persona, place, response.status_code)
        if visible:
            assert response.status_code == 200


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_list_shows_only_children_in_scope(
    client, personas, wuxing_child, changxing_child, persona
):
    if persona not in PAGE_ROUTES["children:list"]:
        pytest.skip("the list itself answers 404 for this role")
    client.force_login(personas[persona])
    response = client.get(reverse("children:list"))
    shown = {c.pk for c in response.context["page"].object_list}
    expected = {
        child.pk
        for place, child in (("wuxing", wuxing_child), ("changxing", changxing_child))
        if place in SCOPE[persona]
    }
    assert shown == expected


@pytest.fixture
def uploads(carol, dave, wuxing_school, changxing_school):
    from children.models import RosterUpload

    def make(school, user):
        return RosterUpload.objects.create(
            school=school,
            uploaded_by=user,
            original_name="名册.xlsx",
            size=1,
            sha256="0" * 64,
            file="rosters/test",
            status=RosterUpload.Status.CANCELLED,
        )

    return {"wuxing": make(wuxing_school, carol), "changxing": make(changxing_school, dave)}


@pytest.mark.parametrize("name", sorted(UPLOAD_ROUTES) + sorted(UPLOAD_POST_ROUTES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_roster_routes_answer_404_outside_the_scope(client, personas, uploads, name, persona):
    client.force_login(personas[persona])
    roles = UPLOAD_ROUTES.get(name) or UPLOAD_POST_ROUTES[name]
    for place, upload in uploads.items():
        visible = place in SCOPE[persona] and persona in roles
        url = _url(name, upload.pk)
        response = client.post(url) if name in UPLOAD_POST_ROUTES else client.get(url)
        assert (response.status_code != 404) == visible, (persona, place, response.status_code)


def _admin_changelists():
    from django.contrib import admin

    return [f"/admin/{m._meta.app_label}/{m._meta.model_name}/" for m in admin.site._registry]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_every_admin_page_is_for_city_admins_only(client, personas, persona):
    client.force_login(personas[persona])
    for url in ["/admin/", *_admin_changelists()]:
        response = client.get(url)
        if persona == "city_admin":
            assert response.status_code == 200, url
        else:
            assert response.status_code == 302 and response["Location"].startswith(
                "/admin/login/"
            ), url


def test_no_get_changes_data(client, city_admin, wuxing_child, uploads):
    """GET every route (as the role that may see most) and compare every table but the
    append-only access log before and after."""
    from django.apps import apps

    from huzhou_care.audit.models import AccessLog

    def snapshot():
        return {
            m._meta.label: list(m.objects.order_by("pk").values())
            for m in apps.get_models()
            if m is not AccessLog and m._meta.app_label in {"children", "orgs", "accounts", "audit"}
        }

    client.force_login(city_admin)
    before = snapshot()
    for name, pattern in portal_routes().items():
        if name == "accounts:logout":
            continue
        kwargs = {
            key: (wuxing_child.pk if "roster" not in name else uploads["wuxing"].pk)
            for key in pattern.pattern.converters
        }
        client.get(reverse(name, kwargs=kwargs))
    after = snapshot()
    for label in before:
        assert before[label] == after[label], label


def test_posts_without_a_csrf_token_are_refused(alice, wuxing_child):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(
        reverse("children:leave", args=[wuxing_child.pk]), {"on": "2026-11-28", "reason": "other"}
    )
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
    wuxing_child.refresh_from_db()
    assert wuxing_child.status == "active"


@pytest.fixture
def transfer_requests(uploads, wuxing_child, changxing_child, carol, dave):
    from children.models import TransferRequest

    return {
        # Each child is held by its own district; the other district's school asks for it.
        "wuxing": TransferRequest.objects.create(
            child=wuxing_child,
            from_school=wuxing_child.school,
            to_school=uploads["changxing"].school,
            note="转入",
            requested_by=dave,
        ),
        "changxing": TransferRequest.objects.create(
            child=changxing_child,
            from_school=changxing_child.school,
            to_school=uploads["wuxing"].school,
            note="转入",
            requested_by=carol,
        ),
    }


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_only_the_side_holding_the_child_decides_a_transfer(
    client, personas, transfer_requests, persona
):
    client.force_login(personas[persona])
    for place, transfer in transfer_requests.items():
        response = client.post(
            _url("children:transfer_decide", transfer.pk), {"decision": "decline"}
        )
        decides = place in SCOPE[persona] and persona in TRANSFER_ROLES
        assert (response.status_code != 404) == decides, (persona, place, response.status_code)
