"""Streamlit blocks of meeting mode: the round and order choices, stepping through the
learning points, one point's picture, its agreed actions, and the meeting pack downloads.

The words and figures come from ``collab.stats.meeting``; these blocks only draw them and
pass what the team types to ``collab.domain.actions``. Every widget has a ``meeting_``
key, so the choices of the meeting never mix with those of the leadership pages.
"""

from __future__ import annotations

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
POSITION_KEY = "meeting_position"
RESULT_KEY = "meeting_action_result"
DESCRIPTION_KEY = "meeting_action_description"
LEAD_KEY = "meeting_action_lead"
DUE_KEY = "meeting_action_due"
NO_LEAD = ""
CHART_CONFIG = {"displaylogo": False}


def _restart() -> None:
    st.session_state[POSITION_KEY] = 0


def _move(step: int, count: int) -> None:
    st.session_state[POSITION_KEY] = min(max(st.session_state[POSITION_KEY] + step, 0), count - 1)


def choose_round(choices: list[RoundInfo]) -> tuple[RoundInfo, str]:
    """Draw the round and order choices and return the chosen round and order (a key of
    ``collab.stats.meeting.ORDERS``). A new choice starts again at the first point.

    They live in the sidebar, which can be folded away on the shared screen.
    """
    by_name = {r.name: r for r in choices}
    names = list(reversed(by_name))
    first = choosers.default_round(choices) or choices[-1]
    with st.sidebar:
        st.subheader("Meeting mode", anchor=False)
        round_name = st.selectbox(
            "Round",
            names,
            index=names.index(first.name),
            format_func=lambda name: choosers.round_label(by_name[name]),
            key=ROUND_KEY,
            on_change=_restart,
        )
        order = st.radio(
            "Order of the learning points",
            list(meeting.ORDERS),
            format_func=meeting.ORDERS.get,
            key=ORDER_KEY,
            on_change=_restart,
        )
    return by_name[round_name], order


def show_flagged_groups(db: Database, framework: Framework, round_name: str, k: int) -> None:
    """Warn about each group below its expected number or below the minimum group size."""
    taking_part = round_participation(
        db, framework=framework, round_name=round_name, min_group_size=k
    )
    for row in taking_part.flagged_groups.itertuples(index=False):
        st.warning(
            page.escape_markdown(f"{row.group_name}: {row.flag}"), icon=":material/group_off:"
        )


def step_through(count: int) -> int:
    """Draw the Previous and Next buttons with the progress between them, and return the
    position (0 to ``count - 1``) of the learning point to show."""
    st.session_state.setdefault(POSITION_KEY, 0)
    position = min(st.session_state[POSITION_KEY], count - 1)
    back, where, forward = st.columns([1, 4, 1], vertical_alignment="center")
    back.button(
        "Previous",
        key="meeting_previous",
        icon=":material/arrow_back:",
        disabled=position == 0,
        on_click=_move,
        args=(-1, count),
        width="stretch",
    )
    where.progress((position + 1) / count, text=f"Learning point {position + 1} of {count}")
    forward.button(
        "Next",
        key="meeting_next",
        icon=":material/arrow_forward:",
        disabled=position == count - 1,
        on_click=_move,
        args=(1, count),
        width="stretch",
    )
    return position


def show_picture(found: RoundResults, framework: Framework, picture: PointPicture) -> None:
    """The point's title and statement, where the groups stand, and its status, gap,
    withheld groups, changes and the questions to discuss beside them."""
    st.title(page.escape_markdown(picture.title), anchor=False)
    st.markdown(f"*{page.escape_markdown(picture.statement)}*")
    chart_column, words_column = st.columns([3, 2], gap="large")
    with chart_column:
        st.plotly_chart(
            meeting_charts.group_positions(found.summary, framework, picture.key),
            key="meeting_group_positions",
            config=CHART_CONFIG,
            theme=None,
        )
    with words_column:
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
            st.info(page.escape_markdown(sentence), icon=":material/visibility_off:")
        for sentence in picture.small_groups:
            st.markdown(f":material/error_outline: {page.escape_markdown(sentence)}")
        for sentence in picture.changes:
            st.markdown(f"- {page.escape_markdown(sentence)}")
        st.subheader("To discuss", anchor=False)
        for prompt in picture.prompts:
            st.markdown(f"- **{page.escape_markdown(prompt)}**")


def show_comments(picture: PointPicture) -> None:
    """Each shown group's comments in a box of its own, as plain text."""
    st.subheader("What people wrote", anchor=False)
    if not picture.comments:
        st.write("No comments on this learning point from the groups shown.")
        return
    for column, (group_name, texts) in zip(
        st.columns(len(picture.comments)), picture.comments, strict=True
    ):
        with column.container(border=True):
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
    """The meeting pack and its workbook, each built only when it is downloaded."""
    st.subheader("Meeting pack", anchor=False)
    st.caption(
        "One file to share or print after the meeting: every learning point, the trends, who "
        "took part and the agreed actions. It opens without an internet connection."
    )
    pack_column, workbook_column, _ = st.columns([1, 1, 2])
    pack_column.download_button(
        "Meeting pack (HTML)",
        data=lambda: pack.build_meeting_pack(
            db, framework=framework, round_name=round_name, min_group_size=k
        ),
        file_name=exports.export_file_name(what="meeting-pack", round_name=round_name, fmt="html"),
        mime="text/html",
        key="meeting_pack_download",
        icon=":material/description:",
        on_click="ignore",
    )
    workbook_column.download_button(
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
    )
