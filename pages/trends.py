"""Trends: how each group's view of each learning point moved across rounds, and whether
the groups are coming closer together or drifting apart."""

import streamlit as st

from collab.present import meeting_charts
from collab.stats import readings
from collab.web import cache, page, session, signing_in

session.start_run()
signing_in.require_leadership("Trends")

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
        + " · a break in a line is a round in which that group had too few scores "
        "to show; it is never filled in"
    )
)
st.plotly_chart(
    meeting_charts.trend_small_multiples(found, framework),
    key="trends_small_multiples",
    config={"displaylogo": False},
    theme=None,
)
note = readings.trend_groups_note(found.gap_trend, framework=framework)
if note:
    st.caption(page.escape_markdown(note))

st.subheader("Is the gap between the groups closing?", anchor=False)
st.table(readings.gap_trend_table(found.gap_trend, framework=framework), hide_index=True)
st.caption(
    "The gap is the distance between the highest and the lowest group average. Both gaps "
    "are over the same groups: those shown in both the first and the last round that have "
    "one. It counts as converging or diverging only when the change is larger than chance "
    "could easily give (its 95% bootstrap interval excludes 0); otherwise it is about the same."
)
