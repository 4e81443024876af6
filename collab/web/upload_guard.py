"""The server's gate in front of Streamlit's upload endpoint.

Streamlit stores a file ``PUT`` to ``/_stcore/upload_file/SESSION/FILE`` in the server's
memory for any live session whose request carries a matching XSRF cookie and header,
under any file id, until the session ends. ``UploadGuard`` lets through only an upload

- from a session whose state says the administrator is signed in and is shown the
  Import page's file uploader (``session.uploads_open``);
- to a file id Streamlit issued to that session's uploader, the newest it asked for
  (``IssuedUploads``); once it is stored, the session's file stored before it is dropped;
- no larger than an import takes: a body whose ``Content-Length`` says more is refused
  before a byte of it is read, and one without is cut off as soon as it has sent more.

Everything else that reaches the upload endpoint goes on to Streamlit unchanged, which
still checks the XSRF token. The guard reads the session through
``streamlit.runtime.get_instance().get_app_session(id).session_state`` and learns the
issued ids by wrapping ``runtime.uploaded_file_mgr.get_upload_urls``;
``check_streamlit_hooks`` fails the server's start if either is missing.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit import runtime
from streamlit.runtime.uploaded_file_manager import UploadedFileManager, UploadFileUrlInfo
from streamlit.web.server.starlette.starlette_routes import BASE_ROUTE_UPLOAD_FILE

from collab.web import session

# What a multipart body adds to the file it carries: boundaries and the part's headers
# (a file name a browser sends is at most a few hundred bytes).
MULTIPART_ALLOWANCE = 16 * 1024
# Streamlit's upload endpoint, after any server.baseUrlPath: _stcore/upload_file.
UPLOAD_PATH = f"/{BASE_ROUTE_UPLOAD_FILE}/"
_UPLOAD_ADDRESS = re.compile(re.escape(UPLOAD_PATH) + r"(?P<session>[^/]+)/(?P<file>[^/]+)$")

_LOGGER = logging.getLogger(__name__)


class StreamlitChanged(RuntimeError):
    """The installed Streamlit lacks something the upload guard relies on."""


def check_streamlit_hooks() -> None:
    """Raise ``StreamlitChanged`` unless Streamlit has what the guard uses, so a Streamlit
    upgrade that changes them stops the server's start instead of opening uploads."""
    from streamlit.runtime.app_session import AppSession
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    missing = [
        f"{owner.__name__}.{name}"
        for owner, names in (
            (runtime.Runtime, ("get_app_session", "is_active_session", "uploaded_file_mgr")),
            (AppSession, ("session_state",)),
            (MemoryUploadedFileManager, ("get_upload_urls", "remove_file")),
        )
        for name in names
        if not hasattr(owner, name)
    ]
    if missing:
        raise StreamlitChanged(
            "This Streamlit version lacks what the upload guard relies on: " + ", ".join(missing)
        )


class _SessionValues(Mapping[str, Any]):
    """A running session's Session State read from outside its script, key by key."""

    def __init__(self, state: Any):
        self._state = state

    def __getitem__(self, key: str) -> Any:
        return self._state[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._state)

    def __len__(self) -> int:
        return len(self._state)


def session_may_upload(session_id: str) -> bool:
    """True when the live session ``session_id`` is open to uploads (see
    ``session.uploads_open``); False for a session that has ended or never was."""
    app_session = runtime.get_instance().get_app_session(session_id)
    if app_session is None:
        return False
    return session.uploads_open(_SessionValues(app_session.session_state))


