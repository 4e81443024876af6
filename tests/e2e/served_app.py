"""The app as the browser tests see it: served as ``python -m collab serve`` serves it
(``python -m collab.web.server``, upload guard included) on a free loopback port, over a
SQLite alliance the test process prepares and checks through the domain functions."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from collab.demo import build_demo
from collab.domain import organisations
from collab.store.db import Database, create_engine
from collab.store.framework import Framework, load_framework

PROJECT_DIR = Path(__file__).resolve().parents[2]
LEADERSHIP_PASSCODE = "e2e-leadership-passcode"
ADMIN_PASSCODE = "e2e-admin-passcode"
# One organisation per stakeholder group is enough for every story.
ORGANISATION_OF_GROUP = {
    "commissioner": "Northshire County Council",
    "provider": "Riverside Night Shelter",
    "lived_experience": "Hearth Voices Panel",
}
START_SECONDS = 60
# The process id of each running server, by its address (for tests that watch its memory).
SERVER_PIDS: dict[str, int] = {}


class AppDidNotStart(RuntimeError):
    """The server exited or did not answer its health check in time."""


@dataclass(frozen=True)
class Alliance:
    """The database the served app uses, opened in the test process, and the app's address."""

    db: Database
    framework: Framework
    base_url: str
    min_group_size: int


def free_port() -> int:
    """A loopback port nobody listens on (the operating system's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def is_healthy(base_url: str) -> bool:
    """True when Streamlit's health check at ``base_url`` answers ``ok``."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy
    try:
        with opener.open(f"{base_url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except OSError:
        return False


def server_environment(*, database_url: str, base_url: str, min_group_size: int) -> dict:
    """This process's environment without app settings, plus the test alliance's settings."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("COLLAB_", "STREAMLIT_")) and name != "DATABASE_URL"
    }
    return {
        **inherited,
        "DATABASE_URL": database_url,
        "COLLAB_LEADERSHIP_PASSCODE": LEADERSHIP_PASSCODE,
        "COLLAB_ADMIN_PASSCODE": ADMIN_PASSCODE,
        "COLLAB_BASE_URL": base_url,
        "COLLAB_MIN_GROUP_SIZE": str(min_group_size),
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }


def prepare_alliance(database_url: str) -> Database:
    """A migrated database holding the organisations of ``ORGANISATION_OF_GROUP``."""
    db = Database(create_engine(database_url))
    db.upgrade()
    for name in ORGANISATION_OF_GROUP.values():
        organisations.create_organisation(db, name=name, actor="admin")
    return db


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def server_command(port: int, script: str | None = None) -> list[str]:
    """The command serving the app (as ``python -m collab serve`` does) on ``port`` of
    the loopback address, or, given ``script``, that Streamlit script on its own."""
    if script is not None:
        return [
            *(sys.executable, "-m", "streamlit", "run", script, "--server.headless=true"),
            *("--server.address=127.0.0.1", f"--server.port={port}"),
            *("--server.fileWatcherType=none", "--browser.gatherUsageStats=false"),
        ]
    return [
        sys.executable,
        "-m",
        "collab.web.server",
        "--address=127.0.0.1",
        f"--port={port}",
        # Files change under a running server while others work in the tree.
        "--file-watcher=none",
    ]


@contextmanager
def served_app(
    database_url: str,
    *,
    log_path: Path,
    min_group_size: int = 5,
    environment: dict[str, str] | None = None,
    script: str | None = None,
) -> Iterator[str]:
    """Serve the app over ``database_url`` until the block ends; yields its address.

    ``environment`` adds to (or overrides) the test alliance's settings; ``script`` (a
    path relative to the project) serves that Streamlit script instead of the app. Waits
    (at most ``START_SECONDS``) for the health check; raises ``AppDidNotStart`` with the
    end of the server log otherwise. The server is stopped on the way out, killed if it
    does not stop within ten seconds.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    env = server_environment(
        database_url=database_url, base_url=base_url, min_group_size=min_group_size
    )
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            server_command(port, script),
            cwd=PROJECT_DIR,
            env={**env, **(environment or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not is_healthy(base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-3000:]
                raise AppDidNotStart(
                    f"The app did not answer {base_url}/_stcore/health within {START_SECONDS} s "
                    f"(exit code {process.poll()}). End of its log:\n{tail}"
                )
            time.sleep(0.2)
        SERVER_PIDS[base_url] = process.pid
        yield base_url
    finally:
        SERVER_PIDS.pop(base_url, None)
        _stop(process)


@contextmanager
def served_alliance(folder: Path, *, log_path: Path) -> Iterator[Alliance]:
    """Prepare an alliance in ``folder`` and serve the app over it until the block ends."""
    framework = load_framework()
    database_url = f"sqlite:///{folder / 'alliance.db'}"
    db = prepare_alliance(database_url)
    min_group_size = framework.thresholds.min_group_size
    try:
        with served_app(database_url, log_path=log_path, min_group_size=min_group_size) as url:
            yield Alliance(db, framework, url, min_group_size)
    finally:
        db.dispose()


@contextmanager
def served_demo(folder: Path, *, log_path: Path) -> Iterator[Alliance]:
    """Build the demo alliance (seed 7) in ``folder`` and serve the app over it."""
    framework = load_framework()
    database_url = f"sqlite:///{folder / 'demo.db'}"
    db = Database(create_engine(database_url))
    db.upgrade()
    build_demo(db, framework=framework, seed=7)
    min_group_size = framework.thresholds.min_group_size
    try:
        with served_app(database_url, log_path=log_path, min_group_size=min_group_size) as url:
            yield Alliance(db, framework, url, min_group_size)
    finally:
        db.dispose()
