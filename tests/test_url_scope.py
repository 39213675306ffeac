"""Scope for every URL: a walk over all URL patterns proves no route is missing from the
matrix, anonymous users are sent to the login page (except the public allow-list), and every
role x every object route x an object inside and outside its scope answers as it should
(outside -> 404)."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC = {"accounts:login", "campaign:showcase", "campaign:wish_wall"}
# Public routes on one object: anonymous users get the object or 404, never the login page.
PUBLIC_OBJECT = {"campaign:showcase_photo", "campaign:wish_claim"}
ANY_SIGNED_IN = {
    "campaign:home",
    "accounts:logout",
    "accounts:password_change",
    "accounts:password_change_done",
    "notify:read_all",  # POST; marks only the user's own notifications
}
SCOPE_PERSONAS = ("city_admin", "city_officer", "alice", "bob", "carol", "dave", "olga", "erin")
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
    "notify:list": set(SCOPE_PERSONAS),
    "notify:settings": set(SCOPE_PERSONAS),
    "volunteers:team_list": {"city_admin", "city_officer", "alice", "bob", "carol", "dave", "olga"},
    "volunteers:volunteer_list": {"city_admin", "alice", "bob", "carol", "dave", "olga"},
    "volunteers:upload": {"city_admin", "alice", "bob", "carol", "dave", "olga"},
    "volunteers:me": {"erin"},
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
# POST-only routes that take no object (GET is refused with 405 after the role check).
POST_PAGE_ROUTES = {"children:search": CHILD_ROLES}
# POST-only routes on one transfer request: only the side that holds the child decides.
TRANSFER_POST_ROUTES = {"children:transfer_decide": TRANSFER_ROLES}
# POST-only routes on one notification: its recipient only, whatever the role.
NOTIFICATION_POST_ROUTES = {"notify:read", "notify:open"}
# --- pairing/ (pairing/navigation.py). In the pairing fixtures below, erin (volunteer) is
# paired with the 吴兴区 child, olga's organisation with the 吴兴区 school this year.
MINE = {"carol", "dave", "erin"}
PAIRERS = {"city_admin", "alice", "bob", "carol", "dave", "olga"}
CARD = PAIRERS | {"erin"}
FEEDBACK = CHILD_ROLES - {"olga"} | {"erin"}
PAIRING_PAGE_ROUTES = {
    "pairing:mine": MINE,
    "pairing:visit_new": MINE,
    "pairing:pair": PAIRERS,
    "pairing:class_pair": CHILD_ROLES,
    "pairing:org_list": PAIRERS,
    "pairing:coverage": PAIRERS | {"city_officer"},
    "pairing:overdue": PAIRERS,
    "pairing:feedback": FEEDBACK,
}
# POST-only routes without an object: allowed roles are answered (redirect), others 404.
PAIRING_POST_PAGES = {"pairing:org_create": {"city_admin", "alice", "bob"}}
# Routes on one object of the 吴兴区 / 长兴县 side: (object kind, roles, method).
PAIRING_OBJECT_ROUTES = {
    "pairing:child": ("child", CARD, "get"),
    "pairing:thread": ("child", FEEDBACK, "get"),
    "pairing:end": ("pairing", PAIRERS, "get"),
    "pairing:follow_up_close": ("visit", CARD, "post"),
    "pairing:org_detail": ("org_pairing", PAIRERS, "get"),
    "pairing:org_visit": ("org_pairing", {"city_admin", "alice", "bob", "olga"}, "post"),
}
# Which side each persona's scope holds once the pairings exist.
PAIRING_SCOPE = {
    "city_admin": {"wuxing", "changxing"},
    "alice": {"wuxing"},
    "carol": {"wuxing"},
    "bob": {"changxing"},
    "dave": {"changxing"},
    "city_officer": set(),
    "olga": {"wuxing"},
    "erin": {"wuxing"},
}
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
        | PUBLIC_OBJECT
        | set(CAMPAIGN_PAGES)
        | set(CAMPAIGN_POST_PAGES)
        | set(CAMPAIGN_OBJECT_ROUTES)
        | ANY_SIGNED_IN
        | set(PAGE_ROUTES)
        | set(CHILD_ROUTES)
        | set(UPLOAD_ROUTES)
        | set(UPLOAD_POST_ROUTES)
        | set(TRANSFER_POST_ROUTES)
        | set(POST_PAGE_ROUTES)
        | NOTIFICATION_POST_ROUTES
        | set(VOLUNTEER_OBJECT_ROUTES)
        | set(PAIRING_PAGE_ROUTES)
        | set(PAIRING_POST_PAGES)
        | set(PAIRING_OBJECT_ROUTES)
        | set(PROGRAMME_PAGES)
        | set(PROGRAMME_OBJECT_ROUTES)
        | set(EVALUATION_PAGES)
        | set(EVALUATION_POST_PAGES)
        | set(EVALUATION_DISTRICT_ROUTES)
        | set(EVALUATION_JOB_ROUTES)
    )
    assert set(portal_routes()) == known


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(portal_routes()))
def test_anonymous_users_are_sent_to_login_except_on_public_pages(client, name):
    response = client.get(_url(name))
    if name in PUBLIC:
        assert response.status_code == 200
    elif name in PUBLIC_OBJECT:
        assert response.status_code == 404
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


@pytest.mark.parametrize("name", sorted(PAIRING_PAGE_ROUTES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_pairing_pages_open_for_their_roles_and_404_for_others(client, personas, name, persona):
    client.force_login(personas[persona])
    response = client.get(_url(name))
    assert response.status_code == (200 if persona in PAIRING_PAGE_ROUTES[name] else 404)


@pytest.mark.parametrize("name", sorted(PAIRING_POST_PAGES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_pairing_post_pages_answer_404_to_other_roles(client, personas, name, persona):
    client.force_login(personas[persona])
    response = client.post(_url(name), {})
    assert (response.status_code != 404) == (persona in PAIRING_POST_PAGES[name])


@pytest.fixture
def pairing_objects(
    alice, bob, erin, org, wuxing_child, changxing_child, wuxing_school, changxing_school
):
    """One object of each kind on each side: erin paired with the 吴兴区 child, a 长兴县
    volunteer with the 长兴县 child, a visit of each, olga's organisation paired with the 吴兴区
    school and another organisation with the 长兴县 school."""
    import uuid

    from django.utils import timezone

    from pairing import services
    from pairing.models import campaign_year

    from .factories import OrganizationFactory, UserFactory

    today = timezone.localdate()
    other = UserFactory(role="volunteer", school=changxing_school, username="vol_cx")
    objects = {"child": {"wuxing": wuxing_child, "changxing": changxing_child}}
    objects["pairing"] = {
        "wuxing": services.pairing_create(
            child=wuxing_child, person=erin, kind="volunteer", started_on=today, actor=alice
        ),
        "changxing": services.pairing_create(
            child=changxing_child, person=other, kind="volunteer", started_on=today, actor=bob
        ),
    }
    data = {
        "kind": "home",
        "visited_on": today,
        "duration_minutes": 30,
        "follow_up_needed": True,
        "follow_up_due": today,
    }
    objects["visit"] = {
        "wuxing": services.visit_record(
            child=wuxing_child, author=erin, data=data, idempotency_key=uuid.uuid4()
        ).visit,
        "changxing": services.visit_record(
            child=changxing_child, author=other, data=data, idempotency_key=uuid.uuid4()
        ).visit,
    }
    objects["org_pairing"] = {
        "wuxing": services.org_pairing_create(
            organization=org, school=wuxing_school, year=campaign_year(), actor=alice
        ),
        "changxing": services.org_pairing_create(
            organization=OrganizationFactory(),
            school=changxing_school,
            year=campaign_year(),
            actor=bob,
        ),
    }
    return objects


@pytest.mark.parametrize("name", sorted(PAIRING_OBJECT_ROUTES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_pairing_object_routes_answer_404_outside_the_scope(
    client, personas, pairing_objects, name, persona
):
    """Among others: a volunteer reaching a child not paired with them, and a coordinator
    outside the school their organisation is paired with, get 404."""
    kind, roles, method = PAIRING_OBJECT_ROUTES[name]
    client.force_login(personas[persona])
    for place, obj in pairing_objects[kind].items():
        visible = place in PAIRING_SCOPE[persona] and persona in roles
        url = _url(name, obj.pk)
        response = client.post(url) if method == "post" else client.get(url)
        assert (response.status_code != 404) == visible, (persona, place, response.status_code)
        if visible and method == "get":
            assert response.status_code == 200


@pytest.mark.parametrize("name", sorted(POST_PAGE_ROUTES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_post_pages_answer_for_their_roles_and_404_for_others(client, personas, name, persona):
    client.force_login(personas[persona])
    allowed = persona in POST_PAGE_ROUTES[name]
    assert client.get(_url(name)).status_code == (405 if allowed else 404)
    assert client.post(_url(name), {"q": "王"}).status_code == (302 if allowed else 404)


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


def test_no_get_changes_data(client, city_admin, wuxing_child, uploads, campaign_objects):
    """GET every route (as the role that may see most) and compare every table but the
    append-only access log before and after."""
    from django.apps import apps

    from campaign.evaluation.models import DashboardFigure, DashboardRefresh
    from huzhou_care.audit.models import AccessLog
    from pairing.models import FeedbackRead

    # A read receipt and the dashboards' pre-aggregated counts (a cache of figures a first
    # dashboard takes when there are none) are written by reads, like the access log.
    derived = {AccessLog, FeedbackRead, DashboardRefresh, DashboardFigure}

    def snapshot():
        return {
            m._meta.label: list(m.objects.order_by("pk").values())
            for m in apps.get_models()
            if m not in derived
            and m._meta.app_label
            in {
                "children",
                "orgs",
                "accounts",
                "audit",
                "notify",
                "volunteers",
                "pairing",
                "campaign",
                "files",
            }  # fmt: skip
        }

    client.force_login(city_admin)
    before = snapshot()
    for name, pattern in portal_routes().items():
        if name == "accounts:logout":
            continue
        if name in CAMPAIGN_OBJECT_ROUTES:
            obj = campaign_objects[CAMPAIGN_OBJECT_ROUTES[name][0]]["wuxing"]
        else:
            obj = wuxing_child if "roster" not in name else uploads["wuxing"]
        kwargs = {key: obj.pk for key in pattern.pattern.converters}
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
    """Both districts see a request between them (the receiving one gets a message when it
    is not yet its turn); only the side holding the child changes it; others get 404."""
    client.force_login(personas[persona])
    receiving = {"wuxing": "changxing", "changxing": "wuxing"}
    for place, transfer in transfer_requests.items():
        response = client.post(
            _url("children:transfer_decide", transfer.pk), {"decision": "decline"}
        )
        involved = SCOPE[persona] & {place, receiving[place]}
        sees = bool(involved) and persona in TRANSFER_ROLES
        assert (response.status_code != 404) == sees, (persona, place, response.status_code)
        decides = place in SCOPE[persona] and persona in TRANSFER_ROLES
        transfer.refresh_from_db()
        assert (transfer.status == "declined") == decides, (persona, place, transfer.status)


@pytest.mark.parametrize("name", sorted(NOTIFICATION_POST_ROUTES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_a_notification_answers_only_its_recipient(client, personas, name, persona):
    from huzhou_care.notify.services import notify

    own = {
        p: notify(recipient=user, rule="children.roster_waiting", text="提醒")
        for p, user in personas.items()
    }
    client.force_login(personas[persona])
    for owner, notification in own.items():
        response = client.post(_url(name, notification.pk))
        assert (response.status_code != 404) == (owner == persona), (persona, owner)


# --- volunteers: teams of a 吴兴区 school, a 长兴县 school and a city-level organisation.
V_TEAM = {"city_admin", "city_officer", "alice", "bob", "carol", "dave", "olga"}
V_MANAGE = V_TEAM - {"city_officer"}
V_PROFILE = V_MANAGE | {"erin"}
# A volunteer reaches a team's page and approvals only as its leader (erin leads none here).
V_LEAD = V_TEAM | {"erin"}
V_APPROVE = V_MANAGE | {"erin"}
# Which teams' objects each persona's scope holds: the city all, a district its county's, a
# school its own, a coordinator its organisation's; a volunteer none (team pages)...
TEAM_SCOPE = {
    "city_admin": {"wuxing", "changxing", "org"},
    "city_officer": {"wuxing", "changxing", "org"},
    "alice": {"wuxing"},
    "carol": {"wuxing"},
    "bob": {"changxing"},
    "dave": {"changxing"},
    "olga": {"org"},
    "erin": set(),
}
# ... but their own profile and records: erin's profile is the volunteer of the org team.
OWN_SCOPE = {**TEAM_SCOPE, "erin": {"org"}}
# route -> (object kind, method, roles, scope)
VOLUNTEER_OBJECT_ROUTES = {
    "volunteers:team_detail": ("team", "get", V_LEAD, TEAM_SCOPE),
    "volunteers:team_hours": ("team", "get", V_APPROVE, TEAM_SCOPE),
    "volunteers:team_hours_decide": ("team", "post", V_APPROVE, TEAM_SCOPE),
    "volunteers:record_new": ("team", "get", V_MANAGE, TEAM_SCOPE),
    # a volunteer asks to join the teams of their own organisation or school
    "volunteers:team_join": ("team", "post", {"erin"}, {"erin": {"org"}}),
    "volunteers:volunteer_detail": ("volunteer", "get", V_PROFILE, OWN_SCOPE),
    "volunteers:record_decide": ("record", "post", V_APPROVE, TEAM_SCOPE),
    "volunteers:membership_decide": ("membership", "post", V_APPROVE, TEAM_SCOPE),
    "volunteers:upload_detail": ("upload", "get", V_MANAGE, TEAM_SCOPE),
    "volunteers:upload_progress": ("upload", "get", V_MANAGE, TEAM_SCOPE),
    "volunteers:upload_errors": ("upload", "get", V_MANAGE, TEAM_SCOPE),
    "volunteers:upload_confirm": ("upload", "post", V_MANAGE, TEAM_SCOPE),
    "volunteers:upload_cancel": ("upload", "post", V_MANAGE, TEAM_SCOPE),
}


@pytest.fixture
def volunteer_objects(wuxing_school, changxing_school, org, erin, carol):
    from tests.volunteers.factories import (
        MembershipFactory,
        RecordFactory,
        TeamFactory,
        VolunteerFactory,
    )
    from volunteers.models import VolunteerUpload

    teams = {
        "wuxing": TeamFactory(code="ZL-01", school=wuxing_school, organization=None),
        "changxing": TeamFactory(code="MS-01", school=changxing_school, organization=None),
        "org": TeamFactory(code="HUTC-01", organization=org),
    }
    objects = {}
    for place, team in teams.items():
        volunteer = VolunteerFactory(user=erin if place == "org" else None)
        objects[place] = {
            "team": team,
            "volunteer": volunteer,
            "membership": MembershipFactory(team=team, volunteer=volunteer),
            "record": RecordFactory(team=team, volunteer=volunteer),
            "upload": VolunteerUpload.objects.create(
                kind="volunteers",
                team=team,
                uploaded_by=carol,
                original_name="名册.xlsx",
                size=1,
                sha256="0" * 64,
                file="volunteer-uploads/test",
                status=VolunteerUpload.Status.CANCELLED,
            ),
        }
    return objects


@pytest.mark.parametrize("name", sorted(VOLUNTEER_OBJECT_ROUTES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_volunteer_routes_answer_404_outside_the_scope(
    client, personas, volunteer_objects, name, persona
):
    kind, method, roles, scope = VOLUNTEER_OBJECT_ROUTES[name]
    client.force_login(personas[persona])
    for place, objects in volunteer_objects.items():
        visible = persona in roles and place in scope.get(persona, set())
        url = _url(name, objects[kind].pk)
        response = client.post(url) if method == "post" else client.get(url)
        assert (response.status_code != 404) == visible, (persona, place, response.status_code)
        if visible and method == "get":
            assert response.status_code == 200, (persona, place)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_volunteer_lists_show_only_what_is_in_scope(client, personas, volunteer_objects, persona):
    client.force_login(personas[persona])
    lists = {
        "volunteers:team_list": ("team", TEAM_SCOPE),
        "volunteers:volunteer_list": ("volunteer", TEAM_SCOPE),
    }
    for name, (kind, scope) in lists.items():
        response = client.get(reverse(name))
        if persona not in PAGE_ROUTES[name]:
            assert response.status_code == 404
            continue
        shown = {obj.pk for obj in response.context["page"].object_list}
        expected = {volunteer_objects[p][kind].pk for p in scope[persona]}
        assert shown == expected, (name, persona)


def test_a_volunteer_reaches_only_their_own_profile_and_records(client, erin, volunteer_objects):
    from volunteers.models import ServiceRecord, Volunteer

    client.force_login(erin)
    own = volunteer_objects["org"]
    assert set(Volunteer.objects.visible_to(erin)) == {own["volunteer"]}
    assert set(ServiceRecord.objects.visible_to(erin)) == {own["record"]}
    page = client.get(reverse("volunteers:me"))
    assert page.context["volunteer"] == own["volunteer"]
    profile = client.get(_url("volunteers:volunteer_detail", own["volunteer"].pk))
    assert [r.pk for r in profile.context["page"].object_list] == [own["record"].pk]
    for place in ("wuxing", "changxing"):
        other = volunteer_objects[place]["volunteer"]
        assert client.get(_url("volunteers:volunteer_detail", other.pk)).status_code == 404


# --- campaign/ (staged timeline, reports, pilots, showcase) -------------------------------------
EVERYONE = set(SCOPE)
CAMPAIGN_READ = {"city_admin", "city_officer", "alice", "bob", "carol", "dave", "olga"}
CAMPAIGN_UNIT = {"alice", "bob", "carol", "dave", "olga"}
# Pages without an object (GET): who may open them (others: 404).
CAMPAIGN_PAGES = {
    "campaign:timeline": EVERYONE,
    "campaign:completeness": {"city_admin", "city_officer", "alice", "bob"},
    "campaign:overdue": {"city_admin", "alice", "bob"},
    "campaign:reports": CAMPAIGN_READ,
    "campaign:pilots": CAMPAIGN_READ,
    "campaign:pilot_create": CAMPAIGN_UNIT | {"city_admin"},
    "campaign:pilot_dossier": {"city_admin"},
    "campaign:stories": CAMPAIGN_READ,
    "campaign:story_create": CAMPAIGN_UNIT,
    "campaign:nominations": CAMPAIGN_READ,
}
# POST-only pages; those naming a unit are scoped by it: persona -> places it may act on.
BOTH = {"wuxing", "changxing"}
CAMPAIGN_POST_PAGES = {
    "campaign:report_start": (None, CAMPAIGN_UNIT),
    "campaign:nomination_create": (None, CAMPAIGN_UNIT),
    "campaign:remind": ("unit", {"city_admin": BOTH, "alice": {"wuxing"}, "bob": {"changxing"}}),
    "campaign:report_reopen": ("unit", {"city_admin": BOTH}),
}
READ_SCOPE = {
    "city_admin": BOTH,
    "city_officer": BOTH,
    "alice": {"wuxing"},
    "carol": {"wuxing"},
    "bob": {"changxing"},
    "dave": {"changxing"},
}
DISTRICT_SCOPE = {
    "city_admin": BOTH,
    "city_officer": BOTH,
    "alice": {"wuxing"},
    "bob": {"changxing"},
}
# Routes on one object: (which object, method, persona -> places where it is not 404).
CAMPAIGN_OBJECT_ROUTES = {
    "campaign:report_detail": ("report", "get", READ_SCOPE),
    "campaign:report_move": ("report", "post", READ_SCOPE),
    "campaign:report_edit": ("report", "get", {"carol": {"wuxing"}, "dave": {"changxing"}}),
    "campaign:attachment": ("attachment", "get", READ_SCOPE),
    "campaign:pilot_detail": ("pilot", "get", DISTRICT_SCOPE),
    "campaign:pilot_move": ("pilot", "post", DISTRICT_SCOPE),
    "campaign:pilot_edit": (
        "pilot",
        "get",
        {"city_admin": BOTH, "alice": {"wuxing"}, "bob": {"changxing"}},
    ),
    "campaign:pilot_attach": (
        "pilot",
        "post",
        {"city_admin": BOTH, "alice": {"wuxing"}, "bob": {"changxing"}},
    ),
    "campaign:story_detail": ("story", "get", READ_SCOPE),
    "campaign:story_move": ("story", "post", READ_SCOPE),
    "campaign:story_photo_add": (
        "story",
        "post",
        {"alice": {"wuxing"}, "carol": {"wuxing"}, "bob": {"changxing"}, "dave": {"changxing"}},
    ),
    "campaign:photo": ("photo", "get", READ_SCOPE),
    "campaign:nomination_move": ("nomination", "post", READ_SCOPE),
}


@pytest.fixture
def campaign_objects(
    wuxing, changxing, wuxing_school, changxing_school, org, alice, bob, carol, dave
):
    """One of each campaign object in 吴兴区 and one in 长兴县."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile

    from campaign import services
    from tests.campaign import builders as b
    from tests.files import samples

    year = b.make_year()
    template = b.make_template(
        year, title="上半年", due=b.TODAY + dt.timedelta(days=5), schools=True, files=True
    )
    overdue = b.make_template(
        year,
        title="方案",
        due=b.TODAY - dt.timedelta(days=20),
        lock=b.TODAY - dt.timedelta(days=1),
        schools=True,
    )
    b.district_unit(wuxing), b.district_unit(changxing), b.org_unit(org)
    units = {"wuxing": b.school_unit(wuxing_school), "changxing": b.school_unit(changxing_school)}
    out = {"template": template, "overdue": overdue, "unit": units}
    for key in ("report", "attachment", "pilot", "story", "photo", "nomination"):
        out[key] = {}
    for place, school_user, district_user in (("wuxing", carol, alice), ("changxing", dave, bob)):
        report = services.report_start(template=template, user=school_user)
        out["report"][place] = report
        out["attachment"][place] = services.report_attach(
            report=report,
            part_key="evidence",
            uploaded=SimpleUploadedFile("a.pdf", samples.pdf()),
            user=school_user,
        )
        out["pilot"][place] = services.pilot_create(
            year=year, data={"title": f"{place}试点"}, user=district_user
        )
        story = services.story_create(
            year=year, data={"title": f"{place}故事", "kind": "story"}, user=school_user
        )
        out["story"][place] = story
        out["photo"][place] = services.story_add_photo(
            story=story,
            uploaded=SimpleUploadedFile("p.png", samples.png()),
            caption="",
            shows_child=False,
            consent=False,
            user=school_user,
        )
        out["nomination"][place] = services.nomination_create(
            year=year,
            data={"category": "individual", "name": "某老师", "summary": "事迹"},
            user=school_user,
        )
    return out


