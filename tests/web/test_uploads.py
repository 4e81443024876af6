"""Uploads are for the administrator's import: no other page offers a file uploader (the
import page is the administrator's alone, see test_access), the Import page opens its
session to uploads only while it shows the uploader, and the server's upload guard lets
through only what that uploader sends, no larger than an import takes.

The guard leans on parts of Streamlit that are not its documented API;
``test_streamlit_still_has_what_the_upload_guard_relies_on`` fails when a Streamlit upgrade
changes them (and the server then refuses to start, see ``check_streamlit_hooks``).
"""

from __future__ import annotations

import argparse
import ast
import inspect
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.state.session_state import SessionState
from streamlit.runtime.uploaded_file_manager import UploadedFileRec
from streamlit.testing.v1 import AppTest

from collab.store.config import get_settings
from collab.web import server, session, upload_guard
from collab.web.upload_guard import MULTIPART_ALLOWANCE, IssuedUploads, UploadGuard
from tests.support.app import run_async

PROJECT_DIR = Path(__file__).resolve().parents[2]
IMPORT_PAGE = "pages/admin_import.py"
LIMIT = 1_000
SESSION = "session-1"


def calls_file_uploader(path: Path) -> bool:
    tree = ast.parse(path.read_text(), filename=str(path))
    return any(
        isinstance(node, ast.Attribute) and node.attr == "file_uploader" for node in ast.walk(tree)
    )


def test_only_the_import_page_offers_a_file_uploader():
    sources = [PROJECT_DIR / "app.py", *(PROJECT_DIR / "pages").glob("*.py")]
    sources += (PROJECT_DIR / "collab").rglob("*.py")
    offering = sorted(str(p.relative_to(PROJECT_DIR)) for p in sources if calls_file_uploader(p))
    assert offering == [IMPORT_PAGE]


# --- the Import page opens its session to uploads --------------------------------------


def state_of(at: AppTest) -> dict:
    """What the upload guard reads of the session's state."""
    keys = (session.ROLE_KEY, session.UPLOADS_OPEN_KEY)
    return {key: at.session_state[key] for key in keys if key in at.session_state}


def import_page(role: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_DIR / IMPORT_PAGE), default_timeout=30)
    at.session_state[session.ROLE_KEY] = role
    return at.run()


def test_the_import_page_opens_the_administrator_s_session_to_uploads(app_db):
    at = import_page("admin")
    assert at.get("file_uploader")
    assert session.uploads_open(state_of(at))


@pytest.mark.parametrize("role", ["member", "leadership"])
def test_the_import_page_opens_no_one_else_s_session(app_db, role):
    at = import_page(role)
    assert not at.get("file_uploader")
    assert not session.uploads_open(state_of(at))


def test_each_run_closes_the_session_to_uploads_until_the_uploader_is_shown_again(app_db):
    at = import_page("admin")
    at.session_state[session.ROLE_KEY] = "member"  # signed out in another tab, say
    at.run()
    assert at.session_state[session.UPLOADS_OPEN_KEY] is False
    other = AppTest.from_file(str(PROJECT_DIR / "pages" / "admin_rounds.py"), default_timeout=30)
    other.session_state[session.ROLE_KEY] = "admin"
    other.session_state[session.UPLOADS_OPEN_KEY] = True  # left open by the Import page
    other.run()
    assert other.session_state[session.UPLOADS_OPEN_KEY] is False


# --- the file ids issued to a session ----------------------------------------------------


def issued_to(open_sessions: set[str]) -> tuple[IssuedUploads, MemoryUploadedFileManager]:
    issued = IssuedUploads(may_upload=lambda session_id: session_id in open_sessions)
    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    issued.watch(manager)
    return issued, manager


@pytest.fixture
def live_sessions(monkeypatch):
    """Streamlit's runtime as the guard sees it: these sessions are live, with this state."""
    states: dict[str, SessionState] = {}
    fake = SimpleNamespace(
        is_active_session=lambda session_id: session_id in states,
        get_app_session=lambda session_id: (
            SimpleNamespace(session_state=states[session_id]) if session_id in states else None
        ),
    )
    monkeypatch.setattr(upload_guard.runtime, "get_instance", lambda: fake)
    return states


def test_only_a_session_open_to_uploads_has_the_file_ids_issued_to_it_remembered(
    live_sessions,
):
    issued, manager = issued_to({SESSION})
    [given] = manager.get_upload_urls(SESSION, ["responses.csv"])
    [elsewhere] = manager.get_upload_urls("session-2", ["responses.csv"])
    assert given.upload_url == f"/_stcore/upload_file/{SESSION}/{given.file_id}"
    assert issued.issued(SESSION, given.file_id)
    assert not issued.issued("session-2", elsewhere.file_id)
    assert not issued.issued("session-2", given.file_id)


def test_a_newer_file_id_replaces_the_older_one(live_sessions):
    live_sessions[SESSION] = SessionState()
    issued, manager = issued_to({SESSION})
    [first] = manager.get_upload_urls(SESSION, ["a.csv"])
    [second] = manager.get_upload_urls(SESSION, ["b.csv"])
    assert issued.issued(SESSION, second.file_id)
    assert not issued.issued(SESSION, first.file_id)


def test_a_session_keeps_only_its_newest_stored_file(live_sessions):
    live_sessions[SESSION] = SessionState()
    issued, manager = issued_to({SESSION})
    ids = []
    for name in ("a.csv", "b.csv"):
        [info] = manager.get_upload_urls(SESSION, [name])
        manager.add_file(SESSION, UploadedFileRec(info.file_id, name, "text/csv", b"x" * 100))
        issued.stored(SESSION, info.file_id)
        ids.append(info.file_id)
    assert [f.name for f in manager.get_files(SESSION, ids)] == ["b.csv"]


