"""The web server: ``app.py`` served as an ASGI app (Streamlit's ``st.App``) with the
upload guard in front of Streamlit's upload endpoint.

``python -m collab serve`` starts it (as ``python -m collab.web.server``); so do the
browser tests. ``streamlit run app.py`` would serve the same pages without the guard.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import streamlit as st
from starlette.middleware import Middleware
from streamlit import runtime

from collab.store.config import (
    PROJECT_DIR,
    Settings,
    SettingsError,
    get_settings,
    upload_limit_megabytes,
)
from collab.store.framework import FrameworkError
from collab.web.static_assets import StaticAssets
from collab.web.upload_guard import IssuedUploads, UploadGuard, check_streamlit_hooks

APP_SCRIPT = PROJECT_DIR / "app.py"
FILE_WATCHERS = ("auto", "watchdog", "poll", "none")


def create_app(settings: Settings) -> st.App:
    """The app with the upload guard (uploads are capped at the settings' import limit),
    Streamlit's frontend files answered from memory (``collab.web.static_assets``)."""
    check_streamlit_hooks()
    issued = IssuedUploads()

    @asynccontextmanager
    async def watch_uploads(_app: st.App) -> AsyncIterator[None]:
        # Runs once Streamlit's runtime has started, before any browser connects.
        issued.watch(runtime.get_instance().uploaded_file_mgr)
        yield

    return st.App(
        APP_SCRIPT,
        lifespan=watch_uploads,
        middleware=[
            # Outermost: Streamlit's frontend files skip every other layer once kept.
            Middleware(StaticAssets),
            Middleware(UploadGuard, issued=issued, max_bytes=settings.max_import_bytes),
        ],
    )


def streamlit_options(settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    """The Streamlit settings the command line and the import limit give."""
    options: dict[str, Any] = {
        # The browser's uploader shows this limit and Streamlit enforces it too.
        "server.maxUploadSize": upload_limit_megabytes(settings.max_import_bytes),
    }
    if args.port:
        options["server.port"] = args.port
    if args.address:
        options["server.address"] = args.address
    if args.file_watcher:
        options["server.fileWatcherType"] = args.file_watcher
    return options


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m collab.web.server",
        description="Serve the app (`python -m collab serve` prepares and starts this).",
    )
    parser.add_argument("--port", type=int, help="port to listen on (default 8501)")
    parser.add_argument("--address", help="address to listen on (default: every address)")
    parser.add_argument(
        "--file-watcher",
        choices=FILE_WATCHERS,
        help="how to notice changed source files (default auto)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Serve until stopped; 1 when the settings can't be used."""
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
    except (SettingsError, FrameworkError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    app = create_app(settings)
    # st.App takes its launcher from the command line's first word: naming app.py, as
    # `streamlit run app.py` does, puts the project folder on the import path and reads
    # its .streamlit/ files.
    sys.argv = [str(APP_SCRIPT)]
    app.run(config=streamlit_options(settings, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
