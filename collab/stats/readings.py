"""Plain-language readings of the figures, written for a leadership team, not statisticians.

Pure functions: each takes numbers from ``collab.stats.results`` frames and returns a short
sentence (or a small table of figure, value and reading). A missing value (NaN or None)
never becomes a number: the reading says that there is nothing to read.
"""

from __future__ import annotations

import math

import pandas as pd

from collab.store.framework import Framework

STATUS_LABELS = {
    "divergent": "Groups diverge",
    "some_divergence": "Some divergence",
    "shared": "Shared view",
    "insufficient": "Not enough groups to compare",
}
# Badge colours for the statuses (streamlit badge colour names); always shown with the label.
STATUS_COLOURS = {
    "divergent": "orange",
    "some_divergence": "violet",
    "shared": "blue",
    "insufficient": "gray",
}
# Icons so that a status never relies on colour alone.
STATUS_ICONS = {
    "divergent": ":material/call_split:",
    "some_divergence": ":material/swap_horiz:",
    "shared": ":material/handshake:",
    "insufficient": ":material/remove:",
}
LOW_POWER = "with groups this small, a real difference can go undetected"
NOT_COMPARED = "Not computed: fewer than two groups can be shown."
STEADY_WITHIN = 0.05
TABLE_COLUMNS = ["Figure", "Value", "What it means"]


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas' NA."""
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def number_text(value: object, digits: int = 1) -> str:
    """A figure as text with ``digits`` decimals, or an em dash when it is missing."""
    return "—" if is_missing(value) else f"{float(value):.{digits}f}"


def p_value_text(p_value: object) -> str:
    """A p-value as people quote it: "p = 0.31", "p = 0.012", "p < 0.001"."""
    if is_missing(p_value):
        return "p not computed"
    p = float(p_value)
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def in_sentence(name: str) -> str:
    """Text as it reads mid-sentence ("Service providers" -> "service providers").

    Only a capital followed by a small letter is lowered, so "NHS staff" stays as it is.
    """
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        return name[0].lower() + name[1:]
    return name


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def status_label(status: str) -> str:
    """The badge text of a learning point's status."""
    return STATUS_LABELS.get(status, status)


def status_reading(status: str, *, framework: Framework) -> str:
    """What a status means, with the framework's thresholds."""
    t = framework.thresholds
    return {
        "divergent": f"The group averages are {t.divergent_gap:.1f} points or more apart.",
        "some_divergence": (
            f"The group averages are between {t.some_divergence_gap:.1f} and "
            f"{t.divergent_gap:.1f} points apart."
        ),
        "shared": f"The group averages are less than {t.some_divergence_gap:.1f} points apart.",
        "insufficient": "Fewer than two groups have enough responses to compare.",
    }.get(status, "")


def consensus_words(consensus: object, *, split_below: float = 0.5) -> str:
    """How far a group agrees with itself, without naming the group."""
    if is_missing(consensus):
        return "no agreement figure to show"
    value = float(consensus)
    if value >= 0.8:
        return "answers closely agree"
    if value >= 0.65:
        return "answers mostly agree"
    if value >= split_below:
        return "answers vary"
    return "answers are split, towards both ends of the scale"


def consensus_reading(group_name: str, consensus: object, *, split_below: float = 0.5) -> str:
    """How far a group agrees with itself (consensus 1 = all the same score, 0 = two camps)."""
    return f"{group_name}: {consensus_words(consensus, split_below=split_below)}"


def gap_reading(gap: object, rank: int | None, total: int | None) -> str:
    """The gap between the highest and lowest group average, and its place this round."""
    if is_missing(gap):
        return "Not enough groups to compare"
    points = "point" if abs(float(gap)) == 1 else "points"
    text = f"A gap of {float(gap):.2f} {points}"
    if rank is None or total is None or total < 2:
        return text
    if rank == 1:
        return f"{text}: the largest this round"
    if rank == total:
        return f"{text}: the smallest this round"
    return f"{text}: the {_ordinal(rank)} largest of {total} this round"


