"""Participation: who answered each round, against the numbers expected, so that a group
too small to show is noticed before anyone reads the results."""

import pandas as pd
import streamlit as st

from collab.domain import rounds
from collab.domain.access import ADMIN
from collab.domain.expected import save_expected_participation
from collab.present import meeting_charts
from collab.stats import participation
from collab.store.errors import CollabError
from collab.web import cache, choosers, page, session, signing_in

session.start_run()
signing_in.require_leadership("Participation")

ROUND_KEY = "participation_round"
EDITOR_KEY = "participation_expected_editor"
SAVED_KEY = "participation_expected_saved"

framework = session.framework()
db = cache.database()
k = session.min_group_size()
st.title("Who took part")
page.demo_banner()

choices = rounds.list_rounds(db)
if not choices:
    st.info(
        "No round yet. An administrator creates and opens a round on the Administration "
        "page; the number of people who answered appears here as soon as they do.",
        icon=":material/hourglass_empty:",
    )
else:
    first = choosers.default_round(choices, open_first=True) or choices[-1]
    chosen = choosers.choose_round(choices, first=first, key=ROUND_KEY)
    taking_part = cache.round_participation(chosen.name, exact_counts=session.role() == ADMIN)
    flagged = taking_part.flagged_groups
    for row in flagged.itertuples(index=False):
        st.warning(
            page.escape_markdown(f"{row.group_name}: {row.flag}"), icon=":material/group_off:"
        )
    if flagged.empty and taking_part.total_responses:
        st.success(
            "Every group has enough people taking part for its results to be shown. On a "
            "single learning point a group's figures are still withheld when fewer than "
            f"{taking_part.min_group_size} of its people gave a score there."
        )

    columns = st.columns(len(taking_part.by_group) + 1)
    columns[0].metric("People who answered", taking_part.total_responses, border=True)
    for column, row in zip(columns[1:], taking_part.by_group.itertuples(index=False), strict=True):
        expected = "" if pd.isna(row.expected) else f"of {int(row.expected)} expected"
        column.metric(
            row.group_name,
            int(row.responses),
            expected or None,
            border=True,
            delta_color="off",
            delta_arrow="off",
        )
    if taking_part.through_shared_codes:
        st.caption(page.escape_markdown(participation.shared_codes_text(taking_part)))
    st.plotly_chart(
        meeting_charts.participation_bars(taking_part.by_group, min_group_size=k),
        key="participation_bars",
        config={"displaylogo": False},
        theme=None,
    )

    st.subheader("By organisation", anchor=False)
    if not taking_part.exact_counts:
        fewer = participation.fewer_than(taking_part.min_group_size)
        st.caption(
            "Group totals are exact. An organisation's count below "
            f'{taking_part.min_group_size} reads "{fewer}", so that nobody can be picked '
            'out; a count beside it may read "not shown" so that it cannot be worked out '
            "from the total."
        )
    st.dataframe(
        taking_part.by_organisation[
            [
                "organisation",
                "group_name",
                "responses_text",
                "expected",
                "response_rate_text",
                "below_expected",
            ]
        ],
        hide_index=True,
        key="participation_by_organisation",
        column_config={
            "organisation": "Organisation",
            "group_name": "Group",
            "responses_text": st.column_config.TextColumn("Responses", alignment="right"),
            "expected": "Expected",
            # Wide enough for "more than expected (12 of 9)".
            "response_rate_text": st.column_config.TextColumn(
                "Response rate", alignment="right", width=220
            ),
            "below_expected": st.column_config.CheckboxColumn("Below expected"),
        },
    )

    st.subheader("Across rounds", anchor=False)
    over_rounds = participation.participation_over_rounds(db, framework=framework)
    st.dataframe(
        over_rounds.pivot(index="round", columns="group_name", values="responses")
        .reindex(
            index=[r.name for r in choices],
            columns=list(dict.fromkeys(over_rounds["group_name"])),
        )
        .reset_index()
        .rename(columns={"round": "Round"}),
        hide_index=True,
        key="participation_over_rounds",
    )

if session.role() == ADMIN:
    st.subheader("Expected responses", anchor=False)
    table = participation.expected_table(db, framework=framework)
    if table.empty:
        st.info(
            "Add member organisations on the Administration page first; then set here how "
            "many responses you expect from each of their groups.",
            icon=":material/domain_add:",
        )
    else:
        st.caption(
            "How many people you expect to answer from each organisation's group. Leave a "
            "cell empty for no number. Groups below their number are flagged above."
        )
        edited = st.data_editor(
            table,
            key=EDITOR_KEY,
            hide_index=True,
            disabled=["organisation", "stakeholder_group", "group_name"],
            column_order=["organisation", "group_name", "expected"],
            column_config={
                "organisation": "Organisation",
                "group_name": "Group",
                "expected": st.column_config.NumberColumn(
                    "Expected responses", min_value=0, step=1, format="%d"
                ),
            },
        )
        if st.button("Save expected numbers", key="participation_expected_save"):
            try:
                changed = save_expected_participation(
                    db, actor=session.role(), framework=framework, table=edited
                )
            except CollabError as exc:
                page.show_error(exc)
            else:
                cache.clear()
                st.session_state[SAVED_KEY] = (
                    f"Saved: {changed} number{'s' if changed != 1 else ''} changed."
                )
                st.rerun()
        if saved := st.session_state.pop(SAVED_KEY, None):
            st.success(saved, icon=":material/check:")
