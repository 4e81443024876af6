"""Streamlit blocks of the live check: the leadership team's screen (QR code, short code,
figures that refresh themselves) and the member's page on a phone (the codes, the
question in large targets, the wait for the re-score).

The words and figures come from ``collab.stats.checks``; every change goes through
``collab.domain.checks``. The meeting screen's widgets have ``live_check_`` keys and the
member's ``check_`` keys. Both pages are styled by ``live_check.css``, scoped to their
own containers.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from collab.domain import checks, rounds
from collab.domain.checks import CheckInfo
from collab.domain.invite_codes import InviteCodeInfo, find_invite_code, loopback_warning
from collab.domain.rounds import RoundInfo
from collab.present.qr import qr_png
from collab.stats import readings
from collab.stats.checks import (
    CheckPicture,
    PointStanding,
    check_picture,
    points_table,
    reading,
)
from collab.store.db import Database
from collab.store.errors import CollabError, InvalidAnswers
from collab.store.framework import Framework
from collab.web import cache, choosers, page, session

STYLESHEET = Path(__file__).with_name("live_check.css")
# How often the meeting screen, and a phone waiting for the re-score, look for news.
SCREEN_REFRESH_SECONDS = 3
PHONE_REFRESH_SECONDS = 4
ALL_POINTS = "all"
# The address parameter naming the learning point, as a link from meeting mode carries it
# (the round is ``choosers.ROUND_PARAM``).
POINT_PARAM = "point"
SCREEN_KEY = "live_check_screen"
ROUND_KEY = "live_check_round"
POINT_KEY = "live_check_point"
MESSAGE_KEY = "live_check_message"
FORM_KEY = "check_form"
SHORT_CODE_KEY = "check_short_code"
INVITE_CODE_KEY = "check_invite_code"
SEAT_KEY = "check_seat"
SEAT_PARAM = "seat"
SENT_KEY = "check_sent"
# The code a member typed on the Submit answers page earlier in this session, if any.
SUBMIT_CODE_KEY = "submit_last_code"
DONT_KNOW = "dont_know"


def style() -> None:
    """Large type and large targets, for the back of a room and for thumbs."""
    st.html(STYLESHEET)


# --- the meeting screen ---------------------------------------------------------------------


def point_label(framework: Framework, key: str) -> str:
    if key == ALL_POINTS:
        return f"All {len(framework.point_keys)} learning points"
    return framework.point(key).title


def choose(choices: list[RoundInfo], framework: Framework) -> RoundInfo:
    """Draw the round and learning point choices in the sidebar and return the round.

    The round is the one the leadership pages carry (or the address names, as a link from
    meeting mode does), else the open round, else the latest; the point is the one the
    address names (``?point=...``), else every point.
    """
    still_open = [r for r in choices if r.is_open]
    options = [ALL_POINTS, *framework.point_keys]
    asked_point = st.query_params.get(POINT_PARAM)
    with st.sidebar:
        st.subheader("A new check", anchor=False)
        chosen = choosers.choose_round(
            choices, first=still_open[-1] if still_open else choices[-1], key=ROUND_KEY
        )
        st.selectbox(
            "Learning point",
            options,
            index=options.index(asked_point) if asked_point in options else 0,
            format_func=lambda key: point_label(framework, key),
            key=POINT_KEY,
        )
    return chosen


def _say(message: str) -> None:
    st.session_state[MESSAGE_KEY] = message


def _open(db: Database, framework: Framework) -> None:
    # The choices as they are when the button is pressed, not as the last run drew them.
    point = st.session_state[POINT_KEY]
    try:
        info = checks.open_check(
            db,
            actor=session.role(),
            framework=framework,
            round_name=st.session_state[ROUND_KEY],
            learning_point=None if point == ALL_POINTS else point,
        )
    except CollabError as exc:
        _say(page.error_message(exc))
    else:
        st.query_params[checks.CHECK_PARAM] = info.short_code


def _change(change: Callable[..., CheckInfo], db: Database, check_id: int) -> None:
    """Start the re-score, or close the check; a refusal is kept to show."""
    try:
        change(db, actor=session.role(), check_id=check_id)
    except CollabError as exc:
        _say(page.error_message(exc))


def start_button(db: Database, framework: Framework) -> None:
    """The sidebar's button that opens a check on the chosen point (closing any other)."""
    st.sidebar.button(
        "Start a live check",
        key="live_check_open",
        icon=":material/how_to_vote:",
        type="primary",
        on_click=_open,
        args=(db, framework),
        width="stretch",
    )
    st.sidebar.caption(
        "Members answer on their phones with their invite code. Starting a check closes "
        "the one before it; every check is kept with the round and its meeting pack."
    )
    if message := st.session_state.pop(MESSAGE_KEY, None):
        st.error(message, icon=":material/error:")


