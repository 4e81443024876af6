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
    """The gap between the highest and lowest group average, and its place this round.

    ``where`` (from ``who_is_where``) names the highest and lowest group.
    """
    if is_missing(gap):
        return "Not enough groups to compare"
    points = "point" if gap_text(gap) == "1.00" else "points"
    text = f"A gap of {gap_text(gap)} {points}"
    if where:
        text += f" ({where})"
    if rank is None or total is None or total < 2:
        return text
    if rank == 1:
        return f"{text}: the largest this round"
    if rank == total:
        return f"{text}: the smallest this round"
    return f"{text}: the {_ordinal(rank)} largest of {total} this round"


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


def kruskal_reading(
    h: Cell,
    p_value: Cell,
    epsilon_sq: Cell,
    *,
    smallest_group: int | None = None,
    p_method: str | None = None,
) -> str:
    """The Kruskal-Wallis test in words, always labelled as supporting evidence.

    With small groups the test has little power, so a high p-value is never read as
    "no difference". When any group has fewer than 10 scores (``p_method`` is
    ``permutation``, or ``smallest_group`` is below 10) the result is only a hint: a low
    p-value is not read as a real difference and no effect size is named, since epsilon
    squared of a handful of scores says little.
    """
    if is_missing(h) or is_missing(p_value):
        return "Not computed: every score was the same, so there is nothing to test."
    p = float(p_value)
    small = p_method == "permutation" or (
        smallest_group is not None and smallest_group < SMALL_GROUP
    )
    if small:
        source = f"{p_value_text(p)}, from reshuffling the scores between the groups"
        if p < 0.05:
            return (
                f"A hint that the groups answer differently ({source}). Only a hint: with "
                "groups this small, read it with the gap, never on its own."
            )
        return f"No clear hint of a difference ({source}). Only a hint: {LOW_POWER}."
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


def _compared_note(row: pd.Series | dict, *, framework: Framework) -> str:
    """Which groups a change covers, when they are not all the groups shown now."""
    compared = _groups(row.get("groups_compared"))
    shown = _groups(row.get("groups_shown"))
    if not compared or compared == shown:
        return ""
    names = groups_text(compared, framework=framework)
    return f"over {names} only, the groups shown in both rounds"


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


def group_statistics_grid(rows: pd.DataFrame, *, framework: Framework) -> pd.DataFrame:
    """The figures of each group on one learning point, with a reading in every cell.

    ``rows`` are the ``summary`` rows of one learning point. Columns: ``Figure`` and one
    per group (display name, framework order); a withheld group's column says why in its
    first cell and holds no figure.
    """
    split = framework.thresholds.split_consensus
    figures = [
        "Scores (n)",
        "Average (mean)",
        "Likely range of the average (95%)",
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
            interval_reading(row.get("mean_low"), row.get("mean_high"), row["n"]),
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
    """A learning point's between-group figures with a reading beside each.

    ``row`` is a row of the results ``divergence``; ``rank`` is (rank, total) from
    ``gap_ranks``; ``smallest_group`` the fewest scores among the shown groups.
    """
    split_names = [framework.group_name(g) for g in (row["split_within"] or [])]
    h, p, eps = row["kruskal_h"], row["p_value"], row["epsilon_sq"]
    method = str(row.get("p_method") or "")
    method_words = " (permutation)" if method == "permutation" else ""
    test_value = (
        "—"
        if is_missing(h) or is_missing(p)
        else f"H = {float(h):.2f}, {p_value_text(p)}{method_words}, ε² = {number_text(eps, 2)}"
    )
    scope = status_scope(row, framework=framework)
    status_meaning = status_reading(row["status"], framework=framework)
    if scope:
        status_meaning = f"{status_meaning} This covers only the groups shown: {scope}."
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
            else kruskal_reading(h, p, eps, smallest_group=smallest_group, p_method=method or None),
        ],
    ]
    return pd.DataFrame(lines, columns=TABLE_COLUMNS)


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