def withheld_reading(group_name: str, k: int, *, reason: str | None = None) -> str:
    """Why a group's figures are not shown; ``reason`` is the summary's, when it has one."""
    if reason and reason != f"fewer than {k} responses":
        return f"Not shown for {in_sentence(group_name)}: {reason}"
    return f"Too few responses from {in_sentence(group_name)} to show (fewer than {k})"


def withheld_overview(summary: pd.DataFrame, *, framework: Framework, k: int) -> list[str]:
    """One sentence per group with withheld figures, naming the learning points affected."""
    if summary.empty:
        return []
    sentences = []
    points_total = summary["learning_point"].nunique()
    for group in framework.group_keys:
        rows = summary[(summary["group"] == group) & summary["suppressed"].astype(bool)]
        if rows.empty:
            continue
        name = framework.group_name(group)
        reasons = list(dict.fromkeys(rows["reason"].astype(str)))
        reading = withheld_reading(name, k, reason=reasons[0] if len(reasons) == 1 else None)
        if len(rows) == points_total:
            sentences.append(f"{reading}, on every learning point.")
        else:
            titles = ", ".join(framework.point(p).title for p in rows["learning_point"])
            sentences.append(f"{reading}, on: {titles}.")
    return sentences


def kruskal_reading(
    h: object, p_value: object, epsilon_sq: object, *, smallest_group: int | None = None
) -> str:
    """The Kruskal-Wallis test in words, always labelled as supporting evidence.

    With small groups the test has little power, so a high p-value is never read as
    "no difference".
    """
    if is_missing(h) or is_missing(p_value):
        return "Not computed: every score was the same, so there is nothing to test."
    p = float(p_value)
    size = ""
    if not is_missing(epsilon_sq):
        eps = float(epsilon_sq)
        band = "large" if eps >= 0.26 else "moderate" if eps >= 0.08 else "small"
        size = f", a {band} effect"
    caveat = LOW_POWER if smallest_group is None or smallest_group < 30 else ""
    if p < 0.05:
        text = (
            f"The groups' answers differ by more than chance would easily explain "
            f"({p_value_text(p)}{size}). Supporting evidence only: read it with the gap."
        )
    else:
        text = (
            f"No clear statistical difference ({p_value_text(p)}{size}). Supporting evidence only"
        )
        text += f": {caveat}." if caveat else "."
    return text


def mean_reading(mean: object, *, framework: Framework) -> str:
    """The scale label nearest to a group average."""
    if is_missing(mean):
        return ""
    nearest = min(framework.scale, key=lambda s: (abs(s.value - float(mean)), s.value))
    return f"Closest to '{nearest.label}'"


def median_reading(median: object, *, framework: Framework) -> str:
    """Half the answers are at or above the median."""
    if is_missing(median):
        return ""
    value = float(median)
    if value.is_integer():
        return f"Half the answers are '{framework.scale_label(int(value))}' or higher"
    return f"Half the answers are {value:.1f} or higher"


def sd_reading(sd: object) -> str:
    """How spread out the answers are (sample standard deviation, in scale points)."""
    if is_missing(sd):
        return ""
    value = float(sd)
    if value < 0.75:
        return "Answers sit close together"
    if value < 1.25:
        return "Answers are moderately spread"
    return "Answers are widely spread"


def established_reading(pct_established: object, *, framework: Framework) -> str:
    """The share (0..1) of answers at or above the framework's 'established' score."""
    if is_missing(pct_established):
        return ""
    start = framework.thresholds.established_from
    label = framework.scale_label(start)
    upper = " or higher" if start < framework.scale_max else ""
    return (
        f"{float(pct_established):.0%} answered {start}{upper} ('{label}'{upper and ' or better'})"
    )