def check_to_show(db: Database, round_name: str) -> CheckInfo | None:
    """The round's check named in the address, else its open check, else its latest."""
    found = checks.list_checks(db, round_name=round_name)
    asked = st.query_params.get(checks.CHECK_PARAM)
    named = next((c for c in found if c.short_code == asked), None)
    return named or next((c for c in found if c.is_open), None) or (found[-1] if found else None)


def show_way_in(check: CheckInfo) -> None:
    """The QR code and the short code, as large as the screen allows, and the address;
    for a closed check, that it has closed."""
    if not check.is_open:
        st.info("This check has closed: members can no longer answer it.", icon=":material/lock:")
        return
    base_url = session.settings().base_url
    link = checks.check_link(base_url, check.short_code)
    st.image(qr_png(link, scale=12), width="stretch")
    st.header(check.short_code, anchor=False)
    st.markdown(
        f"Scan the code, or open **{page.escape_markdown(base_url.rstrip('/'))}/"
        f"{checks.CHECK_PATH}** and type **{check.short_code}**, then your invite code."
    )
    if warning := loopback_warning(base_url):
        st.caption(page.escape_markdown(warning))


def controls(db: Database, check: CheckInfo) -> None:
    """Start the re-score, and close the check."""
    if not check.is_open:
        st.caption(
            "This check has closed. Its figures are kept with the round and appear in the "
            "meeting pack."
        )
        return
    first, second = st.columns(2)
    if not check.rescoring:
        first.button(
            "Start the re-score",
            key="live_check_rescore",
            icon=":material/replay:",
            type="primary",
            on_click=_change,
            args=(checks.start_rescore, db, check.id),
            width="stretch",
            help="After the discussion: everyone answers again, and the screen shows "
            "each group before and after.",
        )
    (first if check.rescoring else second).button(
        "Close the check",
        key="live_check_close",
        icon=":material/stop_circle:",
        on_click=_change,
        args=(checks.close_check, db, check.id),
        width="stretch",
    )


def current_picture(db: Database, framework: Framework, check_id: int) -> CheckPicture:
    """The check as it stands now: live counts, figures as last published."""
    data = checks.check_answers(db, check_id=check_id)
    return check_picture(
        data,
        framework=framework,
        min_group_size=session.min_group_size(),
        figures=cache.check_figures(data),
    )


def _answered_line(counts: dict[str, int], *, rescore: bool) -> str:
    total = sum(counts.values())
    people = "person has" if total == 1 else "people have"
    return f"{total} {people} {'re-scored' if rescore else 'answered'}"


def _group_cards(picture: CheckPicture, framework: Framework) -> None:
    """A card per group: how many answered this pass, and where the group stands."""
    counts = picture.answered_now
    point = picture.figures.now[0]
    change = picture.figures.changes[0] if picture.figures.changes else None
    columns = st.columns(len(framework.group_keys))
    for column, group in zip(columns, framework.group_keys, strict=True):
        with column.container(border=True, key=f"live_check_group_{group}"):
            st.markdown(f"**{page.escape_markdown(framework.group_name(group))}**")
            answered = "re-scored" if change else "answered"
            st.markdown(f"**{counts.get(group, 0)}** {answered}")
            if change is None:
                _standing(point, group)
                continue
            before, after = st.columns(2)
            with before:
                st.markdown("Before")
                _standing(change.before, group)
            with after:
                st.markdown("**After**")
                _standing(change.after, group)


def _standing(point: PointStanding, group: str) -> None:
    """A group's mean, large, with its interval beneath; or why it is withheld."""
    standing = point.group(group)
    if not standing.shown:
        st.markdown(f"— withheld: {page.escape_markdown(standing.reason)}")
        return
    st.subheader(readings.number_text(standing.mean), anchor=False)
    if not (readings.is_missing(standing.low) or readings.is_missing(standing.high)):
        interval = f"{readings.number_text(standing.low)} to {readings.number_text(standing.high)}"
        st.caption(f"95% interval {interval}")


