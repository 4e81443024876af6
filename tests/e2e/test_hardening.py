"""What the served app lets out and lets in, tried as an outsider would.

Browsers never see a traceback, even when the database is out of reach; no page of any
role asks a host but the app's own for anything; the upload endpoint takes no file larger
than an import needs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from collab.demo import build_demo
from collab.store.db import Database
from collab.store.framework import load_framework
from tests.support.databases import copy_migrated_sqlite

from .conftest import ARTIFACTS_DIR, DESKTOP, _context
from .served_app import ADMIN_PASSCODE, LEADERSHIP_PASSCODE, AppDidNotStart, served_app

try:
    from playwright.sync_api import Browser, BrowserContext, Page, expect
except ImportError:
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip(
        "Browser tests skipped: the playwright package is not installed", allow_module_level=True
    )

FIRST_LOAD_MS = 40_000
# Nobody listens on port 1 of the loopback address: every connection is refused at once.
UNREACHABLE_DATABASE = "postgresql+psycopg://nobody@127.0.0.1:1/none"
# What a traceback or a database error would give away about the server.
GIVEAWAYS = ("Traceback", "psycopg", "sqlalchemy", "OperationalError", "127.0.0.1", 'File "/')
OWN_HOSTS = {"127.0.0.1"}


# --- servers ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unreachable_app(browser_available) -> Iterator[str]:
    """The app served over a PostgreSQL server that refuses every connection."""
    try:
        with served_app(
            UNREACHABLE_DATABASE, log_path=ARTIFACTS_DIR / "unreachable-server.log"
        ) as url:
            yield url
    except AppDidNotStart as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="module")
def demo_app(browser_available, tmp_path_factory) -> Iterator[str]:
    """The app served over the demo alliance, so every page has figures to draw."""
    path = tmp_path_factory.mktemp("hardening") / "demo.db"
    copy_migrated_sqlite(path)
    database = Database.from_url(f"sqlite:///{path}")
    build_demo(database, framework=load_framework(), seed=7)
    database.dispose()
    try:
        with served_app(f"sqlite:///{path}", log_path=ARTIFACTS_DIR / "demo-server.log") as url:
            yield url
    except AppDidNotStart as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh desktop browser (a new Streamlit session) whose requests to other hosts
    are aborted, so a test never waits on the internet."""
    with _context(browser, viewport=DESKTOP) as fresh:
        yield fresh


# --- what a person does ------------------------------------------------------------------


def wait_until_drawn(page: Page) -> None:
    """Wait until the page's script has run to its end."""
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=FIRST_LOAD_MS)


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible(timeout=FIRST_LOAD_MS)
    wait_until_drawn(page)


def sidebar_links(page: Page) -> list[str]:
    """The names of every page in the sidebar, the folded-away ones too."""
    nav = page.get_by_test_id("stSidebarNav")
    more = page.get_by_test_id("stSidebarNavViewButton")
    if more.count() and "more" in more.inner_text().lower():
        more.click()
    return [link.inner_text().splitlines()[-1] for link in nav.get_by_role("link").all()]


def follow(page: Page, link: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()
    wait_until_drawn(page)


def sign_in(page: Page, *, role: str, passcode: str) -> None:
    follow(page, "Sign in")
    page.locator(".st-key-sign_in_role").get_by_text(role, exact=True).click()
    page.locator(".st-key-sign_in_passcode input").fill(passcode)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Sign out")).to_be_visible()
    wait_until_drawn(page)


# --- 1. no traceback in a browser ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/submit?code=ABCD-EFGH-JKLM"])
def test_a_database_out_of_reach_shows_a_plain_message_and_gives_nothing_away(
    context, unreachable_app, path
):
    page = context.new_page()
    received: list[bytes] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived",
            lambda frame: received.append(frame if isinstance(frame, bytes) else frame.encode()),
        ),
    )
    open_page(page, unreachable_app + path)

    shown = page.get_by_test_id("stAlertContentError")
    expect(shown.first).to_contain_text("database", timeout=FIRST_LOAD_MS)
    text = page.inner_text("body")
    for giveaway in GIVEAWAYS:
        assert giveaway not in text, f"the page shows {giveaway!r}"
    assert not re.search(r"\bport\b", text, re.IGNORECASE)
    assert not page.get_by_test_id("stException").count()
    # Nor in what the server sent, shown or not.
    everything_sent = b"".join(received)
    for giveaway in ("Traceback", "psycopg", "sqlalchemy", "Connection refused", "port 1"):
        assert giveaway.encode() not in everything_sent, f"the server sent {giveaway!r}"


# --- 2. no request to another host -------------------------------------------------------


def other_hosts(urls: list[str]) -> list[str]:
    return sorted(
        {
            url
            for url in urls
            if not url.startswith(("data:", "blob:")) and urlsplit(url).hostname not in OWN_HOSTS
        }
    )


@pytest.mark.parametrize(
    ("role", "passcode", "pages"),
    [
        ("member", None, 3),  # home, submit, sign in
        ("Leadership team", LEADERSHIP_PASSCODE, 7),  # and five leadership pages
        ("Administrator", ADMIN_PASSCODE, 14),  # and seven administration pages
    ],
)
def test_no_page_of_any_role_asks_another_host_for_anything(
    context, demo_app, role, passcode, pages
):
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    open_page(page, demo_app)
    if passcode:
        sign_in(page, role=role, passcode=passcode)
    visited = []
    for link in sidebar_links(page):
        if link == "Sign out":
            continue
        follow(page, link)
        visited.append(link)
    page.wait_for_timeout(1_000)  # icons and fonts a page asks for after drawing

    assert len(set(visited)) == pages, visited
    assert any(urlsplit(url).path.startswith("/_stcore/") for url in requested)
    assert other_hosts(requested) == []
