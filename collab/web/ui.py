"""Streamlit glue shared by the pages: the cached database, the role, cached reads,
error display, the demo marker and the answer form's session state.

The only module in ``collab`` that imports Streamlit. It holds no product logic:
everything it does is call ``collab`` functions and put their results on the page.
"""

from __future__ import annotations

import datetime as dt
import logging

import streamlit as st

from collab import demo
from collab.domain import access, answers
from collab.domain.access import MEMBER, ROLES, SignInAttempts
from collab.domain.submissions import AnswerInput, StoredSubmission
from collab.store import config
from collab.store.db import Database
from collab.store.errors import CollabError
from collab.store.framework import Framework, load_framework

logger = logging.getLogger(__name__)

# Cached reads may lag writes made outside this app (command line) by this long; new
# answers show at once wherever they are stored (see ``answers_version``).
CACHED_READ_SECONDS = 60
DONT_KNOW = "dont_know"
ANSWER_KEY = "answer_{point}"
COMMENT_KEY = "comment_{point}"
UNEXPECTED_ERROR_MESSAGE = (
    "Something went wrong on our side. Please try again in a moment; if it keeps "
    "happening, tell your alliance coordinator."
)
# Characters that Markdown (and Streamlit's extensions to it) would treat as formatting.
MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|~$:")


def get_settings() -> config.Settings:
    """The settings, read afresh on each call (environment, then secrets file)."""
    return config.get_settings()


def get_framework() -> Framework:
    """The framework file named in the settings (cached per path by ``load_framework``)."""
    return load_framework(get_settings().framework_path)


@st.cache_resource(show_spinner=False, on_release=Database.dispose)
def _database(database_url: str) -> Database:
    database = Database.from_url(database_url)
    database.upgrade()
    return database


def get_db() -> Database:
    """The database of the configured DATABASE_URL, created and upgraded on first use."""
    return _database(get_settings().database_url)


def role() -> str:
    """The signed-in role of this session: member, leadership or admin.

    Someone signed in through single sign-on (``st.login``) whose e-mail address is
    on a role's list gets that role.
    """
    current = st.session_state.setdefault("role", MEMBER)
    if current == MEMBER:
        current = single_sign_on_role() or MEMBER
        st.session_state["role"] = current
    return current if current in ROLES else MEMBER


def single_sign_on_role() -> str | None:
    """The role of the account signed in through ``st.login``, if any and if listed."""
    settings = get_settings()
    if not settings.sign_on_configured or not st.user.is_logged_in:
        return None
    return access.role_for_email(settings, st.user.get("email"))


def sign_in_as(new_role: str) -> None:
    """Give this session ``new_role`` (the caller has checked the passcode)."""
    if new_role not in ROLES:
        raise ValueError(f"unknown role {new_role!r}")
    st.session_state["role"] = new_role
    sign_in_attempts().reset()


def sign_out() -> None:
    """Return this session to the member view, ending a single sign-on session too."""
    st.session_state["role"] = MEMBER
    if get_settings().sign_on_configured and st.user.is_logged_in:
        st.logout()


def sign_in_attempts() -> SignInAttempts:
    """This session's record of wrong passcodes in a row."""
    return st.session_state.setdefault("sign_in_attempts", SignInAttempts())


def answers_version() -> int:
    """The database's answers version: part of the key of every cached read of answers."""
    return answers.answers_version(get_db())


@st.cache_data(ttl=CACHED_READ_SECONDS, show_spinner=False)
def _participation_by_group(
    database_url: str, round_id: int, answers_version: int
) -> dict[str, int]:
    frame = answers.participation(_database(database_url), round_id=round_id)
    return {str(k): int(n) for k, n in frame.groupby("stakeholder_group")["n"].sum().items()}


def participation_by_group(round_id: int) -> dict[str, int]:
    """Submissions in the round per stakeholder group key, framework groups first.

    Every group of the framework is listed, with 0 when nobody from it has answered.
    """
    counts = _participation_by_group(get_settings().database_url, round_id, answers_version())
    result = {key: counts.get(key, 0) for key in get_framework().group_keys}
    for key, n in counts.items():
        result.setdefault(key, n)
    return result


@st.cache_data(ttl=CACHED_READ_SECONDS, show_spinner=False)
def _is_demo(database_url: str) -> bool:
    return demo.is_demo(_database(database_url))


def clear_cached_reads() -> None:
    """Forget every cached read. Writes from a page that change rounds, organisations,
    actions or expected numbers call this; new answers refresh reads through
    ``answers_version`` instead."""
    st.cache_data.clear()


def escape_markdown(text: str) -> str:
    """``text`` with every Markdown formatting character escaped, so it shows as typed."""
    return "".join(f"\\{ch}" if ch in MARKDOWN_SPECIAL else ch for ch in text)


def long_date(day: dt.date) -> str:
    """A date as people write it, such as ``5 March 2027``."""
    return f"{day.day} {day:%B %Y}"


def error_message(exc: BaseException) -> str:
    """What to tell the person: a product error's own message, or a general apology.

    Anything that is not a ``CollabError`` is logged with its traceback, never shown.
    """
    if isinstance(exc, CollabError):
        return escape_markdown(str(exc))
    logger.error("Unexpected error on a page", exc_info=exc)
    return UNEXPECTED_ERROR_MESSAGE


def show_error(exc: BaseException) -> None:
    """Show ``error_message(exc)`` in an error box."""
    st.error(error_message(exc), icon=":material/error:")


def demo_banner() -> None:
    """A small note on every page when the database holds the invented demo alliance."""
    if _is_demo(get_settings().database_url):
        st.caption(":material/science: Demo alliance: invented organisations and answers")


# The answer form. Widgets are keyed answer_<point> and comment_<point>; the radio's
# value is a scale value or DONT_KNOW, None while nothing is chosen.


def scale_options(framework: Framework) -> list[int | str]:
    """The radio options for one learning point: each scale value, then don't know."""
    return [point.value for point in framework.scale] + [DONT_KNOW]


def scale_option_label(framework: Framework, option: int | str) -> str:
    """The label of a radio option, such as ``1 - Not yet happening``."""
    if option == DONT_KNOW:
        return framework.dont_know_label
    return f"{option} - {framework.scale_label(int(option))}"


def answers_in_form(framework: Framework) -> dict[str, AnswerInput]:
    """The answers the form holds now; unanswered points have neither score nor don't know."""
    answers = {}
    for point in framework.point_keys:
        choice = st.session_state.get(ANSWER_KEY.format(point=point))
        comment = st.session_state.get(COMMENT_KEY.format(point=point)) or ""
        answers[point] = AnswerInput(
            score=None if choice in (None, DONT_KNOW) else int(choice),
            dont_know=choice == DONT_KNOW,
            comment=comment,
        )
    return answers


def put_answers_in_form(framework: Framework, stored: StoredSubmission) -> None:
    """Fill the form with a stored submission's answers (call before the form is drawn)."""
    for point in framework.point_keys:
        answer = stored.answers.get(point, AnswerInput())
        choice = DONT_KNOW if answer.dont_know else answer.score
        st.session_state[ANSWER_KEY.format(point=point)] = choice
        st.session_state[COMMENT_KEY.format(point=point)] = answer.comment


def clear_form(framework: Framework) -> None:
    """Empty every answer and comment of the form."""
    for point in framework.point_keys:
        st.session_state.pop(ANSWER_KEY.format(point=point), None)
        st.session_state.pop(COMMENT_KEY.format(point=point), None)