def _point_table(picture: CheckPicture, framework: Framework) -> None:
    """Every point of an all-points check: each group's figure, and the gap."""
    st.table(points_table(picture, framework=framework), hide_index=True)


def show_live(db: Database, framework: Framework, check: CheckInfo) -> None:
    """The part of the meeting screen that refreshes itself every few seconds: who has
    answered, by group, and the figures as published. When another screen starts the
    re-score or closes the check, the whole page follows."""

    @st.fragment(run_every=SCREEN_REFRESH_SECONDS if check.is_open else None)
    def live() -> None:
        picture = current_picture(db, framework, check.id)
        now = picture.check
        if (now.passes, now.is_open) != (check.passes, check.is_open):
            st.rerun(scope="app")
        rescore = now.rescoring
        st.markdown(
            f"**{'Re-score' if rescore else 'First pass'}** · "
            f"{_answered_line(picture.answered_now, rescore=rescore)}"
        )
        if now.learning_point is not None:
            _group_cards(picture, framework)
        else:
            _point_table(picture, framework)
        if sentence := reading(picture):
            st.markdown(f"**{page.escape_markdown(sentence)}**")
        st.caption(release_rule_note(picture))

    live()


def release_rule_note(picture: CheckPicture) -> str:
    """Why the figures move when they do, in one sentence for the room."""
    k = picture.figures.min_group_size
    return (
        f"A group's figures appear once {k} of its people have given a score, and move only "
        f"when at least {k} of them have answered differently, so nobody can be picked out "
        "by watching the screen."
    )


def show_earlier(db: Database, framework: Framework, round_name: str, shown: int) -> None:
    """The round's other checks, folded away, each with its figures."""
    others = [c for c in checks.list_checks(db, round_name=round_name) if c.id != shown]
    if not others:
        return
    with st.expander(f"Earlier live checks in {round_name} ({len(others)})"):
        for other in reversed(others):
            picture = current_picture(db, framework, other.id)
            st.markdown(f"**{other.short_code}: {page.escape_markdown(picture.subject)}**")
            for change in picture.figures.changes:
                st.markdown(f"- {page.escape_markdown(change.title)}: {change.brief}")
            if not picture.figures.changes:
                st.caption("No re-score.")


# --- the member's page ----------------------------------------------------------------------


def typed_check(db: Database) -> CheckInfo | None:
    """The check the member's link or typing names; asks for its code when none does."""
    asked = st.query_params.get(checks.CHECK_PARAM) or st.session_state.get(SHORT_CODE_KEY)
    if asked:
        try:
            found = checks.find_check(db, asked)
        except CollabError as exc:
            page.show_error(exc)
        else:
            st.session_state[SHORT_CODE_KEY] = found.short_code
            return found
    if typed := _ask("check_short_code", "The code on the meeting screen", placeholder="K7PX"):
        st.query_params[checks.CHECK_PARAM] = typed
        st.rerun()
    return None


def _ask(key: str, label: str, *, placeholder: str, help: str | None = None) -> str:
    """A box for a code and its Continue button; what was typed once it is pressed."""
    with st.form(f"{key}_form", border=False):
        st.text_input(label, key=f"{key}_typed", max_chars=40, placeholder=placeholder, help=help)
        if st.form_submit_button("Continue", key=f"{key}_continue", width="stretch"):
            return str(st.session_state.get(f"{key}_typed", "")).strip()
    return ""


def typed_invite_code(db: Database) -> tuple[str, InviteCodeInfo] | None:
    """The member's invite code and what it says (organisation, group): from the link,
    from earlier in this session, or typed now."""
    state = st.session_state
    code = state.get(INVITE_CODE_KEY) or st.query_params.get("code") or state.get(SUBMIT_CODE_KEY)
    if code:
        try:
            invite = find_invite_code(db, code)
        except CollabError as exc:
            page.show_error(exc)
        else:
            state[INVITE_CODE_KEY] = code
            return code, invite
    typed = _ask(
        "check_invite_code",
        "Your invite code",
        placeholder="XXXX-XXXX-XXXX",
        help="The code on your invitation: it says which organisation and group you answer "
        "for. It is never shown to anyone.",
    )
    if typed:
        state[INVITE_CODE_KEY] = typed
        st.query_params.pop("code", None)
        st.rerun()
    return None


