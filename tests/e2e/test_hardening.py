"""What the served app lets out and lets in, tried as an outsider would.

Browsers never see a traceback, even when the database is out of reach; no page of any
role asks a host but the app's own for anything; the upload endpoint takes a file only from
the administrator on the Import page, into the uploader that page showed, and none larger
than an import needs.
"""

from __future__ import annotations

import http.client
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from collab.store.config import DEFAULT_MAX_IMPORT_BYTES
from collab.web.upload_guard import MULTIPART_ALLOWANCE

from .conftest import ARTIFACTS_DIR, DESKTOP, _context
from .served_app import (
    ADMIN_PASSCODE,
    LEADERSHIP_PASSCODE,
    SERVER_PIDS,
    AppDidNotStart,
    served_app,
)

try:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
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


@pytest.fixture
def demo_app(demo_alliance) -> str:
    return demo_alliance.base_url


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


def menu(page: Page) -> Locator:
    """The menu of the page: the sidebar's, or the links across the top of a member's."""
    return page.get_by_test_id("stSidebarNav").or_(page.locator(".st-key-member_nav")).first


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    expect(menu(page)).to_be_visible(timeout=FIRST_LOAD_MS)
    wait_until_drawn(page)


def sidebar_links(page: Page) -> list[str]:
    """The names of every page in the menu, the folded-away ones too."""
    nav = menu(page)
    # ``all()`` doesn't wait: the menu's box can be drawn a moment before its links.
    expect(nav.get_by_role("link").first).to_be_visible()
    more = page.get_by_test_id("stSidebarNavViewButton")
    if more.count() and "more" in more.inner_text().lower():
        more.click()
    return [link.inner_text().splitlines()[-1] for link in nav.get_by_role("link").all()]


def follow(page: Page, link: str) -> None:
    menu(page).get_by_role("link", name=link, exact=True).click()
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
        ("member", None, 4),  # home, submit, live check, sign in
        ("Leadership team", LEADERSHIP_PASSCODE, 9),  # and six leadership pages
        ("Administrator", ADMIN_PASSCODE, 16),  # and seven administration pages
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


# --- 3. uploads ------------------------------------------------------------------------

# Larger than an import takes, as in the report that found a member could fill the
# server's memory with them.
BIG_UPLOAD = 19 * 2**20
BOUNDARY = "e2e-upload-boundary"


class Session:
    """A browser tab's Streamlit session: the tab, and the session id the server announced."""

    def __init__(self, context: BrowserContext, base_url: str):
        self.context = context
        self.base_url = base_url
        self.ids: list[str] = []
        self.page = context.new_page()
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._on_frame))
        open_page(self.page, base_url)
        assert self.ids, "the server announced no session"

    def _on_frame(self, frame: bytes | str) -> None:
        if isinstance(frame, bytes):
            message = ForwardMsg.FromString(frame)
            if message.HasField("new_session"):
                self.ids.append(message.new_session.initialize.session_id)

    @property
    def id(self) -> str:
        return self.ids[-1]

    def xsrf_token(self) -> str:
        cookies = {c["name"]: c["value"] for c in self.context.cookies(self.base_url)}
        return cookies.get("_streamlit_xsrf", "")

    def invented_upload_url(self, session_id: str | None = None) -> str:
        """An upload address for a file uploader the server never showed this session."""
        return f"{self.base_url}/_stcore/upload_file/{session_id or self.id}/{uuid.uuid4()}"

    def put(self, url: str, size: int, *, with_token: bool = True, chunked: bool = False) -> int:
        """PUT a file of ``size`` bytes to ``url`` as the page's uploader does, with the
        browser's XSRF cookie and (unless told not to) the token it holds; ``chunked``
        sends the body in pieces without saying its length. Returns the status."""
        parts = urlsplit(url)
        token = self.xsrf_token()
        headers = {
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Cookie": f"_streamlit_xsrf={token}",
            **({"X-Xsrftoken": token} if with_token else {}),
        }
        chunks = [
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            'filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'.encode(),
            *(b"x" * min(2**20, size - start) for start in range(0, size, 2**20)),
            f"\r\n--{BOUNDARY}--\r\n".encode(),
        ]
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            if chunked:
                connection.request(
                    "PUT", parts.path, body=iter(chunks), headers=headers, encode_chunked=True
                )
            else:
                connection.request("PUT", parts.path, body=b"".join(chunks), headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()


def server_memory_mb(base_url: str) -> float:
    """The resident memory of the server process serving ``base_url``, in MB."""
    status = Path(f"/proc/{SERVER_PIDS[base_url]}/status").read_text()
    kilobytes = next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]
    return int(kilobytes) / 1024


