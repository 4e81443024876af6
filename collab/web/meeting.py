"""Streamlit blocks of meeting mode: the meeting's choices in the sidebar, stepping
through the learning points, and the views of one point on a shared screen.

Meeting mode is a presenter: one learning point fills one 1920x1080 screen without
scrolling (its title, the groups' chart, the status in words, the change since the last
round and the questions to discuss: the *picture*), and its comments and actions are
one key away in a second view. The step bar's buttons carry keyboard shortcuts (arrow
keys for the points, a letter for each view), and the round, the point and the view are
written in the address, so a reload opens the same screen. Text in the meeting's
container is set large by ``meeting.css`` (scoped to that container), for the back of a
room. A further view of a point (a live check on members' phones, say) is one more
entry in ``VIEWS`` and one more drawing function in ``pages/meeting.py``.

The words and figures come from ``collab.stats.meeting``; these blocks only draw them and
pass what the team types to ``collab.domain.actions``. Every widget has a ``meeting_``
key, so the choices of the meeting never mix with those of the leadership pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from collab.domain import actions
from collab.domain.organisations import list_organisations
from collab.domain.rounds import RoundInfo
from collab.files import exports
from collab.present import charts, meeting_charts, pack
from collab.stats import meeting, readings
from collab.stats.meeting import PointPicture
from collab.stats.participation import round_participation
from collab.stats.results import RoundResults
from collab.store.db import Database
from collab.store.errors import CollabError
from collab.store.framework import Framework
from collab.web import cache, choosers, page, session

ROUND_KEY = "meeting_round"
ORDER_KEY = "meeting_order"
# The learning point shown (its key; "" after a new round or order: the first point).
POINT_KEY = "meeting_point"
VIEW_KEY = "meeting_view"
RESULT_KEY = "meeting_action_result"
DESCRIPTION_KEY = "meeting_action_description"
LEAD_KEY = "meeting_action_lead"
DUE_KEY = "meeting_action_due"
# The container the meeting is drawn in, to which its stylesheet is scoped.
PRESENTER_KEY = "meeting_presenter"
STYLESHEET = Path(__file__).with_name("meeting.css")
# The address's query parameters (the round's is ``choosers.ROUND_PARAM``).
ORDER_PARAM = "order"
POINT_PARAM = "point"
VIEW_PARAM = "view"
NO_LEAD = ""
CHART_CONFIG = {"displaylogo": False}
PREVIOUS_SHORTCUT = "Left"
NEXT_SHORTCUT = "Right"


@dataclass(frozen=True)
class View:
    """A view of one learning point: its button's label, keyboard shortcut, icon and
    width on the step bar (relative to the other columns)."""

    label: str
    shortcut: str
    icon: str
    width: float


PICTURE = "picture"
COMMENTS = "comments"
# The views of a point, in the order of their buttons on the step bar.
VIEWS = {
    PICTURE: View("Picture", "P", ":material/bar_chart:", width=1),
    COMMENTS: View("Comments and actions", "A", ":material/forum:", width=1.8),
}


@contextmanager
def presenter() -> Iterator[None]:
    """The container the meeting is drawn in, with the meeting's stylesheet (large text,
    less space above) applied to it alone."""
    st.html(STYLESHEET)
    with st.container(key=PRESENTER_KEY):
        yield


def _restart() -> None:
    """A new round or order starts again at its first learning point, on its picture."""
    st.session_state[POINT_KEY] = ""
    st.session_state[VIEW_KEY] = PICTURE


def choose_round(choices: list[RoundInfo], *, min_group_size: int) -> tuple[RoundInfo, str]:
    """Draw the round and order choices, with the privacy rule beside them, and return the
    chosen round and order (a key of ``collab.stats.meeting.ORDERS``).

    They live in the sidebar, which can be folded away on the shared screen. The round is
    the one the leadership pages share (``choosers.choose_round``); the order comes from
    the address when the session has none, and is written there when it is not the first.
    """
    orders = list(meeting.ORDERS)
    asked = st.query_params.get(ORDER_PARAM)
    if ORDER_KEY not in st.session_state and asked in orders:
        st.session_state[ORDER_KEY] = asked
    with st.sidebar:
        st.subheader("Meeting mode", anchor=False)
        chosen = choosers.choose_round(
            choices,
            first=choosers.default_round(choices) or choices[-1],
            key=ROUND_KEY,
            on_change=_restart,
        )
        order = st.radio(
            "Order of the learning points",
            orders,
            format_func=meeting.ORDERS.get,
            key=ORDER_KEY,
            on_change=_restart,
            persist_state="session",
        )
        st.caption(
            f"A group's figures on a point are withheld when it has fewer than "
            f"{min_group_size} scores there."
        )
        page.demo_banner()
    if order == orders[0]:
        st.query_params.pop(ORDER_PARAM, None)
    elif st.query_params.get(ORDER_PARAM) != order:
        st.query_params[ORDER_PARAM] = order
    return chosen, order


def show_participation(db: Database, framework: Framework, round_name: str, k: int) -> None:
    """One line, only when a group is too small to show or well below its expected number
    (``collab.stats.meeting.participation_note``)."""
    taking_part = round_participation(
        db, framework=framework, round_name=round_name, min_group_size=k
    )
    if note := meeting.participation_note(taking_part):
        st.markdown(f":orange[:material/group_off:] {page.escape_markdown(note)}")


def _held_or_asked(key: str, param: str, allowed: list[str]) -> str:
    """The value this session holds under ``key``, else the address's ``param``, when it
    is one of ``allowed``; else the first of them."""
    held = st.session_state[key] if key in st.session_state else st.query_params.get(param)
    return held if held in allowed else allowed[0]


def _show(point: str, view: str) -> None:
    st.session_state[POINT_KEY] = point
    st.session_state[VIEW_KEY] = view


def step_through(keys: list[str], *, label: str) -> tuple[str, str]:
    """Draw the step bar: Previous, where the meeting is (``label`` names the round),
    a button for each view and Next, each with its keyboard shortcut. Return the key of
    the learning point to show (one of ``keys``, in the meeting's order) and the view.

    The point and view are those of this session, else those the address names (a reload),
    else the first point's picture; both are written in the address.
    """
    point = _held_or_asked(POINT_KEY, POINT_PARAM, keys)
    view = _held_or_asked(VIEW_KEY, VIEW_PARAM, list(VIEWS))
    _show(point, view)
    position, count = keys.index(point), len(keys)
    widths = [1.2, 3, *(shown.width for shown in VIEWS.values()), 1.2]
    columns = st.columns(widths, vertical_alignment="center")
    columns[0].button(
        "Previous",
        key="meeting_previous",
        icon=":material/arrow_back:",
        disabled=position == 0,
        on_click=_show,
        args=(keys[max(position - 1, 0)], PICTURE),
        shortcut=PREVIOUS_SHORTCUT,
        width="stretch",
    )
    columns[1].progress(
        (position + 1) / count,
        text=f"{page.escape_markdown(label)} · Learning point {position + 1} of {count}",
    )
    for column, (name, shown) in zip(columns[2:-1], VIEWS.items(), strict=True):
        column.button(
            shown.label,
            key=f"meeting_view_{name}",
            icon=shown.icon,
            type="primary" if name == view else "secondary",
            on_click=_show,
            args=(point, name),
            shortcut=shown.shortcut,
            width="stretch",
        )
    columns[-1].button(
        "Next",
        key="meeting_next",
        icon=":material/arrow_forward:",
        disabled=position == count - 1,
        on_click=_show,
        args=(keys[min(position + 1, count - 1)], PICTURE),
        shortcut=NEXT_SHORTCUT,
        width="stretch",
    )
    for param, value in ((POINT_PARAM, point), (VIEW_PARAM, view)):
        if st.query_params.get(param) != value:
            st.query_params[param] = value
    return point, view


def _point_heading(picture: PointPicture) -> None:
    st.title(page.escape_markdown(picture.title), anchor=False)
    st.markdown(f"*{page.escape_markdown(picture.statement)}*")


def show_picture(found: RoundResults, framework: Framework, picture: PointPicture) -> None:
    """The picture of a point, on one screen: its title and statement, where the groups
    stand (with their intervals), its status and gap naming the highest and lowest group,
    withheld and small groups, the change since the previous round, and the questions to
    discuss."""
    _point_heading(picture)
    chart_column, words_column = st.columns([11, 9], gap="large")
    with chart_column:
        st.plotly_chart(
            meeting_charts.group_positions(found.summary, framework, picture.key),
            key="meeting_group_positions",
            height=520,
            config=CHART_CONFIG,
            theme=None,
        )
    with words_column, st.container(key="meeting_status"):
        st.badge(
            picture.status_label,
            color=page.status_colour(picture.status),
            icon=readings.STATUS_ICONS.get(picture.status or ""),
        )
        st.subheader(page.escape_markdown(picture.gap_headline), anchor=False)
        if picture.who_is_where:
            st.markdown(f"**{page.escape_markdown(picture.who_is_where)}**")
        st.write(page.escape_markdown(picture.status_reading))
        for sentence in picture.withheld:
            st.markdown(f":material/visibility_off: {page.escape_markdown(sentence)}")
        for sentence in picture.small_groups:
            st.markdown(f":material/error_outline: {page.escape_markdown(sentence)}")
        if picture.changes:
            st.markdown(f"**Since {page.escape_markdown(found.previous_round or '')}**")
            for sentence in picture.changes:
                st.markdown(f"- {page.escape_markdown(sentence)}")
    with st.container(key="meeting_prompts"):
        st.subheader("To discuss", anchor=False)
        for prompt in picture.prompts:
            st.markdown(f"- **{page.escape_markdown(prompt)}**")


def show_comments_and_actions(
    db: Database,
    found: RoundResults,
    framework: Framework,
    picture: PointPicture,
    *,
    round_name: str,
) -> None:
    """The second view of a point: the actions agreed on it so far (the whole width, so
    every column shows), what each group wrote beside the form to record a new action,
    then the figures behind the picture, folded away."""
    _point_heading(picture)
    show_actions(db, round_name=round_name, point=picture.key)
    comments_column, form_column = st.columns(2, gap="large")
    with comments_column:
        show_comments(picture)
    with form_column:
        record_action_form(db, framework, round_name=round_name, picture=picture)
    show_figures(found, framework, picture)


def show_comments(picture: PointPicture) -> None:
    """Each shown group's comments in a box of its own, as plain text."""
    st.subheader("What people wrote", anchor=False)
    if not picture.comments:
        st.write("No comments on this learning point from the groups shown.")
        return
    for group_name, texts in picture.comments:
        with st.container(border=True):
            st.markdown(f"**{page.escape_markdown(group_name)}**")
            for text in texts:
                st.text(text)


def show_figures(found: RoundResults, framework: Framework, picture: PointPicture) -> None:
    """The spread of the answers and the figures behind the picture in plain words, folded
    away, and the statisticians' figures in an expander of their own ("For analysts")."""
    with st.expander("How the answers were spread, and the figures behind this picture"):
        st.plotly_chart(
            charts.distribution_bars(found.summary, framework, picture.key),
            key="meeting_distribution",
            config=CHART_CONFIG,
            theme=None,
        )
        if picture.point_table is not None:
            st.table(picture.point_table, hide_index=True)
        if picture.group_grid is not None:
            st.table(picture.group_grid, hide_index=True)
    if picture.analyst_table is None and picture.analyst_grid is None:
        return
    with st.expander("For analysts: the test statistics and figures behind these words"):
        if picture.analyst_table is not None:
            st.table(picture.analyst_table, hide_index=True)
        if picture.analyst_grid is not None:
            st.table(picture.analyst_grid, hide_index=True)


def show_actions(db: Database, *, round_name: str, point: str) -> None:
    """The actions agreed on ``point`` up to ``round_name``, whose status the team can
    change and save."""
    st.subheader("Agreed actions", anchor=False)
    agreed = actions.list_actions(db, up_to_round=round_name, learning_point=point)
    if agreed.empty:
        st.write("No actions agreed on this learning point yet.")
        return
    edited = st.data_editor(
        meeting.actions_with_status_names(agreed),
        key=f"meeting_actions_{point}",
        hide_index=True,
        disabled=["round", "description", "lead_organisation", "due_on"],
        column_config={
            "round": meeting.ACTION_HEADINGS["round"],
            "description": st.column_config.TextColumn(
                meeting.ACTION_HEADINGS["description"], width="large"
            ),
            "lead_organisation": meeting.ACTION_HEADINGS["lead_organisation"],
            "due_on": st.column_config.DateColumn(
                meeting.ACTION_HEADINGS["due_on"], format=page.DATE_COLUMN_FORMAT
            ),
            "status": st.column_config.SelectboxColumn(
                meeting.ACTION_HEADINGS["status"],
                options=list(actions.STATUS_NAMES.values()),
                required=True,
            ),
        },
    )
    changed = meeting.status_changes(agreed, edited["status"].tolist())
    if st.button("Save status changes", key="meeting_actions_save", disabled=not changed):
        try:
            for action_id, status in changed:
                actions.update_action_status(
                    db, actor=session.role(), action_id=action_id, status=status
                )
        except CollabError as exc:
            page.show_error(exc)
        else:
            cache.clear()
            st.rerun()


def _record(db: Database, framework: Framework, round_name: str, point: str) -> None:
    """Store the action typed in the form (runs before the page is drawn again)."""
    try:
        actions.record_action(
            db,
            actor=session.role(),
            round_name=round_name,
            learning_point=point,
            description=st.session_state.get(DESCRIPTION_KEY) or "",
            lead_organisation=st.session_state.get(LEAD_KEY) or None,
            due_on=st.session_state.get(DUE_KEY),
            framework=framework,
        )
    except CollabError as exc:
        st.session_state[RESULT_KEY] = ("error", str(exc))
        return
    cache.clear()
    st.session_state[RESULT_KEY] = ("success", "Action recorded.")


def record_action_form(
    db: Database, framework: Framework, *, round_name: str, picture: PointPicture
) -> None:
    """The form to record a new action on the point shown, and what came of the last one."""
    with st.form("meeting_new_action", clear_on_submit=True):
        st.markdown(f"**Record an action on {page.escape_markdown(picture.title)}**")
        st.text_area(
            "What will be done, and by whom?",
            key=DESCRIPTION_KEY,
            max_chars=actions.MAX_DESCRIPTION_CHARS,
            height=80,
        )
        lead_column, due_column = st.columns(2)
        lead_column.selectbox(
            "Lead organisation",
            [NO_LEAD] + [o.name for o in list_organisations(db, include_inactive=False)],
            format_func=lambda name: name or "No lead organisation yet",
            key=LEAD_KEY,
        )
        due_column.date_input("Due by", value=None, key=DUE_KEY, format="DD/MM/YYYY")
        st.form_submit_button(
            "Record action",
            key="meeting_action_submit",
            icon=":material/add_task:",
            on_click=_record,
            args=(db, framework, round_name, picture.key),
        )
    outcome = st.session_state.pop(RESULT_KEY, None)
    if outcome and outcome[0] == "error":
        st.error(page.escape_markdown(outcome[1]), icon=":material/error:")
    elif outcome:
        st.success(outcome[1], icon=":material/task_alt:")


def show_pack_downloads(db: Database, framework: Framework, *, round_name: str, k: int) -> None:
    """The meeting pack and its workbook, each built only when it is downloaded (drawn in
    the current container: the sidebar in meeting mode)."""
    st.subheader("Meeting pack", anchor=False)
    st.caption(
        "One file to share or print after the meeting: every learning point, the trends, who "
        "took part and the agreed actions. It opens without an internet connection."
    )
    st.download_button(
        "Meeting pack (HTML)",
        data=lambda: pack.build_meeting_pack(
            db, framework=framework, round_name=round_name, min_group_size=k
        ),
        file_name=exports.export_file_name(what="meeting-pack", round_name=round_name, fmt="html"),
        mime="text/html",
        key="meeting_pack_download",
        icon=":material/description:",
        on_click="ignore",
        width="stretch",
    )
    st.download_button(
        "Figures (Excel)",
        data=lambda: pack.build_meeting_workbook(
            db, framework=framework, round_name=round_name, min_group_size=k
        ),
        file_name=exports.export_file_name(
            what="meeting-figures", round_name=round_name, fmt="xlsx"
        ),
        mime=exports.MIME_TYPES["xlsx"],
        key="meeting_workbook_download",
        icon=":material/table:",
        on_click="ignore",
        width="stretch",
    )