def seat() -> str:
    """This page's seat: one phone, one person, with a shared code. Kept in the address,
    so a reload of the page is still the same person."""
    state = st.session_state
    state.setdefault(SEAT_KEY, st.query_params.get(SEAT_PARAM) or checks.new_seat())
    st.query_params[SEAT_PARAM] = state[SEAT_KEY]
    return state[SEAT_KEY]


def who_answers(invite: InviteCodeInfo, framework: Framework) -> None:
    group = readings.in_sentence(framework.group_name(invite.stakeholder_group))
    st.caption(
        page.escape_markdown(f"You are answering as {group}, {invite.organisation}.")
        + " Your answer is never shown on its own."
    )


def _option_label(framework: Framework, option: int | str) -> str:
    if option == DONT_KNOW:
        return framework.dont_know_label
    return f"{option} · {framework.scale_label(int(option))}"


def answer_key(point: str) -> str:
    return f"check_answer_{point}"


def question(framework: Framework, check: CheckInfo) -> None:
    """Each of the check's points with its scale, one large target per answer."""
    options: list[int | str] = [s.value for s in framework.scale] + [DONT_KNOW]
    for point in check.points(framework):
        learning_point = framework.point(point)
        st.subheader(page.escape_markdown(learning_point.title), anchor=False)
        st.markdown(f"*{page.escape_markdown(learning_point.statement)}*")
        st.radio(
            "Your answer",
            options,
            index=None,
            format_func=lambda option: _option_label(framework, option),
            key=answer_key(point),
            label_visibility="collapsed",
        )


def chosen_answers(framework: Framework, check: CheckInfo) -> dict[str, int | None]:
    """The answers chosen so far: a score, or None for don't know (unanswered left out)."""
    chosen: dict[str, int | None] = {}
    for point in check.points(framework):
        choice = st.session_state.get(answer_key(point))
        if choice is not None:
            chosen[point] = None if choice == DONT_KNOW else int(choice)
    return chosen


def send(db: Database, framework: Framework, check: CheckInfo, code: str, phone_seat: str) -> None:
    """Store the member's answers to the pass shown; problems are kept to show."""
    st.session_state.pop(SENT_KEY, None)
    try:
        checks.answer_check(
            db,
            framework=framework,
            check_id=check.id,
            code=code,
            seat=phone_seat,
            pass_number=check.passes,
            answers=chosen_answers(framework, check),
            min_group_size=session.min_group_size(),
        )
    except InvalidAnswers as exc:
        missing = [framework.point(p).title for p in exc.problems if p in framework.point_keys]
        st.session_state[SENT_KEY] = (
            "Choose a score or don't know for " + readings.names_text(missing) + "."
        )
    except Exception as exc:  # shown through page.error_message: a message, never a traceback
        st.session_state[SENT_KEY] = page.error_message(exc)
    else:
        for point in check.points(framework):
            st.session_state.pop(answer_key(point), None)


def send_button(
    db: Database, framework: Framework, check: CheckInfo, code: str, phone_seat: str
) -> None:
    st.button(
        "Send my answer" if check.learning_point else "Send my answers",
        key="check_send",
        type="primary",
        icon=":material/send:",
        on_click=send,
        args=(db, framework, check, code, phone_seat),
        width="stretch",
    )
    if problem := st.session_state.pop(SENT_KEY, None):
        st.error(problem, icon=":material/error:")


def has_answered(db: Database, check: CheckInfo, code: str, phone_seat: str) -> bool:
    """Whether this person has answered the pass the check is in."""
    return checks.has_answered(
        db, check_id=check.id, code=code, seat=phone_seat, pass_number=check.passes
    )


def wait_for_rescore(db: Database, check: CheckInfo) -> None:
    """Thanks, and a quiet look every few seconds for the re-score or the close, which
    bring the page back by themselves."""
    st.success(
        "Thank you: your answer is in."
        + ("" if check.rescoring else " When the team starts the re-score, this page asks again."),
        icon=":material/check_circle:",
    )

    @st.fragment(run_every=PHONE_REFRESH_SECONDS if check.is_open else None)
    def waiting() -> None:
        now = checks.get_check(db, check.id)
        if (now.passes, now.is_open) != (check.passes, check.is_open):
            st.rerun(scope="app")

    waiting()


def round_choices(db: Database) -> list[RoundInfo]:
    """The rounds a check can be about: every round that has opened, oldest first."""
    return [r for r in rounds.list_rounds(db) if r.opened]
