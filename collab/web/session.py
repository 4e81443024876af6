"""This browser session's state: the signed-in role, where the session connects from, and
what a run of the app reads once (the settings).

A run starts with ``start_run``, called first by ``app.py`` and first by every page.
Streamlit normally runs ``app.py`` and then the page, but runs a page on its own when
the app has a ``pages/`` folder and ``st.navigation`` has not been called yet in the
process (a fresh server's first request, and every rerun under ``AppTest``); either way
the run starts afresh exactly once. The settings (environment, then the secrets file)
are then read at most once in the run, so a change to them applies from the next run on.

Each run also closes the session to uploads; the Import page opens it again for the
administrator just before it shows its file uploader (``open_uploads_for_import``), and
the server takes an upload only from a session open to them (``uploads_open``, see
``collab.web.upload_guard``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar, cast

import streamlit as st

from collab.domain import access
from collab.domain.access import ADMIN, MEMBER, ROLES
from collab.stats import privacy
from collab.store import config
from collab.store.framework import Framework, FrameworkError, load_framework

ROLE_KEY = "role"
# What this run has read already, by name.
THIS_RUN_KEY = "web_this_run"
# Set by app.py's start_run until the page's start_run: the page then keeps what
# app.py read in the same run.
STARTED_BY_APP_KEY = "web_run_started_by_app"
# True while the page the session shows is the administrator's Import page.
UPLOADS_OPEN_KEY = "web_uploads_open"
# The address of the administrator's Import page, the only page that takes uploads.
IMPORT_URL_PATH = "import"

T = TypeVar("T")


def start_run(*, by_app: bool = False) -> None:
    """Start a run: forget what the previous run read.

    ``app.py`` calls this with ``by_app=True`` before anything else; every page calls it
    first, which starts the run afresh unless ``app.py`` already did in this run.
    """
    if by_app:
        st.session_state[STARTED_BY_APP_KEY] = True
    elif st.session_state.pop(STARTED_BY_APP_KEY, False):
        return
    st.session_state[THIS_RUN_KEY] = {}
    if not by_app:
        # A page run on its own closes uploads; under app.py, ``leave_uploads_open_for``
        # decides once the page is known, so the Import page's reruns never close them.
        st.session_state[UPLOADS_OPEN_KEY] = False


def leave_uploads_open_for(url_path: str) -> None:
    """Close the session to uploads unless the page about to run is the Import page (whose
    uploader opens them); called by app.py once ``st.navigation`` has chosen the page."""
    if url_path != IMPORT_URL_PATH:
        st.session_state[UPLOADS_OPEN_KEY] = False


def once_per_run(name: str, read: Callable[[], T]) -> T:
    """``read()``, called at most once per run and remembered under ``name`` until the next.

    Outside a Streamlit run (a test calling a function directly) nothing is remembered.
    """
    this_run: dict[str, Any] = st.session_state.setdefault(THIS_RUN_KEY, {})
    if name not in this_run:
        this_run[name] = read()
    return cast(T, this_run[name])


def forget_this_run(name: str) -> None:
    """Forget what ``once_per_run`` remembered under ``name``: the next call reads again."""
    st.session_state.get(THIS_RUN_KEY, {}).pop(name, None)


def settings() -> config.Settings:
    """The settings, read once per run (a framework file that can't be used stops it)."""
    return once_per_run("settings", _read_settings)


def _read_settings() -> config.Settings:
    try:
        return config.get_settings()
    except FrameworkError as exc:
        _stop_for_framework(exc)


def framework() -> Framework:
    """The framework file named in the settings (parsed once per path by ``load_framework``).

    A framework file that can't be used stops the run with its message, not a traceback.
    """
    try:
        return load_framework(settings().framework_path)
    except FrameworkError as exc:
        _stop_for_framework(exc)


def _stop_for_framework(exc: FrameworkError) -> NoReturn:
    st.error(
        "The app can't start because its framework file can't be used. "
        "The alliance's administrator needs to correct the file; this is what is wrong:",
        icon=":material/error:",
    )
    st.code(str(exc), language=None, wrap_lines=True)
    st.stop()


def min_group_size() -> int:
    """The privacy threshold in force: the fewest scores a figure may be made of."""
    return privacy.min_group_size_from_settings(settings())


def role() -> str:
    """The signed-in role of this session: member, leadership or admin.

    Someone signed in through single sign-on (``st.login``) whose e-mail address is
    on a role's list gets that role.
    """
    current = st.session_state.setdefault(ROLE_KEY, MEMBER)
    if current == MEMBER:
        current = single_sign_on_role() or MEMBER
        st.session_state[ROLE_KEY] = current
    return current if current in ROLES else MEMBER


def single_sign_on_role() -> str | None:
    """The role of the account signed in through ``st.login``, if any and if listed."""
    current = settings()
    if not current.sign_on_configured or not st.user.is_logged_in:
        return None
    email = st.user.get("email")
    return access.role_for_email(current, email if isinstance(email, str) else None)


def sign_in_as(new_role: str) -> None:
    """Give this session ``new_role`` (the caller has checked the passcode)."""
    if new_role not in ROLES:
        raise ValueError(f"unknown role {new_role!r}")
    st.session_state[ROLE_KEY] = new_role


def sign_out() -> None:
    """Return this session to the member view, ending a single sign-on session too."""
    st.session_state[ROLE_KEY] = MEMBER
    if settings().sign_on_configured and st.user.is_logged_in:
        st.logout()


def open_uploads_for_import() -> None:
    """Let the server take the import file from this session until its next run starts:
    the Import page calls this just before it shows its file uploader. Only the
    administrator's session is opened; for anyone else it does nothing."""
    if role() == ADMIN:
        st.session_state[UPLOADS_OPEN_KEY] = True


def uploads_open(state: Mapping[str, Any]) -> bool:
    """True when a session's state (``st.session_state`` or the server's copy of it) says
    the administrator is signed in and shown the Import page's file uploader."""
    return state.get(ROLE_KEY) == ADMIN and state.get(UPLOADS_OPEN_KEY) is True


def client_address() -> str | None:
    """The address this session connects from, as the server sees it (None when it can't
    tell, as for a connection from the same machine or under a test runner)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None
