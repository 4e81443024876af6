"""The member answer form's state: one radio and one comment per learning point.

Widgets are keyed ``answer_<point>`` and ``comment_<point>``; the radio's value is a
scale value or ``DONT_KNOW``, None while nothing is chosen. They keep their values for
the whole session (``persist_state="session"``), so the points the form does not show
at the moment keep their answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import streamlit as st

from collab.domain.invite_codes import InviteCodeInfo, find_invite_code, normalise_code
from collab.domain.submissions import AnswerInput, validate_answers
from collab.store.db import Database
from collab.store.errors import InvalidAnswers
from collab.store.framework import Framework

DONT_KNOW = "dont_know"
ANSWER_KEY = "answer_{point}"
COMMENT_KEY = "comment_{point}"
# The session keeps a widget's value while the widget is not drawn.
PERSIST: Final = "session"
# The invite code the form was last opened with, as found: (normalised code, record).
INVITE_KEY = "submit_invite"


def invite_code(db: Database, code: str) -> InviteCodeInfo:
    """The record of the invite code the form is answered with, looked up once per code
    in a session rather than on every step (a code revoked meanwhile is refused when
    the answers are sent, and the answers stay on the page)."""
    normalised = normalise_code(code)
    kept = st.session_state.get(INVITE_KEY)
    if isinstance(kept, tuple) and kept[0] == normalised:
        return kept[1]
    found = find_invite_code(db, code)
    st.session_state[INVITE_KEY] = (normalised, found)
    return found


def scale_options(framework: Framework) -> list[int | str]:
    """The radio options for one learning point: each scale value, then don't know."""
    return [point.value for point in framework.scale] + [DONT_KNOW]


def scale_option_label(framework: Framework, option: int | str) -> str:
    """The label of a radio option, such as ``1 - Not yet happening``."""
    if option == DONT_KNOW:
        return framework.dont_know_label
    return f"{option} - {framework.scale_label(int(option))}"


def answer_label(framework: Framework, answer: AnswerInput) -> str | None:
    """What the member chose, as the radio says it; None while nothing is chosen."""
    if answer.dont_know:
        return scale_option_label(framework, DONT_KNOW)
    if answer.score is None:
        return None
    return scale_option_label(framework, answer.score)


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


def has_answers(framework: Framework) -> bool:
    """Whether the form holds any choice or comment."""
    return any(
        answer.score is not None or answer.dont_know or answer.comment.strip()
        for answer in answers_in_form(framework).values()
    )


def problems_in_form(framework: Framework, *, max_comment_chars: int) -> dict[str, str]:
    """What would stop the form being sent now, by learning point (empty when nothing)."""
    try:
        validate_answers(framework, answers_in_form(framework), max_comment_chars=max_comment_chars)
    except InvalidAnswers as exc:
        return dict(exc.problems)
    return {}


def needs_attention(framework: Framework, problems: dict[str, str]) -> str:
    """What to say above the form when ``problems`` stop it being sent ("" for none)."""
    if not problems:
        return ""
    titles = [framework.point(key).title for key in framework.point_keys if key in problems]
    return (
        "Some answers need attention before they can be sent: "
        + "; ".join(titles)
        + ". Everything else you chose is kept."
    )


def put_answers_in_form(framework: Framework, answers: Mapping[str, AnswerInput]) -> None:
    """Fill the form with ``answers`` (stored, or a draft); call before the form is drawn."""
    for point in framework.point_keys:
        answer = answers.get(point, AnswerInput())
        choice = DONT_KNOW if answer.dont_know else answer.score
        st.session_state[ANSWER_KEY.format(point=point)] = choice
        st.session_state[COMMENT_KEY.format(point=point)] = answer.comment


def clear_form(framework: Framework) -> None:
    """Empty every answer and comment of the form."""
    for point in framework.point_keys:
        st.session_state.pop(ANSWER_KEY.format(point=point), None)
        st.session_state.pop(COMMENT_KEY.format(point=point), None)
