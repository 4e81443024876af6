"""Participation: how many people answered each round, against how many were expected.

Counts of people are not scores. A stakeholder group's total is always shown exactly;
one organisation's part of a group is shown exactly only to the administrator, and to
everyone else only when it reaches the minimum group size ("fewer than 5" otherwise, see
``mask_organisation_counts``). The counts are compared with the number the coordinator
expects from each organisation's stakeholder group, and with the minimum group size, so
that a group too small to show (lived-experience members above all) is noticed before
anyone reads the results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from collab.domain.answers import participation
from collab.domain.expected import EXPECTED_COLUMNS
from collab.domain.organisations import list_organisations
from collab.domain.rounds import RoundInfo, get_round, list_rounds
from collab.stats.privacy import cell_is_shown, effective_min_group_size
from collab.store.db import Database
from collab.store.framework import Framework
from collab.store.models import ExpectedParticipation, InviteCode, Organisation, Respondent

BY_GROUP_COLUMNS = [
    "stakeholder_group",
    "group_name",
    "responses",
    "expected",
    "response_rate",
    "response_rate_text",
    "below_expected",
    "below_minimum",
    "flag",
    "through_shared_codes",
]
BY_ORGANISATION_COLUMNS = [
    "organisation",
    "stakeholder_group",
    "group_name",
    "responses",
    "expected",
    "response_rate",
    "below_expected",
    "withheld",
    "responses_text",
    "response_rate_text",
]
OVER_ROUNDS_COLUMNS = ["round", "stakeholder_group", "group_name", "responses"]
# What a withheld response rate reads instead of a share.
RATE_BELOW_MINIMUM = "below the minimum"
# What an organisation's count reads when it is withheld only so that a smaller count
# beside it cannot be worked out from the group's total.
NOT_SHOWN = "not shown"


@dataclass(frozen=True)
class RoundParticipation:
    """Who took part in one round.

    ``by_group``: one row per stakeholder group of the framework (framework order, then
    any other group that answered), columns of ``BY_GROUP_COLUMNS``. ``by_organisation``:
    one row per organisation and group that answered or has an expected number (columns
    of ``BY_ORGANISATION_COLUMNS``). ``expected`` is a nullable integer (missing when the
    coordinator has not set one), ``response_rate`` a share (responses / expected, NaN
    without an expected number; it may exceed 1) and ``response_rate_text`` the same in
    words (``response_rate_text``). Unless ``exact_counts``, the
    organisations' counts are masked by ``mask_organisation_counts``: read their
    ``responses_text`` and ``response_rate_text``.
    """

    round: RoundInfo
    min_group_size: int
    by_group: pd.DataFrame
    by_organisation: pd.DataFrame
    exact_counts: bool = False

    @property
    def total_responses(self) -> int:
        return int(self.by_group["responses"].sum())

    @property
    def through_shared_codes(self) -> int:
        """Responses that came through shared invite codes rather than personal ones."""
        return int(self.by_group["through_shared_codes"].sum())

    @property
    def flagged_groups(self) -> pd.DataFrame:
        """Groups below their expected number or below the minimum group size."""
        return self.by_group[self.by_group["below_expected"] | self.by_group["below_minimum"]]


def expected_participation(db: Database) -> pd.DataFrame:
    """Every expected number set: organisation, stakeholder_group, expected (int)."""
    query = (
        sa.select(
            Organisation.name,
            ExpectedParticipation.stakeholder_group,
            ExpectedParticipation.expected,
        )
        .join(Organisation, Organisation.id == ExpectedParticipation.organisation_id)
        .order_by(Organisation.name, ExpectedParticipation.stakeholder_group)
    )
    with db.read() as session:
        rows = [tuple(r) for r in session.execute(query).all()]
    frame = pd.DataFrame(rows, columns=EXPECTED_COLUMNS)
    frame["expected"] = frame["expected"].astype(int)
    return frame


def expected_table(db: Database, *, framework: Framework) -> pd.DataFrame:
    """The table the coordinator edits: the groups each active organisation has.

    An organisation's groups are those it has invite codes, respondents or an expected
    number for; an organisation with none of these is listed with every group. Columns
    organisation, stakeholder_group, group_name, expected (nullable integer, missing
    where no number is set). Organisations alphabetically, groups in framework order; a
    deactivated organisation appears only if it has a number set.
    """
    expected = expected_participation(db).set_index(["organisation", "stakeholder_group"])
    with db.read() as session:
        known_pairs = {
            tuple(r)
            for query in (
                sa.select(Organisation.name, InviteCode.stakeholder_group).join(
                    InviteCode, InviteCode.organisation_id == Organisation.id
                ),
                sa.select(Organisation.name, Respondent.stakeholder_group).join(
                    Respondent, Respondent.organisation_id == Organisation.id
                ),
            )
            for r in session.execute(query.distinct()).all()
        }
    known_pairs |= set(expected.index)
    names = {o.name for o in list_organisations(db, include_inactive=False)}
    names |= set(expected.index.get_level_values(0))
    rows = []
    for name in sorted(names):
        groups = [g for g in framework.groups if (name, g.key) in known_pairs]
        for group in groups or framework.groups:
            rows.append((name, group.key, group.name, expected["expected"].get((name, group.key))))
    frame = pd.DataFrame(
        rows, columns=["organisation", "stakeholder_group", "group_name", "expected"]
    )
    frame["expected"] = frame["expected"].astype("Int64")
    return frame


def _rate(responses: pd.Series, expected: pd.Series) -> pd.Series:
    expected_float = expected.astype("Float64").replace(0, pd.NA)
    return (responses.astype(float) / expected_float).astype(float)


def _group_order(framework: Framework, present: list[str]) -> list[str]:
    return framework.group_keys + sorted(set(present) - set(framework.group_keys))


def fewer_than(min_group_size: int) -> str:
    """What a withheld count of an organisation's group reads instead of the number."""
    return f"fewer than {min_group_size}"


