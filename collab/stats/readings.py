"""Plain-language readings of the figures, written for a leadership team, not statisticians.

Pure functions: each takes numbers from ``collab.stats.results`` frames and returns a short
sentence (or a small table of figure, value and reading). A missing value (NaN or None)
never becomes a number: the reading says that there is nothing to read.
"""

from __future__ import annotations

import math

import pandas as pd

from collab.stats.analysis import GAP_DECIMALS
from collab.stats.privacy import too_few_reason
from collab.store.framework import Framework
from collab.store.types import Cell

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
# Below this many scores in a group, a test result is only a hint (see analysis.p_method).
SMALL_GROUP = 10
LEVEL_BAND_LABELS = {
    "strength": "A strength",
    "developing": "Developing",
    "concern": "A concern",
    "": "No level to show",
}
TABLE_COLUMNS = ["Figure", "Value", "What it means"]


def is_missing(value: Cell) -> bool:
    """True for None, NaN and pandas' NA."""
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def number_text(value: Cell, digits: int = 1) -> str:
    """A figure as text with ``digits`` decimals, or an em dash when it is missing."""
    return "—" if is_missing(value) else f"{float(value):.{digits}f}"


def gap_text(gap: Cell) -> str:
    """A gap as shown everywhere: two decimals ("0.74"), or an em dash when missing.

    The one formatter for gaps; statuses are decided on the same rounding
    (``analysis.divergence_status``), so a badge and its gap always agree.
    """
    return number_text(gap, GAP_DECIMALS)


def change_text(change: Cell) -> str:
    """A change (in a gap or a mean) without its sign, with a gap's two decimals."""
    return "—" if is_missing(change) else gap_text(abs(float(change)))


def names_text(names: list[str]) -> str:
    """Names joined as in a sentence: "a", "a and b", "a, b and c"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def groups_text(groups: list[str], *, framework: Framework) -> str:
    """Group keys as their names mid-sentence ("commissioners and service providers")."""
    return names_text([in_sentence(framework.group_name(g)) for g in groups])


def _text(value: Cell) -> str:
    """A text cell as it is, or "" when missing."""
    return "" if is_missing(value) else str(value)


def _groups(value: Cell) -> list[str]:
    """A list of group keys from a frame cell (a list, or missing)."""
    return [str(g) for g in value] if isinstance(value, (list, tuple)) else []


def p_value_text(p_value: Cell) -> str:
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
        "insufficient": "Fewer than two groups have enough scores to compare.",
    }.get(status, "")


def status_scope(row: pd.Series | dict, *, framework: Framework) -> str:
    """Which groups a status covers, when a selected group is withheld ("" otherwise).

    E.g. "between commissioners and service providers; lived experience withheld". A
    status shown without this beside a withheld group would overstate what is known.
    """
    withheld = _groups(row.get("groups_withheld"))
    if not withheld:
        return ""
    shown = _groups(row.get("groups_shown"))
    withheld_part = f"{groups_text(withheld, framework=framework)} withheld"
    if len(shown) >= 2:
        return f"between {groups_text(shown, framework=framework)}; {withheld_part}"
    return withheld_part


def status_text(row: pd.Series | dict, *, framework: Framework) -> str:
    """A status with the groups it covers: "Shared view between commissioners and service
    providers; lived experience withheld", or the plain label when nothing is withheld."""
    label = status_label(str(row["status"]))
    scope = status_scope(row, framework=framework)
    if not scope:
        return label
    separator = " " if scope.startswith("between") else ": "
    return f"{label}{separator}{scope}"


def level_band_label(band: Cell) -> str:
    """A level band in words ("concern" -> "A concern")."""
    return LEVEL_BAND_LABELS.get("" if is_missing(band) else str(band), str(band))