def signed_in(context: BrowserContext, base_url: str, role: str, passcode: str) -> Session:
    session = Session(context, base_url)
    sign_in(session.page, role=role, passcode=passcode)
    return session


def choose_file(page: Page, data: bytes) -> None:
    page.locator(".st-key-admin_import_file input[type=file]").set_input_files(
        {"name": "responses.csv", "mimeType": "text/csv", "buffer": data}
    )


def on_the_import_page(context: BrowserContext, base_url: str) -> tuple[Session, str]:
    """An administrator's session on the Import page, and the upload address its file
    uploader was given when a small CSV was chosen in it (the upload went through)."""
    session = signed_in(context, base_url, "Administrator", ADMIN_PASSCODE)
    follow(session.page, "Import")
    with session.page.expect_response(
        lambda r: "/_stcore/upload_file/" in r.url and r.request.method == "PUT"
    ) as uploaded:
        choose_file(session.page, b"round,organisation\n")
    assert uploaded.value.status == 204
    return session, uploaded.value.url


def test_a_member_session_cannot_upload_to_an_uploader_it_was_never_shown(context, demo_app):
    member = Session(context, demo_app)
    assert member.put(member.invented_upload_url(), 1_000) == 403


def test_the_leadership_team_cannot_upload(context, demo_app):
    leadership = signed_in(context, demo_app, "Leadership team", LEADERSHIP_PASSCODE)
    assert leadership.put(leadership.invented_upload_url(), 1_000) == 403


def test_the_administrator_cannot_upload_away_from_the_import_page(context, demo_app):
    admin = signed_in(context, demo_app, "Administrator", ADMIN_PASSCODE)
    follow(admin.page, "Rounds")
    assert admin.put(admin.invented_upload_url(), 1_000) == 403


def test_the_import_page_takes_a_file_only_through_the_uploader_it_shows(context, demo_app):
    admin, first_url = on_the_import_page(context, demo_app)
    assert admin.put(admin.invented_upload_url(), 1_000) == 403
    with admin.page.expect_response(
        lambda r: "/_stcore/upload_file/" in r.url and r.request.method == "PUT"
    ) as uploaded:
        choose_file(admin.page, b"round,organisation,group\n")
    assert uploaded.value.status == 204
    # The uploader's earlier address takes nothing more once it was given a newer one.
    assert admin.put(first_url, 1_000) == 403
    # Leaving the page closes uploads.
    follow(admin.page, "Rounds")
    assert admin.put(uploaded.value.url, 1_000) == 403


def test_the_server_refuses_an_upload_larger_than_an_import_takes_without_keeping_it(
    context, demo_app
):
    admin, upload_url = on_the_import_page(context, demo_app)
    before = server_memory_mb(demo_app)
    assert {admin.put(upload_url, BIG_UPLOAD) for _ in range(10)} == {413}
    assert admin.put(upload_url, BIG_UPLOAD, chunked=True) == 413
    assert admin.put(upload_url, DEFAULT_MAX_IMPORT_BYTES + MULTIPART_ALLOWANCE) == 413
    grown = server_memory_mb(demo_app) - before
    assert grown < BIG_UPLOAD / 2**20, f"the server grew by {grown:.0f} MB"
    # The address still takes a file an import can use.
    assert admin.put(upload_url, DEFAULT_MAX_IMPORT_BYTES) == 204


def test_ten_big_uploads_from_a_member_leave_the_server_s_memory_as_it_was(context, demo_app):
    member = Session(context, demo_app)
    before = server_memory_mb(demo_app)
    statuses = {member.put(member.invented_upload_url(), BIG_UPLOAD) for _ in range(10)}
    assert statuses == {403}
    grown = server_memory_mb(demo_app) - before
    assert grown < BIG_UPLOAD / 2**20, f"the server grew by {grown:.0f} MB"


def test_the_server_refuses_uploads_without_the_session_s_token_or_a_live_session(
    context, demo_app
):
    admin, upload_url = on_the_import_page(context, demo_app)
    assert admin.put(upload_url, 1_000, with_token=False) == 403
    assert admin.put(admin.invented_upload_url(str(uuid.uuid4())), 1_000) == 400
