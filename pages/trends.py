"""Trends: how each group's view of each learning point moved across rounds, and whether
the groups are coming closer together or drifting apart."""

import pandas as pd
import streamlit as st

from collab.present import meeting_charts
from collab.stats import readings, trends
from collab.web import cache, page, session

session.start_run()
session.require_leadership("Trends")

framework = session.framework()
st.title("Trends across rounds")
page.demo_banner()

found = cache.alliance_trends()
if not found.rounds:
    st.info(
        "No round has results to compare yet. A round's results appear here once it "
        "closes (or while an administrator has its live results switched on).",
        icon=":material/timeline:",
    )
    st.stop()

left_out = "; ".join(f"{name} ({why})" for name, why in found.left_out.items())
st.caption(
    page.escape_markdown(
        f"Rounds shown: {', '.join(found.rounds)}"
        + (f" · not shown: {left_out}" if left_out else "")
        + " · a break in a line is a round in which that group had too few responses "
        "to show; it is never filled in"
    )
)
st.plotly_chart(
    meeting_charts.trend_small_multiples(found, framework),
    key="trends_small_multiples",
    config={"displaylogo": False},
    theme=None,
)

st.subheader("Is the gap between the groups closing?", anchor=False)
gap_table = pd.DataFrame(
    {
        "Learning point": [framework.point(k).title for k in found.gap_trend["learning_point"]],
        "From round": found.gap_trend["first_round"],
        "Gap then": [readings.number_text(g) for g in found.gap_trend["first_gap"]],
        "To round": found.gap_trend["last_round"],
        "Gap now": [readings.number_text(g) for g in found.gap_trend["last_gap"]],
        "Direction": [trends.direction_label(d) for d in found.gap_trend["direction"]],
    }
)
st.dataframe(gap_table, hide_index=True, key="trends_gap_table")
st.caption(
    "The gap is the distance between the highest and the lowest group average. It counts "
    "as converging or diverging when it changed by more than 0.05 between the first and "
    "the last round that have one."
)