def who_is_where(row: pd.Series | dict, *, framework: Framework) -> str:
    """Which shown group is highest and which lowest, with their averages.

    E.g. "commissioners highest (4.00), lived experience lowest (2.50)"; "" without a gap.
    """
    highest, lowest = row.get("highest_group"), row.get("lowest_group")
    if is_missing(row.get("gap")) or not highest or not lowest or is_missing(highest):
        return ""
    if float(row["gap"]) == 0:
        return "every group shown has the same average"
    high_name = in_sentence(framework.group_name(str(highest)))
    low_name = in_sentence(framework.group_name(str(lowest)))
    return (
        f"{high_name} highest ({number_text(row.get('highest_mean'), 2)}), "
        f"{low_name} lowest ({number_text(row.get('lowest_mean'), 2)})"
    )


def highest_and_lowest(row: pd.Series | dict, *, framework: Framework) -> tuple[str, str]:
    """The highest and the lowest shown group of a learning point with their averages, each
    short enough for a table cell ("Commissioners (3.92)"); both "" without a gap, and
    ("Every group shown (3.50)", "") when all averages are the same."""
    highest, lowest = row.get("highest_group"), row.get("lowest_group")
    if is_missing(row.get("gap")) or not highest or not lowest or is_missing(highest):
        return "", ""
    high = f"{framework.group_name(str(highest))} ({number_text(row.get('highest_mean'), 2)})"
    if float(row["gap"]) == 0:
        return f"Every group shown ({number_text(row.get('highest_mean'), 2)})", ""
    low = f"{framework.group_name(str(lowest))} ({number_text(row.get('lowest_mean'), 2)})"
    return high, low


def consensus_words(consensus: Cell, *, split_below: float = 0.5) -> str:
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


def consensus_reading(group_name: str, consensus: Cell, *, split_below: float = 0.5) -> str:
    """How far a group agrees with itself (consensus 1 = all the same score, 0 = two camps)."""
    return f"{group_name}: {consensus_words(consensus, split_below=split_below)}"


def gap_reading(
    gap: Cell, rank: int | None = None, total: int | None = None, *, where: str = ""
) -> str:
    """The gap between the highest and lowest group average, its place this round and
    who is highest and lowest.

    ``where`` (from ``who_is_where``) names the highest and lowest group, e.g. "A gap of
    1.50 points, the largest this round: commissioners highest (4.00), lived experience
    lowest (2.50)".
    """
    if is_missing(gap):
        return "Not enough groups to compare"
    points = "point" if gap_text(gap) == "1.00" else "points"
    text = f"A gap of {gap_text(gap)} {points}"
    place = ""
    if rank is not None and total is not None and total >= 2:
        if rank == 1:
            place = "the largest this round"
        elif rank == total:
            place = "the smallest this round"
        else:
            place = f"the {_ordinal(rank)} largest of {total} this round"
    if where:
        return f"{text}, {place}: {where}" if place else f"{text}: {where}"
    return f"{text}: {place}" if place else text


def withheld_reading(
    group_name: str,
    k: int,
    *,
    reason: str | None = None,
    people: int | None = None,
    on_point: bool = True,
) -> str:
    """Why a group's figures are not shown; ``reason`` is the summary's, when it has one.

    Scores are answers to one point, people are who took part: with ``people`` (the
    group's respondents in the round, a count that is always shown) the reading says
    that most of them gave no score on this point.
    """
    name = in_sentence(group_name)
    if reason and reason != too_few_reason(k):
        return f"Not shown for {name}: {reason}"
    where = " on this point" if on_point else ""
    if people is not None and people >= k:
        return (
            f"Too few scores from {name}{where} to show: fewer than {k} of the {people} "
            f"people who took part gave a score (the others answered "
            f"'don't know' or left it blank)"
        )
    return f"Too few scores from {name}{where} to show (fewer than {k})"


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
        reading = withheld_reading(
            name, k, reason=reasons[0] if len(reasons) == 1 else None, on_point=False
        )
        if len(rows) == points_total:
            sentences.append(f"{reading}, on every learning point.")
        else:
            titles = ", ".join(framework.point(p).title for p in rows["learning_point"])
            sentences.append(f"{reading}, on: {titles}.")
    return sentences


def _is_small(smallest_group: int | None, p_method: str) -> bool:
    return p_method == "permutation" or (
        smallest_group is not None and smallest_group < SMALL_GROUP
    )


