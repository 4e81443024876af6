"""Meeting mode: the leadership team takes the learning points one screen at a time,
discusses them on a shared screen and records what it agrees to do."""

import streamlit as st

from collab.domain import actions, rounds
from collab.domain.access import ADMIN, LEADERSHIP
from collab.domain.organisations import list_organisations
from collab.files import exports
from collab.present import charts, meeting_charts, pack
from collab.stats import privacy, readings
from collab.stats.participation import round_participation
from collab.store.errors import CollabError
from collab.web import cache, choosers, leadership, page, session

session.start_run()

ROUND_KEY = "meeting_round"
ORDER_KEY = "meeting_order"
POSITION_KEY = "meeting_position"
RESULT_KEY = "meeting_action_result"
DESCRIPTION_KEY = "meeting_action_description"
LEAD_KEY = "meeting_action_lead"
DUE_KEY = "meeting_action_due"
NO_LEAD = ""

framework = session.framework()
if session.role() not in (LEADERSHIP, ADMIN):
    st.title("Meeting mode")
    st.warning("Meeting mode is for the leadership team. Sign in to use it.")
    st.stop()

db = cache.database()
settings = session.settings()
k = privacy.min_group_size_from_settings(settings)
choices = rounds.list_rounds(db)
if not choices:
    st.title("Meeting mode")
    st.info(
        "There is no round to discuss yet. An administrator creates and opens a round on "
        "the Administration page; once members have answered and the round has closed, "
        "its results can be discussed here.",
        icon=":material/hourglass_empty:",
    )
    st.stop()
st.session_state.setdefault(POSITION_KEY, 0)


def restart() -> None:
    st.session_state[POSITION_KEY] = 0


def move(step: int, count: int) -> None:
    st.session_state[POSITION_KEY] = min(max(st.session_state[POSITION_KEY] + step, 0), count - 1)


# The choices live in the sidebar, which can be folded away on the shared screen.
by_name = {r.name: r for r in choices}
names = list(reversed(by_name))
first = choosers.default_round(choices)
with st.sidebar:
    st.subheader("Meeting mode", anchor=False)
    round_name = st.selectbox(
        "Round",
        names,
        index=names.index(first.name),
        format_func=lambda name: choosers.round_label(by_name[name]),
        key=ROUND_KEY,
        on_change=restart,
    )
    order = st.radio(
        "Order of the learning points",
        list(pack.ORDERS),
        format_func=pack.ORDERS.get,
        key=ORDER_KEY,
        on_change=restart,
    )
st.caption(
    page.escape_markdown(
        f"Meeting mode · {choosers.round_label(by_name[round_name])} · "
        f"{pack.ORDERS[order].lower()} · figures of fewer than {k} responses are withheld"
    )
)
page.demo_banner()

taking_part = round_participation(db, framework=framework, round_name=round_name, min_group_size=k)
for row in taking_part.flagged_groups.itertuples(index=False):
    st.warning(page.escape_markdown(f"{row.group_name}: {row.flag}"), icon=":material/group_off:")

view = cache.ResultsView(
    round_name, tuple(framework.group_keys), (), choosers.round_label(by_name[round_name])
)
found = cache.round_results(view)
if leadership.show_unavailable(found, framework):
    st.stop()

keys = pack.learning_point_order(found.divergence, framework=framework, by=order)
position = min(st.session_state[POSITION_KEY], len(keys) - 1)
point = keys[position]
picture = pack.point_picture(found, framework=framework, learning_point=point)

back, where, forward = st.columns([1, 4, 1], vertical_alignment="center")
back.button(
    "Previous",
    key="meeting_previous",
    icon=":material/arrow_back:",
    disabled=position == 0,
    on_click=move,
    args=(-1, len(keys)),
    width="stretch",
)
where.progress((position + 1) / len(keys), text=f"Learning point {position + 1} of {len(keys)}")
forward.button(
    "Next",
    key="meeting_next",
    icon=":material/arrow_forward:",
    disabled=position == len(keys) - 1,
    on_click=move,
    args=(1, len(keys)),
    width="stretch",
)

st.title(page.escape_markdown(picture.title), anchor=False)
st.markdown(f"*{page.escape_markdown(picture.statement)}*")
chart_column, words_column = st.columns([3, 2], gap="large")
with chart_column:
    st.plotly_chart(
        meeting_charts.group_positions(found.summary, framework, point),
        key="meeting_group_positions",
        config={"displaylogo": False},
        theme=None,
    )