def withheld_count_text(count: int, min_group_size: int) -> str:
    """What a withheld count reads: "fewer than K" below K, "not shown" from K up (a
    count withheld only so that a smaller one cannot be worked out)."""
    return fewer_than(min_group_size) if count < min_group_size else NOT_SHOWN


def response_rate_text(responses: int, expected: int | None) -> str:
    """A response rate as people read it: a whole percent up to the number expected, and
    "more than expected (12 of 9)" above it; "" without an expected number (or when 0
    were expected and nobody answered).

    The percent is rounded half up, but never up to 100% while some are missing, nor
    down to 0% once someone answered.
    """
    if expected is None or pd.isna(expected):  # a missing number, as pandas holds it
        return ""
    if responses > expected:
        return f"more than expected ({responses} of {expected})"
    if expected == 0:
        return ""
    percent = math.floor(100 * responses / expected + 0.5)
    if responses < expected:
        percent = min(percent, 99)
    if responses > 0:
        percent = max(percent, 1)
    return f"{percent}%"


def mask_organisation_counts(
    by_organisation: pd.DataFrame, *, min_group_size: int, exact: bool = False
) -> pd.DataFrame:
    """The counts of each organisation's group as a viewer may see them.

    Takes the ``BY_ORGANISATION_COLUMNS`` before ``withheld`` and adds ``withheld``,
    ``responses_text`` and ``response_rate_text``. With ``exact`` (the administrator's
    own pages) every count is shown. Otherwise a count below K (0 included) reads
    "fewer than K", and its response rate "below the minimum". When the counts withheld
    in a group add up to between 1 and K - 1, the group's exact total minus the counts
    shown would give them away, so the smallest count shown in that group is withheld as
    well ("not shown"). A withheld row's ``responses``, ``response_rate`` and
    ``below_expected`` are missing, never a number.
    """
    k = effective_min_group_size(min_group_size)
    frame = by_organisation.copy()
    responses = frame["responses"].astype(int)
    rates = frame["response_rate"].astype(float)
    if exact:
        frame["withheld"] = False
        frame["responses_text"] = [str(n) for n in responses]
        frame["response_rate_text"] = [
            response_rate_text(n, e) for n, e in zip(responses, frame["expected"], strict=True)
        ]
        return frame[BY_ORGANISATION_COLUMNS]
    small = responses < k
    beside = pd.Series(False, index=frame.index)
    for _, rows in frame.groupby("stakeholder_group", sort=False):
        hidden = int(responses[rows.index][small[rows.index]].sum())
        shown = responses[rows.index][~small[rows.index]]
        if 0 < hidden < k and len(shown):
            beside[shown.idxmin()] = True
    withheld = small | beside
    frame["withheld"] = withheld
    frame["responses_text"] = [
        fewer_than(k) if s else NOT_SHOWN if b else str(n)
        for n, s, b in zip(responses, small, beside, strict=True)
    ]
    frame["response_rate_text"] = [
        RATE_BELOW_MINIMUM if s else NOT_SHOWN if b else response_rate_text(n, e)
        for n, e, s, b in zip(responses, frame["expected"], small, beside, strict=True)
    ]
    frame["responses"] = responses.astype("Int64").mask(withheld)
    frame["response_rate"] = rates.mask(withheld)
    frame["below_expected"] = frame["below_expected"].astype("boolean").mask(withheld)
    return frame[BY_ORGANISATION_COLUMNS]


def withheld_flag(*, round_info: RoundInfo, min_group_size: int) -> str:
    """The flag of a group too small to show: its results are (or will be) withheld."""
    verb = "will be" if round_info.is_open else "are"
    return f"Fewer than {min_group_size} responses: results for this group {verb} withheld"