def kruskal_reading(
    h: Cell,
    p_value: Cell,
    epsilon_sq: Cell,
    *,
    smallest_group: int | None = None,
    p_method: str | None = None,
    figures: bool = True,
) -> str:
    """The Kruskal-Wallis test in words, always labelled as supporting evidence.

    With small groups the test has little power, so a high p-value is never read as
    "no difference". When any group has fewer than 10 scores (``p_method`` is
    ``permutation``, or ``smallest_group`` is below 10) the result is only a hint: a low
    p-value is not read as a real difference and no effect size is named, since epsilon
    squared of a handful of scores says little. ``figures=False`` gives the same words
    without the p-value and effect size (for the plain reading shown in front).
    """
    if is_missing(h) or is_missing(p_value):
        return "Not computed: every score was the same, so there is nothing to test."
    p = float(p_value)
    small = _is_small(smallest_group, p_method or "")
    if small:
        source = f" ({p_value_text(p)}, from reshuffling the scores between the groups)"
        source = source if figures else ""
        if p < 0.05:
            return (
                f"A hint that the groups answer differently{source}. Only a hint: with "
                "groups this small, read it with the gap, never on its own."
            )
        return f"No clear hint of a difference{source}. Only a hint: {LOW_POWER}."
    size = ""
    if not is_missing(epsilon_sq):
        eps = float(epsilon_sq)
        band = "large" if eps >= 0.26 else "moderate" if eps >= 0.08 else "small"
        size = f", a {band} effect"
    numbers = f" ({p_value_text(p)}{size})" if figures else ""
    caveat = LOW_POWER if smallest_group is None or smallest_group < 30 else ""
    if p < 0.05:
        text = (
            f"The groups' answers differ by more than chance would easily explain"
            f"{numbers}. Supporting evidence only: read it with the gap."
        )
    else:
        text = f"No clear statistical difference{numbers}. Supporting evidence only"
        text += f": {caveat}." if caveat else "."
    return text


def chance_value(p_value: Cell, *, smallest_group: int | None, p_method: str | None) -> str:
    """A few words on whether chance could explain the gap, for the plain table's value."""
    if is_missing(p_value):
        return "—"
    small = _is_small(smallest_group, p_method or "")
    if float(p_value) < 0.05:
        return "A hint of a difference" if small else "Unlikely to be chance alone"
    return "No clear hint" if small else "Chance could explain it"


def mean_reading(mean: Cell, *, framework: Framework) -> str:
    """The scale label nearest to a group average."""
    if is_missing(mean):
        return ""
    nearest = min(framework.scale, key=lambda s: (abs(s.value - float(mean)), s.value))
    return f"Closest to '{nearest.label}'"


def median_reading(median: Cell, *, framework: Framework) -> str:
    """Half the answers are at or above the median."""
    if is_missing(median):
        return ""
    value = float(median)
    if value.is_integer():
        return f"Half the answers are '{framework.scale_label(int(value))}' or higher"
    return f"Half the answers are {value:.1f} or higher"


def sd_reading(sd: Cell) -> str:
    """How spread out the answers are (sample standard deviation, in scale points)."""
    if is_missing(sd):
        return ""
    value = float(sd)
    if value < 0.75:
        return "Answers sit close together"
    if value < 1.25:
        return "Answers are moderately spread"
    return "Answers are widely spread"


def established_reading(pct_established: Cell, *, framework: Framework) -> str:
    """The share (0..1) of answers at or above the framework's 'established' score."""
    if is_missing(pct_established):
        return ""
    start = framework.thresholds.established_from
    label = framework.scale_label(start)
    upper = " or higher" if start < framework.scale_max else ""
    return (
        f"{float(pct_established):.0%} answered {start}{upper} ('{label}'{upper and ' or better'})"
    )


def n_reading(n: Cell, n_dont_know: Cell, *, framework: Framework) -> str:
    """How many scores a figure rests on, and how many answered don't know."""
    if is_missing(n):
        return ""
    scores = int(n)
    text = f"Based on {scores} score{'s' if scores != 1 else ''}"
    dont_know = 0 if is_missing(n_dont_know) else int(n_dont_know)
    if dont_know:
        text += f"; {dont_know} more answered '{framework.dont_know_label}' (not counted)"
    return text