with words_column:
    st.badge(
        picture.status_label,
        color=readings.STATUS_COLOURS.get(picture.status, "gray"),
        icon=readings.STATUS_ICONS.get(picture.status),
    )
    st.subheader(page.escape_markdown(picture.gap_text), anchor=False)
    st.write(page.escape_markdown(picture.status_reading))
    for sentence in picture.withheld:
        st.info(page.escape_markdown(sentence), icon=":material/visibility_off:")
    for sentence in picture.changes:
        st.markdown(f"- {page.escape_markdown(sentence)}")
    st.subheader("To discuss", anchor=False)
    for prompt in picture.prompts:
        st.markdown(f"- **{page.escape_markdown(prompt)}**")

st.subheader("What people wrote", anchor=False)
if picture.comments:
    for column, (group_name, texts) in zip(
        st.columns(len(picture.comments)), picture.comments, strict=True
    ):
        with column.container(border=True):
            st.markdown(f"**{page.escape_markdown(group_name)}**")
            for text in texts:
                st.text(text)
else:
    st.write("No comments on this learning point from the groups shown.")

with st.expander("How the answers were spread, and the figures behind this picture"):
    st.plotly_chart(
        charts.distribution_bars(found.summary, framework, point),
        key="meeting_distribution",
        config={"displaylogo": False},
        theme=None,
    )
    if picture.point_table is not None:
        st.table(picture.point_table, hide_index=True)
    if picture.group_grid is not None:
        st.table(picture.group_grid, hide_index=True)

st.subheader("Agreed actions", anchor=False)
agreed = actions.list_actions(db, up_to_round=round_name, learning_point=point)
if agreed.empty:
    st.write("No actions agreed on this learning point yet.")
else:
    shown = agreed.assign(status=[actions.status_name(s) for s in agreed["status"]])
    edited = st.data_editor(
        shown[["round", "description", "lead_organisation", "due_on", "status"]],
        key=f"meeting_actions_{point}",
        hide_index=True,
        disabled=["round", "description", "lead_organisation", "due_on"],
        column_config={
            "round": "Round",
            "description": st.column_config.TextColumn("Action", width="large"),
            "lead_organisation": "Lead",
            "due_on": st.column_config.DateColumn("Due", format="D MMM YYYY"),
            "status": st.column_config.SelectboxColumn(
                "Status", options=list(actions.STATUS_NAMES.values()), required=True
            ),
        },
    )
    status_keys = {name: key for key, name in actions.STATUS_NAMES.items()}
    changed = [
        (int(action_id), status_keys[new])
        for action_id, old, new in zip(agreed["id"], shown["status"], edited["status"], strict=True)
        if new != old
    ]
    if st.button("Save status changes", key="meeting_actions_save", disabled=not changed):
        try:
            for action_id, status in changed:
                actions.update_action_status(db, action_id=action_id, status=status)
        except CollabError as exc:
            page.show_error(exc)
        else:
            cache.clear()
            st.rerun()


def record() -> None:
    """Store the action typed in the form (runs before the page is drawn again)."""
    lead = st.session_state.get(LEAD_KEY) or None
    try:
        actions.record_action(
            db,
            round_name=round_name,
            learning_point=point,
            description=st.session_state.get(DESCRIPTION_KEY) or "",
            lead_organisation=lead,
            due_on=st.session_state.get(DUE_KEY),
            framework=framework,
        )
    except CollabError as exc:
        st.session_state[RESULT_KEY] = ("error", str(exc))
        return
    cache.clear()
    st.session_state[RESULT_KEY] = ("success", "Action recorded.")


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
        "Record action", key="meeting_action_submit", icon=":material/add_task:", on_click=record
    )
outcome = st.session_state.pop(RESULT_KEY, None)
if outcome and outcome[0] == "error":
    st.error(page.escape_markdown(outcome[1]), icon=":material/error:")
elif outcome:
    st.success(outcome[1], icon=":material/task_alt:")

st.divider()
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
    file_name=exports.export_file_name(what="meeting-figures", round_name=round_name, fmt="xlsx"),
    mime=exports.MIME_TYPES["xlsx"],
    key="meeting_workbook_download",
    icon=":material/table:",
    on_click="ignore",
)
