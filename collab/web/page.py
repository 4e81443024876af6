"""What every page shares: text shown as typed, dates in words, errors told kindly,
the colours of status badges and the demo alliance's note."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Literal, TypeGuard, get_args

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from collab.domain.dates import long_date as long_date
from collab.domain.dates import long_time as long_time
from collab.stats import readings
from collab.store.db import is_out_of_reach
from collab.store.errors import CollabError
from collab.web import cache

logger = logging.getLogger(__name__)

# The browser tab's icon, served by the app itself (a handshake, in the theme's colour).
FAVICON = Path(__file__).with_name("favicon.png")
DATABASE_OUT_OF_REACH_MESSAGE = (
    "The app can't reach its database just now, so this page can't be shown. Please "
    "try again in a few minutes; if it keeps happening, tell your alliance coordinator."
)
UNEXPECTED_ERROR_MESSAGE = (
    "Something went wrong on our side. Please try again in a moment; if it keeps "
    "happening, tell your alliance coordinator."
)
# Dates and times in tables, as ``long_date`` and ``long_time`` write them in text
# (Moment.js format strings, which ``st.column_config`` takes).
DATE_COLUMN_FORMAT = "D MMMM YYYY"
TIME_COLUMN_FORMAT = "D MMMM YYYY, HH:mm [UTC]"
# Characters that Markdown (and Streamlit's extensions to it) would treat as formatting.
MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|~$:")
# The colours ``st.badge`` offers.
BadgeColour = Literal[
    "red", "orange", "yellow", "blue", "green", "violet", "gray", "grey", "primary"
]


def escape_markdown(text: str) -> str:
    """``text`` with every Markdown formatting character escaped, so it shows as typed."""
    return "".join(f"\\{ch}" if ch in MARKDOWN_SPECIAL else ch for ch in text)


def _is_badge_colour(name: str) -> TypeGuard[BadgeColour]:
    return name in get_args(BadgeColour)


def _status_badge_colours() -> dict[str, BadgeColour]:
    colours: dict[str, BadgeColour] = {}
    for status, colour in readings.STATUS_COLOURS.items():
        if not _is_badge_colour(colour):
            raise ValueError(f"Status '{status}' has colour '{colour}', which st.badge lacks.")
        colours[status] = colour
    return colours


# ``readings`` names each status's colour as plain text; the names are checked against
# the badge's colours once, here, so a wrong one fails on import rather than on a page.
STATUS_BADGE_COLOURS = _status_badge_colours()


def status_colour(status: str | None) -> BadgeColour:
    """The badge colour of a divergence status; grey for no status or an unknown one."""
    return STATUS_BADGE_COLOURS.get(status or "", "gray")


def error_message(exc: BaseException) -> str:
    """What to tell the person: a product error's own message, that the database is out
    of reach, or a general apology.

    Anything that is not a ``CollabError`` is logged with its traceback, never shown.
    """
    if isinstance(exc, CollabError):
        return escape_markdown(str(exc))
    logger.error("Unexpected error on a page", exc_info=exc)
    if is_out_of_reach(exc):
        return DATABASE_OUT_OF_REACH_MESSAGE
    return UNEXPECTED_ERROR_MESSAGE


def show_error(exc: BaseException) -> None:
    """Show ``error_message(exc)`` in an error box."""
    st.error(error_message(exc), icon=":material/error:")


def demo_banner() -> None:
    """A small note on every page when the database holds the invented demo alliance."""
    if cache.is_demo():
        st.caption(":material/science: Demo alliance: invented organisations and answers")


def page_link(page: str, *, label: str, icon: str, query_params: dict[str, str]) -> None:
    """A link to another page of the app, keeping this session (the sign-in with it).

    A page Streamlit runs on its own (a fresh server's first request) has no menu yet to
    link within: the link is left out of that one run rather than stopping the page.
    """
    try:
        st.page_link(page, label=label, icon=icon, query_params=query_params)
    except StreamlitPageNotFoundError:
        return