def n_reading(n: object, n_dont_know: object, *, framework: Framework) -> str:
    """How many scores a figure rests on, and how many answered don't know."""
    if is_missing(n):
        return ""
    scores = int(n)
    text = f"Based on {scores} score{'s' if scores != 1 else ''}"
    dont_know = 0 if is_missing(n_dont_know) else int(n_dont_know)
    if dont_know:
        text += f"; {dont_know} more answered '{framework.dont_know_label}' (not counted)"
    return text


def cross_group_consensus_reading(value: object) -> str:
    """Whether every group sees the learning point as established (0..1)."""
    if is_missing(value):
        return "Not enough groups to compare"
    v = float(value)
    if v >= 0.7:
        return "Most people in every group see this as established"
    if v >= 0.4:
        return "The groups are mixed on whether this is established"
    return "In at least one group, few see this as established"


def split_within_reading(group_names: list[str]) -> str:
    """Which groups are split within themselves (consensus below the framework threshold)."""
    if not group_names:
        return "No group is split within itself"
    return "Split within: " + ", ".join(group_names)


def mean_change_reading(group_name: str, change: object, previous_round: str) -> str:
    """A group's change in average since the previous round."""
    if is_missing(change):
        return f"{group_name}: no comparison with {previous_round}"
    value = float(change)
    if abs(value) <= STEADY_WITHIN:
        return f"{group_name}: about the same as in {previous_round}"
    word = "up" if value > 0 else "down"
    return f"{group_name}: {word} {abs(value):.1f} since {previous_round}"


def gap_change_reading(gap_change: object, direction: str, previous_round: str) -> str:
    """The change in a learning point's gap since the previous round, with its direction."""
    if is_missing(gap_change):
        return f"No gap to compare with {previous_round}"
    value = abs(float(gap_change))
    if direction == "converging":
        return f"The gap narrowed by {value:.2f} since {previous_round}: converging"
    if direction == "diverging":
        return f"The gap widened by {value:.2f} since {previous_round}: diverging"
    return f"The gap is about the same as in {previous_round}: steady"


def gap_change_words(gap_change: object, direction: str) -> str:
    """A gap's change in a few words: "narrowed by 0.8: converging"."""
    if is_missing(gap_change):
        return "no gap to compare"
    value = abs(float(gap_change))
    if direction == "converging":
        return f"narrowed by {value:.2f}: converging"
    if direction == "diverging":
        return f"widened by {value:.2f}: diverging"
    return "about the same: steady"


def gap_change_table(
    gap_change: pd.DataFrame, *, framework: Framework, previous_round: str, round_name: str
) -> pd.DataFrame:
    """Each learning point's gap in the previous round and this one, and what changed."""
    order = {key: i for i, key in enumerate(framework.point_keys)}
    rows = gap_change.assign(_order=gap_change["learning_point"].map(order)).sort_values("_order")
    return pd.DataFrame(
        {
            "Learning point": [framework.point(p).title for p in rows["learning_point"]],
            f"Gap in {previous_round}": [number_text(v, 2) for v in rows["previous_gap"]],
            f"Gap in {round_name}": [number_text(v, 2) for v in rows["gap"]],
            "What changed": [
                gap_change_words(c, d)
                for c, d in zip(rows["gap_change"], rows["direction"], strict=True)
            ],
        }
    )


