"""Browser fixtures: the served app, the system Chromium, desktop and phone tabs.

One server for the whole session (see ``served_app``). Each test gets fresh browser
contexts, so each is a new Streamlit session (a member until it signs in). When
``CI=true`` a missing Playwright or Chromium is an error, not a skip. A failed test
leaves a screenshot and the HTML of its pages in ``test-artifacts/e2e/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .served_app import PROJECT_DIR, Alliance, AppDidNotStart, served_alliance, served_demo

try:
    from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright
except ImportError:  # reported by the browser_available fixture
    sync_playwright = None

ARTIFACTS_DIR = PROJECT_DIR / "test-artifacts" / "e2e"
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
]
WAIT_MS = 15_000
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _chromium() -> Path | None:
    if CHROMIUM.exists():
        return CHROMIUM
    found = shutil.which("chromium")
    return Path(found) if found else None


def _browser_problem() -> str | None:
    if sync_playwright is None:
        return "the playwright package is not installed (`make test` installs it)"
    if _chromium() is None:
        return f"Chromium is not installed (looked for {CHROMIUM} and 'chromium' on PATH)"
    return None


@pytest.fixture(scope="session")
def browser_available() -> None:
    """Skip the browser tests when Playwright or Chromium is missing; fail instead in CI."""
    problem = _browser_problem()
    if problem and IN_CI:
        pytest.fail(f"Browser tests cannot run: {problem}; they are required when CI=true")
    if problem:
        pytest.skip(f"Browser tests skipped: {problem}")


@pytest.fixture(scope="session")
def alliance(browser_available, tmp_path_factory) -> Iterator[Alliance]:
    """The app served over a fresh SQLite alliance (organisations only; tests add rounds)."""
    try:
        with served_alliance(
            tmp_path_factory.mktemp("e2e"), log_path=ARTIFACTS_DIR / "streamlit-server.log"
        ) as served:
            yield served
    except AppDidNotStart as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def demo_alliance(browser_available, tmp_path_factory) -> Iterator[Alliance]:
    """The app served over the demo alliance, read but never changed by the tests that use
    it, so every leadership page has figures to draw."""
    try:
        with served_demo(
            tmp_path_factory.mktemp("demo"), log_path=ARTIFACTS_DIR / "demo-server.log"
        ) as served:
            yield served
    except AppDidNotStart as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def browser(browser_available) -> Iterator[Browser]:
    """The system Chromium, headless, started once for the session."""
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(_chromium()), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def _only_loopback(route: Route) -> None:
    url = route.request.url
    if urlsplit(url).hostname in ("127.0.0.1", "localhost") or url.startswith(("data:", "blob:")):
        route.continue_()
    else:
        route.abort()


@contextmanager
def _context(browser: Browser, **options) -> Iterator[BrowserContext]:
    context = browser.new_context(**options)
    context.set_default_timeout(WAIT_MS)
    context.route("**/*", _only_loopback)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(browser, alliance) -> Iterator[Page]:
    """A desktop tab in a new session (the leadership team's or administrator's laptop)."""
    with _context(browser, viewport=DESKTOP) as context:
        yield context.new_page()


@pytest.fixture
def phone_page(browser, alliance) -> Iterator[Page]:
    """A phone-sized touch-screen tab in a new session (a member answering)."""
    with _context(
        browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    ) as context:
        yield context.new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """When a test fails, keep a screenshot and the HTML of each of its open pages."""
    report = yield
    if report.when == "call" and report.failed and sync_playwright is not None:
        ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
        for fixture_name, value in item.funcargs.items():
            if not isinstance(value, Page) or value.is_closed():
                continue
            stem = item.name if fixture_name == "page" else f"{item.name}-{fixture_name}"
            try:
                value.screenshot(path=str(ARTIFACTS_DIR / f"{stem}.png"), full_page=True)
                (ARTIFACTS_DIR / f"{stem}.html").write_text(value.content(), encoding="utf-8")
            except Exception as exc:  # a broken page must not hide the test's own failure
                report.sections.append(("e2e artifacts", f"{stem}: not saved ({exc})"))
    return report