class IssuedUploads:
    """For each session open to uploads: the file ids Streamlit issued to its uploader (the
    newest request's only) and the file the guard last let through.

    Safe to use from any thread.
    """

    def __init__(self, may_upload: Callable[[str], bool] = session_may_upload):
        self._may_upload = may_upload
        self._newest: dict[str, frozenset[str]] = {}
        self._kept: dict[str, str] = {}
        self._remove_file: Callable[[str, str], None] = lambda session_id, file_id: None
        self._lock = threading.Lock()

    def watch(self, manager: UploadedFileManager) -> None:
        """Learn every file id ``manager`` issues from now on (Streamlit asks it for upload
        addresses when a file uploader in a browser is given files)."""
        issue = manager.get_upload_urls
        remove_file = getattr(manager, "remove_file", None)
        if not callable(remove_file):
            raise StreamlitChanged(f"Streamlit's {type(manager).__name__} has no remove_file")
        self._remove_file = remove_file

        def get_upload_urls(session_id: str, file_names: Sequence[str]) -> list[UploadFileUrlInfo]:
            issued = issue(session_id, file_names)
            unguarded = [i.upload_url for i in issued if not _UPLOAD_ADDRESS.search(i.upload_url)]
            if unguarded:  # the guard would not see uploads there: none at all, then
                raise StreamlitChanged(f"Uploads go to an address the guard misses: {unguarded}")
            if self._may_upload(session_id):
                self._issue(session_id, frozenset(i.file_id for i in issued))
            return issued

        # Streamlit's sessions call the manager they were given, which is this instance.
        manager.get_upload_urls = get_upload_urls  # type: ignore[method-assign]

    def _issue(self, session_id: str, file_ids: frozenset[str]) -> None:
        is_active = runtime.get_instance().is_active_session
        with self._lock:
            for ended in [s for s in self._newest if s != session_id and not is_active(s)]:
                self._newest.pop(ended)
                self._kept.pop(ended, None)
            self._newest[session_id] = file_ids

    def issued(self, session_id: str, file_id: str) -> bool:
        """True when ``file_id`` is among the newest ids issued to ``session_id``."""
        with self._lock:
            return file_id in self._newest.get(session_id, frozenset())

    def stored(self, session_id: str, file_id: str) -> None:
        """Note that Streamlit stored the session's file ``file_id``, and drop the file
        stored before it: a session holds one uploaded file at a time, the import's."""
        with self._lock:
            earlier = self._kept.get(session_id)
            self._kept[session_id] = file_id
        if earlier is not None and earlier != file_id:
            self._remove_file(session_id, earlier)


class _BodyTooLarge(Exception):
    """The request body went past the limit while it was being read."""


class UploadGuard:
    """ASGI middleware: refuses an upload the Import page did not ask for, or one larger
    than ``max_bytes`` (an import's limit), before Streamlit reads it."""

    def __init__(self, app: ASGIApp, *, issued: IssuedUploads, max_bytes: int):
        self.app = app
        self.issued = issued
        self.max_body_bytes = max_bytes + MULTIPART_ALLOWANCE
        self.max_megabytes = max_bytes / 1_000_000

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "PUT" or UPLOAD_PATH not in scope["path"]:
            await self.app(scope, receive, send)
            return
        route = _UPLOAD_ADDRESS.search(scope["path"])
        if route is None:
            await _respond(send, 404, "Not found.")
            return
        session_id, file_id = route["session"], route["file"]
        refusal = self._refusal(scope, session_id, file_id)
        if refusal:
            await _respond(send, *refusal)
        elif await self._pass_limited(scope, receive, send) == 204:
            self.issued.stored(session_id, file_id)

    def _refusal(self, scope: Scope, session_id: str, file_id: str) -> tuple[int, str] | None:
        """The status and message that refuse this upload, or None to let it through."""
        try:
            if not runtime.get_instance().is_active_session(session_id):
                return 400, "This page's session has ended. Reload the page."
            allowed = session_may_upload(session_id) and self.issued.issued(session_id, file_id)
        except Exception:  # Streamlit changed under us: refuse, and say so in the log
            _LOGGER.exception("The upload guard could not read the session; upload refused")
            return 403, "Uploads are refused."
        if not allowed:
            return 403, "Uploads are only for the administrator's Import page."
        declared = _content_length(scope)
        if declared is None:
            return 400, "The Content-Length header is not a number."
        if declared > self.max_body_bytes:
            return 413, self._too_large()
        return None

    async def _pass_limited(self, scope: Scope, receive: Receive, send: Send) -> int:
        """Hand the upload to Streamlit, cutting it off once its body passes the limit;
        return the status of the answer."""
        received = 0
        status = 0

        async def limited_receive() -> Message:
            nonlocal received
            message: Message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except _BodyTooLarge:
            if status:
                raise
            _LOGGER.warning("An upload was cut off after %d bytes: over the limit", received)
            await _respond(send, 413, self._too_large())
            return 413
        return status

    def _too_large(self) -> str:
        return f"The file is larger than an import takes ({self.max_megabytes:g} MB at most)."


def _content_length(scope: Scope) -> int | None:
    """The request's declared body size: 0 when it declares none, None when not a number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return 0


async def _respond(send: Send, status: int, text: str) -> None:
    """Answer with ``text``. The server throws away what is left of the request's body
    as it arrives, so the client can finish sending and read the answer."""
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
