"""Browser harness: Playwright (sync API) driving Debian's chromium against pytest-django's
``live_server``.

- ``browser`` (session): one headless chromium per pytest process (per xdist worker).
- ``page`` (function): a fresh context (zh-CN, 1366x900) whose console errors, uncaught
  exceptions, Content-Security-Policy violations and failed requests are collected in
  ``page_problems``; on a failing test a screenshot lands in ``test-artifacts/e2e/``.
- ``login(page, live_server, username, password)``: signs in through the real login form.

Journeys need ``transactional_db`` (the live server answers from another thread), with
``serialized_rollback`` so that the Huzhou divisions loaded by a data migration survive the
flush between tests. Mark journeys ``@pytest.mark.e2e``; ``pytest -m "not e2e"`` skips them.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio event loop running in this thread, and Django refuses
# synchronous ORM calls while a loop runs ("SynchronousOnlyOperation"). The fixtures here
# create rows from the test thread in between browser calls, never concurrently with them, so
# the documented escape hatch is safe for tests (and only for tests).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

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


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium "
            "fonts-noto-cjk) or point E2E_CHROMIUM at a Chromium binary"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
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
        # The portal has no favicon yet; the browser's own request for it 404s after sign-in.
        if msg.type in ("error", "warning") and not url.endswith("/favicon.ico"):
            page_problems.append(f"console.{msg.type}: {msg.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: page_problems.append(f"uncaught: {exc}"))
    page.on("requestfailed", lambda req: page_problems.append(f"failed: {req.url} {req.failure}"))
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