def cross_group_consensus_reading(value: Cell) -> str:
    """Whether every group sees the learning point as established (0..1)."""
    if is_missing(value):
        return "Not enough groups to compare"
    v = float(value)
    if v >= 0.7:
        return "Most people in every group see this as established"
    if v >= 0.4:
        return "The groups are mixed on whether this is established"
    return "In at least one group, few see this as established"


def cross_group_consensus_words(value: Cell) -> str:
    """The cross-group consensus as a short value: "High", "Mixed" or "Low"."""
    if is_missing(value):
        return "—"
    v = float(value)
    return "High" if v >= 0.7 else "Mixed" if v >= 0.4 else "Low"


def split_within_reading(group_names: list[str]) -> str:
    """Which groups are split within themselves (consensus below the framework threshold)."""
    if not group_names:
        return "No group is split within itself"
    return "Split within: " + ", ".join(group_names)


def mean_change_reading(
    group_name: str, change: Cell, previous_round: str, *, direction: str
) -> str:
    """A group's change in average since the previous round.

    ``direction`` is the change's verdict (``collab.stats.change.mean_direction``): up
    or down only when its Welch interval excludes 0, otherwise about the same, whatever
    the size of the change.
    """
    if is_missing(change):
        return f"{group_name}: no comparison with {previous_round}"
    if direction in ("up", "down"):
        return f"{group_name}: {direction} {change_text(change)} since {previous_round}"
    return f"{group_name}: about the same as in {previous_round}"


def compared_groups(row: pd.Series | dict, *, framework: Framework) -> str:
    """The groups a change covers, in words, when they are not all the groups shown now
    ("commissioners and service providers"); "" when they are the same."""
    compared = _groups(row.get("groups_compared"))
    shown = _groups(row.get("groups_shown"))
    if not compared or compared == shown:
        return ""
    return groups_text(compared, framework=framework)


def _compared_note(row: pd.Series | dict, *, framework: Framework) -> str:
    """Which groups a change covers, when they are not all the groups shown now."""
    names = compared_groups(row, framework=framework)
    return f"over {names} only, the groups shown in both rounds" if names else ""


def _movement(row: pd.Series | dict) -> str:
    """How the gap moved in words, from its direction (never from the size alone)."""
    then, now = gap_text(row.get("previous_gap")), gap_text(row.get("gap"))
    direction = str(row.get("direction") or "")
    if direction == "converging":
        return f"narrowed from {then} to {now}: converging"
    if direction == "diverging":
        return f"widened from {then} to {now}: diverging"
    return f"went from {then} to {now}: about the same, a change chance could easily give"


def gap_change_words(row: pd.Series | dict, *, framework: Framework) -> str:
    """A gap's like-for-like change in a few words: "narrowed from 1.39 to 0.92: converging".

    Says which groups it covers when they differ from the groups shown now.
    """
    direction = str(row.get("direction") or "")
    if direction == "not_comparable" or is_missing(row.get("gap_change")):
        return "not comparable: fewer than two groups were shown in both rounds"
    note = _compared_note(row, framework=framework)
    text = _movement(row)
    return f"{text} ({note})" if note else text


def gap_change_brief(row: pd.Series | dict) -> str:
    """A gap's like-for-like change short enough for a table cell: "1.39 to 0.92,
    converging", "0.70 to 0.74, about the same" (a change chance could easily give) or
    "not comparable". Which groups it covers is left to a note (``compared_groups``)."""
    direction = str(row.get("direction") or "")
    if direction == "not_comparable" or is_missing(row.get("gap_change")):
        return "not comparable"
    then, now = gap_text(row.get("previous_gap")), gap_text(row.get("gap"))
    words = direction if direction in ("converging", "diverging") else "about the same"
    return f"{then} to {now}, {words}"


