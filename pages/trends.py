"""Trends: how each group's view of each learning point moved across rounds, and whether
the groups are coming closer together or drifting apart."""

import pandas as pd
import streamlit as st

from collab.present import meeting_charts
from collab.stats import privacy, readings, trends
from collab.store.framework import load_framework
from collab.web import ui


@st.cache_data(ttl=ui.CACHED_READ_SECONDS, show_spinner=False)
def load_trends(
    database_url: str, framework_path: str, min_group_size: int, answers_version: int
) -> trends.Trends:
    return trends.alliance_trends(
        ui.get_db(), framework=load_framework(framework_path), min_group_size=min_group_size
    )


framework = ui.get_framework()
settings = ui.get_settings()
st.title("Trends across rounds")
ui.demo_banner()

found = load_trends(
    settings.database_url,
    str(settings.framework_path),
    privacy.min_group_size_from_settings(settings),
    ui.answers_version(),
)
if not found.rounds:
    st.info(
        "No round has results to compare yet. A round's results appear here once it "
        "closes (or while an administrator has its live results switched on).",
        icon=":material/timeline:",
    )
    st.stop()

left_out = "; ".join(f"{name} ({why})" for name, why in found.left_out.items())
st.caption(
    ui.escape_markdown(
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
