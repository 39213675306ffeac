"""Locust scenario of bench/load_bench.py: the portal's everyday reads and writes.

Not run on its own: load_bench.py starts the servers and passes ``LOAD_PLAN`` (a JSON file:
signed-in sessions, roster files) and the bounds. Every request goes to the ``--host`` that
load_bench gives, an address on 127.0.0.1; ``LOAD_MAX_REQUESTS`` stops the run early.

Users (think time 0.5-1.5 s between tasks, as people clicking through pages):
- 区县团委 (district officer, weight 3): child list, filtered lists (grade, name search, the
  early-warning flags), a child's page, the export page and an xlsx export of a filtered list.
- 学校 (school clerk, weight 2): the school's list, a child's page, the roster page, and a
  roster upload (30 rows) whose preview is built and shown: a write of 30 preview rows.
"""

from __future__ import annotations

import json
import os
import random
import re

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "20000"))
CHILD_LINK = re.compile(r'href="/children/(\d+)/"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SCHOOL_OPTION = re.compile(r'<option value="(\d+)"')
_state = {"sent": 0, "runner": None}


@events.init.add_listener
def _keep_runner(environment, **kwargs):
    _state["runner"] = environment.runner


@events.request.add_listener
def _bound(**kwargs):
    """At most LOAD_MAX_REQUESTS requests, whatever --run-time says."""
    _state["sent"] += 1
    if _state["sent"] == MAX_REQUESTS and _state["runner"] is not None:
        _state["runner"].quit()


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)
    role = ""

    def on_start(self):
        # A signed-in session made by load_bench.py (one per user), as after the login form.
        self.account = next(s for s in PLAN["sessions"] if s["role"] == self.role)
        PLAN["sessions"].remove(self.account)
        self.client.cookies.set("sessionid", self.account["sessionid"])
        self.child_ids = self._children("/children/", "list")

    def _children(self, url, name):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200 or "/accounts/login/" in response.url:
                response.failure(f"{response.status_code} {response.url}")
                return []
            return [int(pk) for pk in CHILD_LINK.findall(response.text)]

    def _detail(self):
        if self.child_ids:
            self.client.get(f"/children/{random.choice(self.child_ids)}/", name="detail")


class DistrictOfficer(PortalUser):
    weight = 3
    role = "district_staff"

    @task(4)
    def child_list(self):
        page = random.randint(1, 20)
        ids = self._children(f"/children/?page={page}", "list")
        self.child_ids = ids or self.child_ids

    @task(4)
    def filtered(self):
        query = random.choice(["grade=3", "grade=5", "q=王", "flags=unguarded", "flags=low_income"])
        self._children(f"/children/?{query}", "filter")

    @task(4)
    def detail(self):
        self._detail()

    @task(1)
    def risk_list(self):
        self._children("/children/risk/", "risk list")

    @task(1)
    def export(self):
        query = f"grade={random.randint(1, 9)}&flags=unguarded"
        page = self.client.get(f"/children/export/?{query}", name="export page")
        token = CSRF.search(page.text)
        if token:
            self.client.post(
                f"/children/export/?{query}",
                data={"layout": "list", "csrfmiddlewaretoken": token.group(1)},
                name="export xlsx",
            )


class SchoolClerk(PortalUser):
    weight = 2
    role = "school_staff"

    @task(4)
    def child_list(self):
        ids = self._children("/children/", "list")
        self.child_ids = ids or self.child_ids

    @task(3)
    def detail(self):
        self._detail()

    @task(1)
    def roster_preview(self):
        page = self.client.get("/children/rosters/", name="roster page")
        token, school = CSRF.search(page.text), SCHOOL_OPTION.search(page.text)
        roster = PLAN["rosters"].get(self.account["username"])
        if not (token and school and roster):
            return
        with open(roster, "rb") as fh:
            self.client.post(
                "/children/rosters/",
                data={"school": school.group(1), "csrfmiddlewaretoken": token.group(1)},
                files={"file": ("名册.xlsx", fh.read())},
                name="roster upload + preview",
            )


class LoginPage(HttpUser):
    """Baseline, same run: the sign-in page (no query beyond the session), the floor of one
    request through gunicorn, the middleware stack and a template."""

    wait_time = between(0.5, 1.5)

    @task
    def login_page(self):
        self.client.get("/accounts/login/", name="baseline: login page")