def gap_change_reading(row: pd.Series | dict, *, previous_round: str, framework: Framework) -> str:
    """The like-for-like change in a learning point's gap since the previous round.

    ``row`` is a row of ``RoundResults.gap_change``: converging or diverging only when the
    bootstrap interval of the change excludes 0, and the groups compared named whenever
    they are not all the groups shown now.
    """
    direction = str(row.get("direction") or "")
    if direction == "not_comparable" or is_missing(row.get("gap_change")):
        return (
            f"Not comparable with {previous_round}: fewer than two groups were shown in both rounds"
        )
    note = _compared_note(row, framework=framework)
    start = f"Over {note.removeprefix('over ')}, the gap" if note else "The gap"
    movement = _movement(row)
    verb, _, rest = movement.partition(": ")
    return f"{start} {verb} since {previous_round}: {rest}"


def gap_change_table(
    gap_change: pd.DataFrame, *, framework: Framework, previous_round: str, round_name: str
) -> pd.DataFrame:
    """Each learning point's gap in the previous round and this one, like for like.

    Both gaps are over the groups shown in both rounds ("Groups compared").
    """
    order = {key: i for i, key in enumerate(framework.point_keys)}
    rows = gap_change.assign(_order=gap_change["learning_point"].map(order)).sort_values("_order")
    records = rows.to_dict("records")
    return pd.DataFrame(
        {
            "Learning point": [framework.point(p).title for p in rows["learning_point"]],
            "Groups compared": [
                groups_text(_groups(r.get("groups_compared")), framework=framework) or "—"
                for r in records
            ],
            f"Gap in {previous_round}": [gap_text(v) for v in rows["previous_gap"]],
            f"Gap in {round_name}": [gap_text(v) for v in rows["gap"]],
            "What changed": [gap_change_words(r, framework=framework) for r in records],
        }
    )


TREND_DIRECTION_WORDS = {
    "converging": "Converging: the gap narrowed by more than chance could easily give",
    "diverging": "Diverging: the gap widened by more than chance could easily give",
    "about_the_same": "About the same: a change chance could easily give",
    "not_comparable": "Not comparable: fewer than two groups shown in both rounds",
    "not_enough_rounds": "Not enough rounds to compare",
}


def trend_groups_note(gap_trend: pd.DataFrame, *, framework: Framework) -> str:
    """The footnote of the trend charts' "*": which groups each starred gap is over.

    E.g. "* Over commissioners and service providers only, the groups shown in both
    rounds compared: every learning point." "" when no gap is over fewer groups than
    are shown now.
    """
    starred: dict[str, list[str]] = {}
    records = gap_trend.to_dict("records")
    for r in records:
        if str(r.get("direction")) in ("not_comparable", "not_enough_rounds"):
            continue
        names = compared_groups(r, framework=framework)
        if names:
            starred.setdefault(names, []).append(framework.point(r["learning_point"]).title)
    notes = []
    for names, titles in starred.items():
        where = "every learning point" if len(titles) == len(records) else ", ".join(titles)
        notes.append(f"* Over {names} only, the groups shown in both rounds compared: {where}.")
    return " ".join(notes)


def gap_trend_table(gap_trend: pd.DataFrame, *, framework: Framework) -> pd.DataFrame:
    """Each learning point's gap in the first and last round that have one, like for like.

    Both gaps are over the groups shown in both rounds, named in "Groups compared", with
    two decimals as everywhere; the direction is called only when the bootstrap interval
    of the change excludes 0.
    """
    records = gap_trend.to_dict("records")
    return pd.DataFrame(
        {
            "Learning point": [framework.point(r["learning_point"]).title for r in records],
            "From round": [_text(r.get("first_round")) for r in records],
            "Gap then": [gap_text(r.get("first_gap")) for r in records],
            "To round": [_text(r.get("last_round")) for r in records],
            "Gap now": [gap_text(r.get("last_gap")) for r in records],
            "Groups compared": [
                groups_text(_groups(r.get("groups_compared")), framework=framework) or "—"
                for r in records
            ],
            "Direction": [
                TREND_DIRECTION_WORDS.get(str(r.get("direction")), str(r.get("direction")))
                for r in records
            ],
        },
        columns=[
            "Learning point", "From round", "Gap then", "To round", "Gap now",
            "Groups compared", "Direction",
        ],
    )  # fmt: skip