def round_participation(
    db: Database,
    *,
    framework: Framework,
    round_name: str,
    min_group_size: int,
    exact_counts: bool = False,
) -> RoundParticipation:
    """Responses to one round by group and by organisation, against the expected numbers.

    A group is ``below_minimum`` when its responses could not be shown under the privacy
    rules (fewer than the minimum group size), and ``below_expected`` when an expected
    number is set and it has fewer responses. ``flag`` says so in words ("" when fine).
    Group totals are exact; each organisation's counts are masked by
    ``mask_organisation_counts`` unless ``exact_counts`` (the administrator's own
    pages). Raises NotFound for an unknown round.
    """
    info = get_round(db, round_name)
    k = effective_min_group_size(min_group_size)
    counts = participation(db, round_id=info.id).rename(columns={"n": "responses"})
    counts["responses"] = counts["responses"].astype(int)
    expected = expected_participation(db)

    by_organisation = counts.drop(columns="shared").merge(
        expected, on=["organisation", "stakeholder_group"], how="outer"
    )
    by_organisation["responses"] = by_organisation["responses"].fillna(0).astype(int)
    by_organisation["expected"] = by_organisation["expected"].astype("Int64")
    order = _group_order(framework, list(by_organisation["stakeholder_group"]))
    by_organisation = by_organisation.assign(
        _group=by_organisation["stakeholder_group"].map({g: i for i, g in enumerate(order)})
    ).sort_values(["organisation", "_group"], kind="stable")
    by_organisation["group_name"] = [
        framework.group_name(g) for g in by_organisation["stakeholder_group"]
    ]
    by_organisation["response_rate"] = _rate(
        by_organisation["responses"], by_organisation["expected"]
    )
    by_organisation["below_expected"] = (
        by_organisation["expected"].notna()
        & (by_organisation["responses"] < by_organisation["expected"].fillna(0))
    ).astype(bool)
    by_organisation = by_organisation[BY_ORGANISATION_COLUMNS[:-3]].reset_index(drop=True)

    responses_by_group = by_organisation.groupby("stakeholder_group")["responses"].sum()
    expected_by_group = by_organisation.groupby("stakeholder_group")["expected"].sum(min_count=1)
    present = list(responses_by_group.index)
    groups = [g for g in order if g in framework.group_keys or g in present]
    by_group = pd.DataFrame({"stakeholder_group": groups})
    by_group["group_name"] = [framework.group_name(g) for g in groups]
    by_group["responses"] = [int(responses_by_group.get(g, 0)) for g in groups]
    by_group["expected"] = pd.array(
        [expected_by_group.get(g, pd.NA) for g in groups], dtype="Int64"
    )
    by_group["response_rate"] = _rate(by_group["responses"], by_group["expected"])
    by_group["response_rate_text"] = [
        response_rate_text(n, e)
        for n, e in zip(by_group["responses"], by_group["expected"], strict=True)
    ]
    by_group["below_expected"] = (
        by_group["expected"].notna() & (by_group["responses"] < by_group["expected"].fillna(0))
    ).astype(bool)
    by_group["below_minimum"] = ~cell_is_shown(n=by_group["responses"].to_numpy(), min_group_size=k)
    flags = []
    for row in by_group.itertuples(index=False):
        if row.below_minimum:
            flags.append(withheld_flag(round_info=info, min_group_size=k))
        elif row.below_expected:
            flags.append(f"Below the expected number: {row.responses} of {row.expected}")
        else:
            flags.append("")
    by_group["flag"] = flags
    shared_by_group = counts.groupby("stakeholder_group")["shared"].sum()
    by_group["through_shared_codes"] = [int(shared_by_group.get(g, 0)) for g in groups]
    return RoundParticipation(
        round=info,
        min_group_size=k,
        by_group=by_group[BY_GROUP_COLUMNS],
        by_organisation=mask_organisation_counts(
            by_organisation, min_group_size=k, exact=exact_counts
        ),
        exact_counts=exact_counts,
    )


def participation_over_rounds(db: Database, *, framework: Framework) -> pd.DataFrame:
    """Responses per round (oldest first) and group (framework order), 0 where nobody answered.

    Columns of ``OVER_ROUNDS_COLUMNS``.
    """
    rows = []
    for info in list_rounds(db):
        counts = participation(db, round_id=info.id).groupby("stakeholder_group")["n"].sum()
        for group in _group_order(framework, list(counts.index)):
            if group in framework.group_keys or group in counts.index:
                rows.append(
                    (info.name, group, framework.group_name(group), int(counts.get(group, 0)))
                )
    return pd.DataFrame(rows, columns=OVER_ROUNDS_COLUMNS)


def shared_codes_text(taking_part: RoundParticipation) -> str:
    """How many responses came through shared codes, by group, in words."""
    parts = [
        f"{row.group_name} {int(row.through_shared_codes)}"
        for row in taking_part.by_group.itertuples(index=False)
        if row.through_shared_codes
    ]
    total = taking_part.through_shared_codes
    return (
        f"{total} of the {taking_part.total_responses} responses came through shared invite "
        f"codes ({', '.join(parts)}); the rest through personal codes or paper forms. A "
        "shared code takes a limited number of responses per round."
    )
