"""Browser harness: Playwright (sync API) driving Debian's chromium against pytest-django's
``live_server``.

- ``browser`` (module): one headless chromium per test module (see below for why not session).
- ``page`` (function): a fresh context (zh-CN, 1366x900) whose console errors, uncaught
  exceptions, Content-Security-Policy violations and failed static requests are collected in
  ``page_problems``; on a failing test a screenshot lands in ``test-artifacts/e2e/``.
- ``login(page, live_server, username, password)``: signs in through the real login form.

Journeys run with ``transactional_db`` (the live server answers from another thread, so
rows must be committed); the database is emptied after each, and ``_reference_divisions`` in
tests/conftest.py puts the Huzhou divisions (loaded by a data migration) back before each. Mark journeys
``@pytest.mark.e2e``; ``pytest -m "not e2e"`` skips them.

Why the browser lives for one module, not the whole session: Playwright's sync API marks an
asyncio loop as running in the main thread for as long as it is started. While it does,
Django (1) refuses ORM calls ("SynchronousOnlyOperation") unless DJANGO_ALLOW_ASYNC_UNSAFE is
set, and (2) hands out per-context database connections instead of the thread's own ones.
Confined to the e2e modules, neither leaks into
the rest of the suite: the other tests in the same worker, and the subprocesses they start
(``manage.py check --deploy`` rejects that variable), see a normal synchronous thread.
"""

import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
LOGIN_PATH = "/accounts/login/"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

# Chromium reports each CSP violation to the page as a "securitypolicyviolation" event; this
# script (injected by Playwright, so itself exempt from the policy) turns each one into a
# console error that the console listener below records.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@contextmanager
def _django_beside_playwright():
    """Let the test thread use the ORM between browser calls while Playwright runs.

    The fixtures and tests create and read rows between browser calls, never during one, so
    Django's documented escape hatch is safe here (and only in tests). The thread's own
    connections are re-registered for the loop's context, so that the test, pytest-django's
    flush and the live server (which shares an in-memory SQLite connection) keep using the
    connection pytest-django set up."""
    from django.db import connections

    own = {alias: connections[alias] for alias in connections}
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            for alias, connection in own.items():
                connections[alias] = connection
            yield playwright
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="module")
def browser(django_db_setup):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium "
            "fonts-noto-cjk) or point E2E_CHROMIUM at a Chromium binary"
        )
    with _django_beside_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_problems() -> list[str]:
    """What went wrong in the page, as text: console errors (CSP violations among them),
    uncaught exceptions, failed requests and HTTP errors on static files."""
    return []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def page(request, browser, live_server, page_problems, artifacts_dir):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1366, "height": 900}, base_url=live_server.url
    )
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()

    def on_console(msg):
        url = msg.location.get("url", "")
        if msg.type in ("error", "warning"):
            page_problems.append(f"console.{msg.type}: {msg.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page_problems.append(f"uncaught: {exc}"))
    # A download ends its request with ERR_ABORTED in Chromium: that is not a failure.
    page.on(
        "requestfailed",
        lambda req: (
            page_problems.append(f"failed: {req.url} {req.failure}")
            if req.failure != "net::ERR_ABORTED"
            else None
        ),
    )
    page.on(
        "response",
        lambda resp: (
            page_problems.append(f"HTTP {resp.status}: {resp.url}")
            if resp.status >= 400 and "/static/" in resp.url
            else None
        ),
    )
    yield page
    call_report = getattr(request.node, "rep_call", None)
    if call_report is not None and call_report.failed:
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(artifacts_dir / f"FAILED-{name}.png"), full_page=True)
    context.close()


def login(page, live_server, username: str, password: str):
    """Sign in through the real form (labels 用户名 / 密码, button 登录), as a person would.

    Opens the login page unless the browser is already on it (e.g. after being redirected
    there with ``?next=``), and waits for the page the form leads to."""
    if not page.url.startswith(live_server.url + LOGIN_PATH):
        page.goto(live_server.url + LOGIN_PATH)
    page.get_by_label("用户名", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录", exact=True).click()
    return page