def gap_ranks(divergence: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """Each learning point with a gap -> (rank, number ranked); rank 1 = largest gap."""
    if divergence.empty:
        return {}
    ranked = divergence[divergence["status"] != "insufficient"].dropna(subset=["gap"])
    ranked = ranked.sort_values("gap", ascending=False, kind="stable")
    total = len(ranked)
    return {p: (i, total) for i, p in enumerate(ranked["learning_point"], start=1)}


def interval_reading(low: Cell, high: Cell, n: Cell) -> str:
    """The 95% interval of a group average in words, with a caution for small groups."""
    if is_missing(low) or is_missing(high):
        return "—"
    text = f"{number_text(low)} to {number_text(high)}"
    if not is_missing(n) and float(n) < SMALL_GROUP:
        return f"{text}: with {int(float(n))} scores, the true average could lie anywhere here"
    return f"{text}: the true average very likely lies here"


def _with_value(value: str, reading: str) -> str:
    return f"{value}: {in_sentence(reading)}" if reading else value


def small_group_reading(group_name: str, row: pd.Series | dict) -> str:
    """A small group's average with its likely range in words ("" for 10 or more scores).

    E.g. "Lived experience: average 1.8 from 6 scores; with so few, the true average
    could lie anywhere from 1.0 to 2.6".
    """
    n: Cell = row.get("n")
    if n is None or is_missing(n) or float(n) >= SMALL_GROUP or is_missing(row.get("mean")):
        return ""
    scores = int(float(n))
    text = f"{group_name}: average {number_text(row.get('mean'))} from {scores} scores"
    low, high = row.get("mean_low"), row.get("mean_high")
    if is_missing(low) or is_missing(high):
        return text
    return (
        f"{text}; with so few, the true average could lie anywhere from "
        f"{number_text(low)} to {number_text(high)}"
    )


def _group_columns(rows: pd.DataFrame, figures: list[str], cells, *, framework: Framework):
    """Figure column and one column per group; a withheld group's first cell says why."""
    grid = {"Figure": figures}
    for _, row in rows.iterrows():
        name = framework.group_name(str(row["group"]))
        if bool(row["suppressed"]):
            reason = str(row.get("reason") or "").strip()
            first = f"Withheld: {reason}" if reason else "Withheld"
            grid[name] = [first] + ["—"] * (len(figures) - 1)
            continue
        grid[name] = cells(row)
    return pd.DataFrame(grid)


def group_statistics_grid(rows: pd.DataFrame, *, framework: Framework) -> pd.DataFrame:
    """The figures of each group on one learning point in plain words, one reading per cell.

    ``rows`` are the ``summary`` rows of one learning point. Columns: ``Figure`` and one
    per group (display name, framework order); a withheld group's column says why in its
    first cell and holds no figure. The statisticians' figures (n, standard deviation,
    consensus 0-1) are in ``analyst_group_grid``.
    """
    split = framework.thresholds.split_consensus
    figures = [
        "Scores",
        "Average",
        "Likely range of the average",
        "Middle answer",
        "Spread of the answers",
        f"Share established ({framework.thresholds.established_from} or higher)",
        "Agreement within the group",
    ]
    return _group_columns(
        rows,
        figures,
        lambda row: [
            n_reading(row["n"], row["n_dont_know"], framework=framework),
            _with_value(number_text(row["mean"]), mean_reading(row["mean"], framework=framework)),
            interval_reading(row.get("mean_low"), row.get("mean_high"), row["n"]),
            _with_value(
                number_text(row["median"]), median_reading(row["median"], framework=framework)
            ),
            sd_reading(row["sd"]) or "—",
            established_reading(row["pct_established"], framework=framework),
            consensus_words(row["consensus"], split_below=split).capitalize(),
        ],
        framework=framework,
    )


def analyst_group_grid(rows: pd.DataFrame, *, framework: Framework) -> pd.DataFrame:
    """The statisticians' figures of each group on one learning point, one per cell.

    As ``group_statistics_grid``, with the figures under their technical names: n, the
    don't-knows, mean with its 95% interval (t), median, sd (n - 1) and consensus (0-1).
    """
    figures = [
        "n (scores)",
        "Don't know (not counted)",
        "Mean",
        "95% interval of the mean",
        "Median",
        "Standard deviation (sd)",
        "Consensus (0-1)",
    ]
    return _group_columns(
        rows,
        figures,
        lambda row: [
            "—" if is_missing(row["n"]) else str(int(float(row["n"]))),
            "—" if is_missing(row["n_dont_know"]) else str(int(float(row["n_dont_know"]))),
            number_text(row["mean"], 2),
            (
                "—"
                if is_missing(row.get("mean_low")) or is_missing(row.get("mean_high"))
                else f"{number_text(row.get('mean_low'), 2)} to "
                f"{number_text(row.get('mean_high'), 2)}"
            ),
            number_text(row["median"]),
            number_text(row["sd"], 2),
            number_text(row["consensus"], 2),
        ],
        framework=framework,
    )


def level_band_reading(band: Cell, *, framework: Framework) -> str:
    """What a level band means, with the framework's thresholds."""
    t = framework.thresholds
    return {
        "strength": f"The average over the groups shown is {t.strength_from:.1f} or higher.",
        "developing": (
            f"The average over the groups shown is between {t.developing_from:.1f} "
            f"and {t.strength_from:.1f}."
        ),
        "concern": f"The average over the groups shown is below {t.developing_from:.1f}.",
    }.get("" if is_missing(band) else str(band), "No group can be shown.")


def point_statistics_table(
    row: pd.Series,
    *,
    framework: Framework,
    rank: tuple[int, int] | None = None,
    smallest_group: int | None = None,
) -> pd.DataFrame:
    """A learning point's between-group figures in plain words, with a reading beside each.

    ``row`` is a row of the results ``divergence``; ``rank`` is (rank, total) from
    ``gap_ranks``; ``smallest_group`` the fewest scores among the shown groups. The test
    statistics (H, p-value and its method, epsilon squared, consensus 0-1) are in
    ``analyst_point_table``.
    """
    split_names = [framework.group_name(g) for g in (row["split_within"] or [])]
    method = str(row.get("p_method") or "")
    scope = status_scope(row, framework=framework)
    status_meaning = status_reading(row["status"], framework=framework)
    if scope:
        status_meaning = f"{status_meaning} This covers only the groups shown: {scope}."
    insufficient = row["status"] == "insufficient"
    lines = [
        ["Status", status_label(row["status"]), status_meaning],
        [
            "Gap between highest and lowest group average",
            gap_text(row["gap"]),
            gap_reading(
                row["gap"], *(rank or (None, None)), where=who_is_where(row, framework=framework)
            ),
        ],
        [
            "Average over the groups shown",
            number_text(row["all_mean"]),
            mean_reading(row["all_mean"], framework=framework),
        ],
        [
            "Level",
            level_band_label(row.get("level_band")),
            level_band_reading(row.get("level_band"), framework=framework),
        ],
        [
            "Do the groups agree this is established?",
            "—" if insufficient else cross_group_consensus_words(row["cross_group_consensus"]),
            cross_group_consensus_reading(row["cross_group_consensus"]),
        ],
        [
            "Groups split within themselves",
            ", ".join(split_names) or "none",
            split_within_reading(split_names),
        ],
        [
            "Could chance explain the difference? (supporting evidence only)",
            "—"
            if insufficient
            else chance_value(row["p_value"], smallest_group=smallest_group, p_method=method),
            NOT_COMPARED
            if insufficient
            else kruskal_reading(
                row["kruskal_h"],
                row["p_value"],
                row["epsilon_sq"],
                smallest_group=smallest_group,
                p_method=method or None,
                figures=False,
            ),
        ],
    ]
    return pd.DataFrame(lines, columns=TABLE_COLUMNS)


def p_method_reading(p_method: str) -> str:
    """How a p-value was computed, in words."""
    if p_method == "permutation":
        return (
            "Permutation p-value (the scores reshuffled between the groups many times), used "
            f"when any group shown has fewer than {SMALL_GROUP} scores: a hint, not evidence"
        )
    if p_method == "chi2":
        return "Chi-squared approximation, used when every group shown has 10 or more scores"
    return "No p-value: there is nothing to test"


def analyst_point_table(
    row: pd.Series, *, framework: Framework, smallest_group: int | None = None
) -> pd.DataFrame:
    """The statisticians' between-group figures of a learning point, with a reading.

    The Kruskal-Wallis test (H, p-value, epsilon squared), how the p-value was computed
    (``p_method``), the cross-group consensus (0-1) and the fewest scores in a group.
    """
    h, p, eps = row["kruskal_h"], row["p_value"], row["epsilon_sq"]
    method = str(row.get("p_method") or "")
    insufficient = row["status"] == "insufficient"
    small = _is_small(smallest_group, method)
    eps_meaning = (
        "Effect size: large from 0.26, moderate from 0.08, small below"
        if not small
        else "Effect size: says little with groups this small"
    )
    lines = [
        [
            "Kruskal-Wallis test (supporting evidence only)",
            "—" if is_missing(h) or is_missing(p) else f"H = {float(h):.2f}, {p_value_text(p)}",
            NOT_COMPARED
            if insufficient
            else kruskal_reading(h, p, eps, smallest_group=smallest_group, p_method=method or None),
        ],
        ["p-value method", method or "—", p_method_reading(method)],
        ["Epsilon squared (ε²)", number_text(eps, 2), "—" if is_missing(eps) else eps_meaning],
        [
            "Cross-group consensus (0-1)",
            number_text(row["cross_group_consensus"], 2),
            cross_group_consensus_reading(row["cross_group_consensus"]),
        ],
        [
            "Fewest scores in a group shown (n)",
            "—" if smallest_group is None else str(smallest_group),
            (
                f"Below {SMALL_GROUP}: the p-value comes from reshuffling and is read as a hint"
                if smallest_group is not None and smallest_group < SMALL_GROUP
                else "—"
                if smallest_group is None
                else f"{SMALL_GROUP} or more in every group shown"
            ),
        ],
    ]
    return pd.DataFrame(lines, columns=TABLE_COLUMNS)


def status_scope_overview(divergence: pd.DataFrame, *, framework: Framework) -> str:
    """One sentence over the statuses of a round naming the groups withheld anywhere.

    "" when no group is withheld; otherwise e.g. "These statuses compare only the groups
    shown: lived experience is withheld on every learning point."
    """
    if divergence.empty or "groups_withheld" not in divergence:
        return ""
    total = len(divergence)
    counts: dict[str, int] = {}
    for value in divergence["groups_withheld"]:
        for group in _groups(value):
            counts[group] = counts.get(group, 0) + 1
    if not counts:
        return ""
    parts = []
    for group in [g for g in framework.group_keys if g in counts] + sorted(
        set(counts) - set(framework.group_keys)
    ):
        name = in_sentence(framework.group_name(group))
        where = (
            "every learning point"
            if counts[group] == total
            else f"{counts[group]} of the {total} learning points"
        )
        parts.append(f"{name} is withheld on {where}")
    return "These statuses compare only the groups shown: " + "; ".join(parts) + "."


def status_overview(divergence: pd.DataFrame, *, framework: Framework) -> list[tuple[str, str]]:
    """(status, learning points in words) for each status that occurs, most divergent first.

    Within a status the points run from the largest gap down, each with its gap and any
    group withheld on it, e.g. ``("shared", "Stay focused (gap 0.40; lived experience
    withheld)")``, so a status never stands unqualified beside a withheld group.
    """
    lines = []
    for status in STATUS_LABELS:
        rows = divergence[divergence["status"] == status]
        if rows.empty:
            continue
        rows = rows.assign(_order=rows["learning_point"].map(framework.point_keys.index))
        rows = rows.sort_values(["gap", "_order"], ascending=[False, True], na_position="last")
        points = []
        for row in rows.to_dict("records"):
            details = [] if is_missing(row["gap"]) else [f"gap {gap_text(row['gap'])}"]
            withheld = _groups(row.get("groups_withheld"))
            if withheld:
                details.append(f"{groups_text(withheld, framework=framework)} withheld")
            title = framework.point(row["learning_point"]).title
            points.append(f"{title} ({'; '.join(details)})" if details else title)
        lines.append((status, ", ".join(points)))
    return lines
