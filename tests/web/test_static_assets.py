"""Streamlit's frontend files are answered from memory after the first time, exactly as
Streamlit answered them, and nothing else is: other paths, other methods, partial or
conditional requests and answers other than a whole 200 reach Streamlit every time.

Requests go as ASGI messages to Streamlit's own static-file handler, over the files of
the installed Streamlit.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from streamlit import file_util
from streamlit.web.server.starlette.starlette_static_routes import (
    create_streamlit_static_handler,
)

from collab.store.config import get_settings
from collab.web import server
from collab.web.static_assets import StaticAssets, asset_addresses
from tests.support.app import run_async

STATIC_DIR = Path(file_util.get_static_dir())
# A script the frontend loads on every first visit.
SCRIPT = min(a for a in asset_addresses(STATIC_DIR) if a.endswith(".js"))


@dataclass
class Answer:
    status: int = 0
    headers: list = field(default_factory=list)
    body: bytes = b""


async def ask(app, path: str, *, method: str = "GET", headers: dict | None = None) -> Answer:
    """One request to the ASGI ``app`` from a browser that stays connected."""
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "server": ("testserver", 80),
        "headers": [(k.encode(), v.encode()) for k, v in (headers or {}).items()],
    }
    answer, asked = Answer(), []

    async def receive():
        if not asked:
            asked.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # no disconnect: the browser waits for the answer

    async def send(message):
        if message["type"] == "http.response.start":
            answer.status, answer.headers = message["status"], list(message["headers"])
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    await app(scope, receive, send)
    return answer


def get(app, path: str, **kwargs) -> Answer:
    return run_async(ask(app, path, **kwargs))


class Counted:
    """Streamlit's static-file handler, counting the requests that reach it."""

    def __init__(self):
        self.app = create_streamlit_static_handler(directory=str(STATIC_DIR), base_url=None)
        self.paths: list[str] = []

    async def __call__(self, scope, receive, send):
        self.paths.append(scope["path"])
        await self.app(scope, receive, send)


@pytest.fixture
def streamlit_static():
    """Streamlit's static-file handler, counted, behind ``StaticAssets``."""
    inner = Counted()
    return StaticAssets(inner, STATIC_DIR), inner


def test_every_file_of_streamlit_s_assets_folder_has_an_address():
    addresses = asset_addresses(STATIC_DIR)
    assert SCRIPT.startswith("/static/js/")
    assert len(addresses) == sum(1 for p in (STATIC_DIR / "static").rglob("*") if p.is_file())


def test_an_asset_is_answered_again_as_streamlit_first_answered_it(streamlit_static):
    assets, inner = streamlit_static
    first = get(assets, SCRIPT)
    again = get(assets, SCRIPT)
    assert first.status == again.status == 200
    assert again.body == first.body == (STATIC_DIR / SCRIPT.lstrip("/")).read_bytes()
    assert again.headers == first.headers
    assert (b"cache-control", b"public, immutable, max-age=31536000") in again.headers
    assert inner.paths == [SCRIPT]


def test_requests_for_an_asset_at_the_same_moment_ask_streamlit_once(streamlit_static):
    assets, inner = streamlit_static

    async def all_at_once():
        return await asyncio.gather(*(ask(assets, SCRIPT) for _ in range(5)))

    answers = run_async(all_at_once())
    assert inner.paths == [SCRIPT]
    expected = (STATIC_DIR / SCRIPT.lstrip("/")).read_bytes()
    assert [(a.status, a.body) for a in answers] == [(200, expected)] * 5


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/", {}),  # the page itself
        ("GET", "/static/js/no-such-file.js", {}),  # Streamlit answers it with the page
        ("HEAD", SCRIPT, {}),
        ("GET", SCRIPT, {"range": "bytes=0-99"}),
        ("GET", SCRIPT, {"if-none-match": '"anything"'}),
    ],
)
def test_anything_else_reaches_streamlit_every_time(streamlit_static, method, path, headers):
    assets, inner = streamlit_static
    for _ in range(2):
        get(assets, path, method=method, headers=headers)
    assert inner.paths == [path, path]


def test_an_answer_other_than_a_whole_200_is_not_kept():
    calls = []

    async def failing(scope, receive, send):
        calls.append(scope["path"])
        await send({"type": "http.response.start", "status": 500, "headers": []})
        await send({"type": "http.response.body", "body": b"no"})

    assets = StaticAssets(failing, STATIC_DIR)
    assert [get(assets, SCRIPT).status for _ in range(2)] == [500, 500]
    assert calls == [SCRIPT, SCRIPT]


def test_the_server_answers_streamlit_s_files_before_anything_else(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = server.create_app(get_settings())
    assert app._user_middleware[0].cls is StaticAssets