def gap_ranks(divergence: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """Each learning point with a gap -> (rank, number ranked); rank 1 = largest gap."""
    if divergence.empty:
        return {}
    ranked = divergence[divergence["status"] != "insufficient"].dropna(subset=["gap"])
    ranked = ranked.sort_values("gap", ascending=False, kind="stable")
    total = len(ranked)
    return {p: (i, total) for i, p in enumerate(ranked["learning_point"], start=1)}


def _with_value(value: str, reading: str) -> str:
    return f"{value}: {in_sentence(reading)}" if reading else value


def group_statistics_grid(rows: pd.DataFrame, *, framework: Framework) -> pd.DataFrame:
    """The figures of each group on one learning point, with a reading in every cell.

    ``rows`` are the ``summary`` rows of one learning point. Columns: ``Figure`` and one
    per group (display name, framework order); a withheld group's column says why in its
    first cell and holds no figure.
    """
    split = framework.thresholds.split_consensus
    figures = [
        "Responses (n)",
        "Average (mean)",
        "Middle answer (median)",
        "Spread (standard deviation)",
        f"Share established ({framework.thresholds.established_from} or higher)",
        "Agreement within the group (consensus, 0-1)",
    ]
    grid = {"Figure": figures}
    for _, row in rows.iterrows():
        name = framework.group_name(str(row["group"]))
        if bool(row["suppressed"]):
            reason = str(row.get("reason") or "").strip()
            first = f"Withheld: {reason}" if reason else "Withheld"
            grid[name] = [first] + ["—"] * (len(figures) - 1)
            continue
        grid[name] = [
            n_reading(row["n"], row["n_dont_know"], framework=framework),
            _with_value(number_text(row["mean"]), mean_reading(row["mean"], framework=framework)),
            _with_value(
                number_text(row["median"]), median_reading(row["median"], framework=framework)
            ),
            _with_value(number_text(row["sd"], 2), sd_reading(row["sd"])),
            established_reading(row["pct_established"], framework=framework),
            _with_value(
                number_text(row["consensus"], 2),
                consensus_words(row["consensus"], split_below=split),
            ),
        ]
    return pd.DataFrame(grid)


def point_statistics_table(
    row: pd.Series,
    *,
    framework: Framework,
    rank: tuple[int, int] | None = None,
    smallest_group: int | None = None,
) -> pd.DataFrame:
    """A learning point's between-group figures with a reading beside each.

    ``row`` is a row of the results ``divergence``; ``rank`` is (rank, total) from
    ``gap_ranks``; ``smallest_group`` the fewest scores among the shown groups.
    """
    split_names = [framework.group_name(g) for g in (row["split_within"] or [])]
    h, p, eps = row["kruskal_h"], row["p_value"], row["epsilon_sq"]
    test_value = (
        "—"
        if is_missing(h) or is_missing(p)
        else f"H = {float(h):.2f}, {p_value_text(p)}, ε² = {number_text(eps, 2)}"
    )
    lines = [
        ["Status", status_label(row["status"]), status_reading(row["status"], framework=framework)],
        [
            "Gap between highest and lowest group average",
            number_text(row["gap"]),
            gap_reading(row["gap"], *(rank or (None, None))),
        ],
        [
            "Average over the groups shown",
            number_text(row["all_mean"]),
            mean_reading(row["all_mean"], framework=framework),
        ],
        [
            "Agreement across groups that this is established (0-1)",
            number_text(row["cross_group_consensus"], 2),
            cross_group_consensus_reading(row["cross_group_consensus"]),
        ],
        [
            "Groups split within themselves",
            ", ".join(split_names) or "none",
            split_within_reading(split_names),
        ],
        [
            "Kruskal-Wallis test (supporting evidence only)",
            test_value,
            NOT_COMPARED
            if row["status"] == "insufficient"
            else kruskal_reading(h, p, eps, smallest_group=smallest_group),
        ],
    ]
    return pd.DataFrame(lines, columns=TABLE_COLUMNS)


def status_overview(divergence: pd.DataFrame, *, framework: Framework) -> list[tuple[str, str]]:
    """(status, learning points in words) for each status that occurs, most divergent first.

    Within a status the points run from the largest gap down, each with its gap, e.g.
    ``("divergent", "Be realistic (gap 1.2), Stay focused (gap 1.0)")``.
    """
    lines = []
    for status in STATUS_LABELS:
        rows = divergence[divergence["status"] == status]
        if rows.empty:
            continue
        rows = rows.assign(_order=rows["learning_point"].map(framework.point_keys.index))
        rows = rows.sort_values(["gap", "_order"], ascending=[False, True], na_position="last")
        points = [
            framework.point(row.learning_point).title
            + ("" if is_missing(row.gap) else f" (gap {float(row.gap):.2f})")
            for row in rows.itertuples(index=False)
        ]
        lines.append((status, ", ".join(points)))
    return lines
