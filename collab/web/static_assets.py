"""Streamlit's own frontend files, answered from memory after the first time.

A browser opening the app for the first time fetches some sixty scripts, styles and
fonts under ``/static/`` (about 2 MB), and Streamlit answers each through its whole
middleware stack, reading the file in pieces on a worker thread. When a room of members
opens an invite link at once, that is most of the server's work before anyone sees the
form. The files ship with Streamlit and never change while the server runs, so
``StaticAssets``, in front of Streamlit's middleware, keeps Streamlit's own answer for
each of them the first time it is asked for and gives that answer again afterwards:
the same status, headers and bytes.

Only a plain ``GET`` for a file that exists in Streamlit's static folder is kept; a
request with a range or a condition, any other path (pages, ``index.html``, uploads,
media, the websocket) and any answer but a whole 200 go to Streamlit as before.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit import file_util

# Where Streamlit's build puts its hashed scripts, styles and fonts, and their addresses.
ASSETS_FOLDER = "static"
ADDRESS_PREFIX = f"/{ASSETS_FOLDER}/"
# Request headers that ask for something other than the whole file as it is.
PARTIAL_OR_CONDITIONAL = (b"range", b"if-none-match", b"if-modified-since", b"if-range")


def asset_addresses(static_dir: Path) -> frozenset[str]:
    """The address of every file Streamlit serves from its assets folder."""
    folder = static_dir / ASSETS_FOLDER
    return frozenset(
        f"{ADDRESS_PREFIX}{path.relative_to(folder).as_posix()}"
        for path in folder.rglob("*")
        if path.is_file()
    )


class StaticAssets:
    """ASGI middleware: Streamlit's answer for each of its asset files, kept and given
    again (see the module's docstring)."""

    def __init__(self, app: ASGIApp, static_dir: Path | None = None):
        self.app = app
        self._addresses = asset_addresses(Path(static_dir or file_util.get_static_dir()))
        self._kept: dict[str, tuple[list[tuple[bytes, bytes]], bytes]] = {}
        # The first request for an address while Streamlit answers it: the others wait.
        self._asked: dict[str, asyncio.Event] = {}

    def _keepable(self, scope: Scope) -> bool:
        return (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and scope["path"] in self._addresses
            and not any(name in PARTIAL_OR_CONDITIONAL for name, _ in scope["headers"])
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._keepable(scope):
            await self.app(scope, receive, send)
            return
        address = scope["path"]
        asked = self._asked.get(address)
        if asked is None and address not in self._kept:
            self._asked[address] = asked = asyncio.Event()
            try:
                await self.app(scope, receive, self._keeping(address, send))
            finally:
                asked.set()
                del self._asked[address]
            return
        if asked is not None:
            await asked.wait()
        kept = self._kept.get(address)
        if kept is None:  # Streamlit's answer could not be kept: ask it again
            await self.app(scope, receive, send)
            return
        headers, body = kept
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _keeping(self, address: str, send: Send) -> Send:
        """``send``, noting Streamlit's answer on the way and keeping it if whole and 200."""
        start: Message = {}
        chunks: list[bytes] = []

        async def noting(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and start.get("status") == 200:
                    self._kept[address] = (list(start.get("headers", [])), b"".join(chunks))
            await send(message)

        return noting