# --- the guard in front of the upload endpoint -------------------------------------------


class Inner:
    """Streamlit's server as the guard sees it: reads the whole body, answers 204."""

    def __init__(self):
        self.called = False
        self.body_read = 0

    async def __call__(self, scope, receive, send):
        self.called = True
        more = True
        while more:
            message = await receive()
            self.body_read += len(message.get("body", b""))
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def call(guard, path, *, method="PUT", chunks=(b"x",), content_length=None):
    """Send one request through ``guard``; return its status and how many chunks of the
    body were read."""
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": []
        if content_length is None
        else [(b"content-length", str(content_length).encode())],
    }
    pending = list(chunks)
    read = 0
    sent = []

    async def receive():
        nonlocal read
        read += 1
        body = pending.pop(0) if pending else b""
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def send(message):
        sent.append(message)

    run_async(guard(scope, receive, send))
    return sent[0]["status"], read


def admin_on_the_import_page() -> SessionState:
    state = SessionState()
    state[session.ROLE_KEY] = "admin"
    state[session.UPLOADS_OPEN_KEY] = True
    return state


@pytest.fixture
def guarded(live_sessions):
    """An administrator's session on the Import page, the file id its uploader was given,
    and the guard in front of Streamlit."""
    live_sessions[SESSION] = admin_on_the_import_page()
    issued = IssuedUploads()
    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    issued.watch(manager)
    [info] = manager.get_upload_urls(SESSION, ["responses.csv"])
    inner = Inner()
    return UploadGuard(inner, issued=issued, max_bytes=LIMIT), inner, info.upload_url


def test_the_uploader_s_own_address_takes_an_import_sized_file(guarded):
    guard, inner, url = guarded
    assert call(guard, url, chunks=[b"x" * LIMIT], content_length=LIMIT) == (204, 1)
    assert inner.called and inner.body_read == LIMIT


def test_the_file_stored_before_is_dropped_once_the_uploader_s_new_file_is_stored(live_sessions):
    live_sessions[SESSION] = admin_on_the_import_page()
    issued, manager = issued_to({SESSION})
    [earlier] = manager.get_upload_urls(SESSION, ["a.csv"])
    manager.add_file(SESSION, UploadedFileRec(earlier.file_id, "a.csv", "text/csv", b"a"))
    issued.stored(SESSION, earlier.file_id)
    [newer] = manager.get_upload_urls(SESSION, ["b.csv"])
    guard = UploadGuard(Inner(), issued=issued, max_bytes=LIMIT)
    assert call(guard, newer.upload_url)[0] == 204
    assert manager.get_files(SESSION, [earlier.file_id]) == []


def test_an_address_the_uploader_was_not_given_is_refused_unread(guarded):
    guard, inner, url = guarded
    assert call(guard, url.rsplit("/", 1)[0] + "/invented") == (403, 0)
    assert not inner.called


@pytest.mark.parametrize(
    ("role", "open_"), [("member", True), ("leadership", True), ("admin", False)]
)
def test_a_session_not_on_the_import_page_as_the_administrator_is_refused(
    guarded, live_sessions, role, open_
):
    guard, inner, url = guarded
    live_sessions[SESSION][session.ROLE_KEY] = role
    live_sessions[SESSION][session.UPLOADS_OPEN_KEY] = open_
    assert call(guard, url) == (403, 0)
    assert not inner.called


def test_a_session_that_has_ended_is_told_so(guarded, live_sessions):
    guard, inner, url = guarded
    del live_sessions[SESSION]
    assert call(guard, url) == (400, 0)


def test_a_body_said_to_be_too_large_is_refused_before_any_of_it_is_read(guarded):
    guard, inner, url = guarded
    assert call(guard, url, content_length=LIMIT + MULTIPART_ALLOWANCE + 1) == (413, 0)
    assert not inner.called


def test_a_body_of_unsaid_length_is_cut_off_once_it_passes_the_limit(guarded):
    guard, inner, url = guarded
    chunks = [b"x" * 4096] * 100  # 400 kB, of which the guard lets the server read 17 kB
    status, read = call(guard, url, chunks=chunks)
    assert status == 413
    assert read * 4096 <= LIMIT + MULTIPART_ALLOWANCE + 4096


def test_everything_but_an_upload_goes_through_untouched(guarded):
    guard, inner, url = guarded
    assert call(guard, "/_stcore/health", method="GET") == (204, 1)
    assert call(guard, url.rsplit("/", 1)[0] + "/invented", method="DELETE") == (204, 1)


# --- what the guard relies on in Streamlit ------------------------------------------------


def test_streamlit_still_has_what_the_upload_guard_relies_on():
    upload_guard.check_streamlit_hooks()
    # Sessions ask the manager they were given for upload addresses; the guard wraps it.
    assert "self._uploaded_file_mgr.get_upload_urls(" in inspect.getsource(AppSession)
    # A session's state read from outside its script: a plain key, no widget involved.
    state = admin_on_the_import_page()
    assert session.uploads_open(upload_guard._SessionValues(state))
    assert not session.uploads_open(upload_guard._SessionValues(SessionState()))


# --- starting the server ----------------------------------------------------------------


def test_the_server_s_upload_limit_follows_the_import_limit(tmp_path):
    settings = get_settings({"COLLAB_MAX_IMPORT_BYTES": "12000000"}, tmp_path / "absent.toml")
    args = argparse.Namespace(port=8600, address="127.0.0.1", file_watcher="none")
    assert server.streamlit_options(settings, args) == {
        "server.maxUploadSize": 12,  # 11.4 MiB, rounded up
        "server.port": 8600,
        "server.address": "127.0.0.1",
        "server.fileWatcherType": "none",
    }