@pytest.mark.parametrize("name", sorted(CAMPAIGN_PAGES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_campaign_pages_open_for_their_roles_and_404_for_others(
    client, personas, campaign_objects, name, persona
):
    client.force_login(personas[persona])
    response = client.get(_url(name))
    if persona in CAMPAIGN_PAGES[name]:
        # The dossier with nothing recommended yet sends the city back with a message.
        assert response.status_code == (302 if name == "campaign:pilot_dossier" else 200)
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(CAMPAIGN_POST_PAGES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_campaign_post_pages_answer_404_outside_the_role_or_the_units_scope(
    client, personas, campaign_objects, name, persona
):
    client.force_login(personas[persona])
    scoped_by, allowed = CAMPAIGN_POST_PAGES[name]
    assert client.get(_url(name)).status_code in (404, 405)
    template = campaign_objects["overdue" if scoped_by else "template"]
    for place, unit in campaign_objects["unit"].items():
        data = {"template": template.pk, "unit": unit.pk}
        response = client.post(_url(name), data)
        visible = place in allowed.get(persona, set()) if scoped_by else persona in allowed
        assert (response.status_code != 404) == visible, (persona, place, response.status_code)


@pytest.mark.parametrize("name", sorted(CAMPAIGN_OBJECT_ROUTES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_campaign_object_routes_answer_404_outside_the_scope(
    client, personas, campaign_objects, name, persona
):
    kind, method, scope = CAMPAIGN_OBJECT_ROUTES[name]
    client.force_login(personas[persona])
    for place, obj in campaign_objects[kind].items():
        url = _url(name, obj.pk)
        response = client.post(url) if method == "post" else client.get(url)
        visible = place in scope.get(persona, set())
        assert (response.status_code != 404) == visible, (persona, place, response.status_code)
        if visible and method == "get":
            assert response.status_code == 200
        if method == "post":
            assert client.get(url).status_code in (404, 405)


def test_the_public_showcase_is_open_to_anonymous_users_and_shows_no_draft(
    client, campaign_objects
):
    response = client.get(reverse("campaign:showcase"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "wuxing故事" not in html and "某老师" not in html
    photo = campaign_objects["photo"]["wuxing"]
    assert client.get(reverse("campaign:showcase_photo", args=[photo.pk])).status_code == 404


def test_a_team_leader_with_a_login_approves_only_the_team_they_lead(
    client, erin, volunteer_objects
):
    from volunteers.models import ServiceRecord, Team, Volunteer

    led = volunteer_objects["org"]
    Team.objects.filter(pk=led["team"].pk).update(leader=led["volunteer"])  # erin's profile
    other = volunteer_objects["wuxing"]
    client.force_login(erin)
    assert client.get(_url("volunteers:team_hours", led["team"].pk)).status_code == 200
    assert client.get(_url("volunteers:team_hours", other["team"].pk)).status_code == 404
    assert client.get(_url("volunteers:team_list")).status_code == 404
    response = client.post(
        _url("volunteers:team_hours_decide", led["team"].pk),
        {"decision": "approve", "ids": [led["record"].pk]},
    )
    assert response.status_code == 302
    assert ServiceRecord.objects.get(pk=led["record"].pk).state == "approved"
    assert client.post(_url("volunteers:record_decide", other["record"].pk)).status_code == 404
    # Leading a team opens its approvals, not other volunteers' profiles.
    assert set(Volunteer.objects.visible_to(erin)) == {led["volunteer"]}
    me = client.get(reverse("volunteers:me")).content.decode()
    assert "我担任队长的队伍" in me


# --- campaign/programmes/ (venues, activities, wishes, care records) ------------------------
PROGRAMME_READ = {"city_admin", "city_officer", "alice", "bob", "carol", "dave", "olga"}
PROGRAMME_CHILD = {"city_admin", "alice", "bob", "carol", "dave"}
# Pages without an object (GET): persona -> status (others: 404). care_find without an ID
# number sends the user back to the list with a message.
PROGRAMME_PAGES = {
    "campaign:venues": PROGRAMME_READ,
    "campaign:venue_create": {"city_admin", "alice", "bob"},
    "campaign:activities": PROGRAMME_READ,
    "campaign:activity_create": PROGRAMME_READ - {"city_officer"},
    "campaign:wishes": PROGRAMME_CHILD,
    "campaign:plans": PROGRAMME_CHILD,
    "campaign:care_find": PROGRAMME_CHILD,
}
CHILD_PLACE = {
    "city_admin": BOTH,
    "alice": {"wuxing"},
    "carol": {"wuxing"},
    "bob": {"changxing"},
    "dave": {"changxing"},
}
VENUE_PLACE = {**CHILD_PLACE, "city_officer": BOTH, "olga": BOTH}
DISTRICT_WRITE = {"city_admin": BOTH, "alice": {"wuxing"}, "bob": {"changxing"}}
PROGRAMME_OBJECT_ROUTES = {
    "campaign:venue_detail": ("venue", "get", VENUE_PLACE),
    "campaign:venue_photo_add": ("venue", "post", DISTRICT_WRITE),
    "campaign:venue_photo": ("venue_photo", "get", CHILD_PLACE),
    "campaign:activity_detail": ("activity", "get", {**CHILD_PLACE, "city_officer": BOTH}),
    "campaign:activity_photo_add": ("activity", "post", CHILD_PLACE),
    "campaign:activity_photo": ("activity_photo", "get", CHILD_PLACE),
    "campaign:wish_detail": ("wish", "get", CHILD_PLACE),
    "campaign:wish_move": ("wish", "post", CHILD_PLACE),
    "campaign:wish_evidence": ("wish", "get", CHILD_PLACE),
    "campaign:child_care": ("child", "get", CHILD_PLACE),
    "campaign:wish_add": ("child", "post", CHILD_PLACE),
    "campaign:aid_add": ("child", "post", CHILD_PLACE),
    "campaign:plan_add": ("child", "post", CHILD_PLACE),
    "campaign:guardianship_add": ("child", "post", CHILD_PLACE),
    "campaign:follow_up_add": ("child", "post", CHILD_PLACE),
    "campaign:plan_review": ("plan", "post", CHILD_PLACE),
    "campaign:guardianship_document": ("review", "get", CHILD_PLACE),
}


@pytest.fixture
def programme_objects(alice, bob, carol, dave, wuxing_child, changxing_child):
    """One of each programme object in 吴兴区 and in 长兴县 (photos, evidence, documents)."""
    import datetime as dt
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from campaign.programmes import services
    from children.choices import Health
    from tests.factories import ChildFactory, first_township
    from tests.files import samples
    from tests.volunteers.factories import TeamFactory

    today = timezone.localdate()
    out = {k: {} for k in ("venue", "venue_photo", "activity", "activity_photo", "wish")}
    out.update({k: {} for k in ("child", "plan", "review")})
    sides = (
        ("wuxing", alice, carol, wuxing_child),
        ("changxing", bob, dave, changxing_child),
    )
    for place, district, school, child in sides:
        jpeg = SimpleUploadedFile("p.jpg", samples.jpeg_with_gps((40, 30)))
        venue = services.venue_create(
            data={
                "name": f"{place}七彩小屋",
                "kind": "colourful_hut",
                "township": first_township(district.district),
                "address": "村委会",
                "managed_by": "团委",
            },
            user=district,
        )
        out["venue"][place] = venue
        out["venue_photo"][place] = services.venue_add_photo(
            venue=venue, uploaded=jpeg, user=district
        )
        team = TeamFactory(school=school.school, organization=None)
        activity = services.activity_create(
            data={
                "programme": "holidays",
                "kind": "tutoring",
                "title": "学业辅导",
                "team": team,
                "venue": venue,
                "starts_at": timezone.now() - dt.timedelta(days=1),
                "hours": Decimal("2"),
            },
            user=school,
        )
        out["activity"][place] = activity
        out["activity_photo"][place] = services.activity_add_photo(
            activity=activity, uploaded=SimpleUploadedFile("a.png", samples.png()), user=school
        )
        wish = services.wish_collect(
            child=child, data={"item": "书包", "estimated_value": 80}, user=school
        )
        services.wish_review(wish=wish, approve=True, user=district)
        services.wish_claim(wish_id=wish.pk, kind="public", name="张", phone="13912345678")
        services.claim_decide(wish=wish, confirm=True, user=district)
        services.wish_fulfil(
            wish=wish,
            evidence=SimpleUploadedFile("e.png", samples.png()),
            fulfilled_on=today,
            user=district,
        )
        out["wish"][place] = wish
        out["child"][place] = child
        disabled = ChildFactory(school=school.school, health=Health.DISABLED)
        out["plan"][place] = services.plan_create(
            child=disabled,
            data={
                "education": "随班就读",
                "starts_on": today,
                "next_review_on": today + dt.timedelta(days=90),
            },
            user=school,
        )
        out["review"][place] = services.guardianship_review_create(
            child=disabled,
            data={
                "assessed_on": today,
                "social_worker": "社工",
                "situation": "s",
                "capacity": "c",
                "result": "fair",
            },
            document=SimpleUploadedFile("g.pdf", samples.pdf()),
            user=school,
        )
    return out


@pytest.mark.parametrize("name", sorted(PROGRAMME_PAGES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_programme_pages_open_for_their_roles_and_404_for_others(
    client, personas, programme_objects, name, persona
):
    client.force_login(personas[persona])
    response = client.get(_url(name))
    if persona in PROGRAMME_PAGES[name]:
        assert response.status_code == (302 if name == "campaign:care_find" else 200)
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("name", sorted(PROGRAMME_OBJECT_ROUTES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_programme_object_routes_answer_404_outside_the_scope(
    client, personas, programme_objects, name, persona
):
    kind, method, scope = PROGRAMME_OBJECT_ROUTES[name]
    client.force_login(personas[persona])
    for place, obj in programme_objects[kind].items():
        url = _url(name, obj.pk)
        response = client.post(url) if method == "post" else client.get(url)
        visible = place in scope.get(persona, set())
        assert (response.status_code != 404) == visible, (persona, place, response.status_code)
        if visible and method == "get":
            assert response.status_code == 200
        if method == "post":
            assert client.get(url).status_code in (404, 405)


# --- campaign/evaluation/ (dashboards, roll-up, evaluation sheets) ------------------------------
CITY_AND_DISTRICTS = {"city_admin", "city_officer", "alice", "bob"}
# Pages without an object (GET, with their query string): who may open them.
EVALUATION_PAGES = {
    "campaign:dashboard": ({}, {"city_admin", "city_officer"}),
    "campaign:dashboard_district": ({}, CITY_AND_DISTRICTS),
    "campaign:dashboard_export": ({"key": "coverage"}, CITY_AND_DISTRICTS),
    "campaign:evaluation": ({}, CITY_AND_DISTRICTS),
    "campaign:evaluation_export": ({}, CITY_AND_DISTRICTS),
}
EVALUATION_POST_PAGES = {
    "campaign:evaluation_run": {"city_admin"},
    "campaign:dashboard_refresh": {"city_admin"},
}
# Routes on one district (吴兴区 / 长兴县): persona -> districts where it is not 404.
EVALUATION_DISTRICT_ROUTES = {
    "campaign:evaluation_district": ("get", DISTRICT_SCOPE),
    "campaign:evaluation_sheet": ("get", DISTRICT_SCOPE),
    "campaign:evaluation_assess": (
        "post",
        {"city_admin": BOTH, "alice": {"wuxing"}, "bob": {"changxing"}},
    ),
}
EVALUATION_JOB_ROUTES = {"campaign:evaluation_job": {"city_admin"}}


@pytest.mark.parametrize("name", sorted(EVALUATION_PAGES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_evaluation_pages_open_for_their_roles_and_404_for_others(client, personas, name, persona):
    kwargs, allowed = EVALUATION_PAGES[name]
    client.force_login(personas[persona])
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == (200 if persona in allowed else 404)


@pytest.mark.parametrize("name", sorted(EVALUATION_POST_PAGES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_evaluation_post_pages_answer_404_to_other_roles(client, personas, name, persona):
    client.force_login(personas[persona])
    response = client.post(reverse(name), {})
    assert (response.status_code != 404) == (persona in EVALUATION_POST_PAGES[name])


@pytest.mark.parametrize("name", sorted(EVALUATION_DISTRICT_ROUTES))
@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_evaluation_district_routes_answer_404_outside_the_scope(
    client, personas, wuxing, changxing, name, persona
):
    method, scope = EVALUATION_DISTRICT_ROUTES[name]
    client.force_login(personas[persona])
    for place, district in (("wuxing", wuxing), ("changxing", changxing)):
        url = reverse(name, args=[district.pk])
        response = client.post(url, {}) if method == "post" else client.get(url)
        visible = place in scope.get(persona, set())
        assert (response.status_code != 404) == visible, (persona, place, response.status_code)
        if visible and method == "get":
            assert response.status_code == 200


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_a_rollup_job_answers_only_city_admins(client, personas, city_admin, persona):
    import datetime as dt

    from campaign.models import RollupJob

    job = RollupJob.objects.create(year=2026, as_of=dt.date(2026, 12, 1), requested_by=city_admin)
    client.force_login(personas[persona])
    response = client.get(reverse("campaign:evaluation_job", args=[job.pk]))
    assert response.status_code == (
        200 if persona in EVALUATION_JOB_ROUTES["campaign:evaluation_job"] else 404
    )
