"""Side channels between views: comparing views, or reading why a cell is withheld.

Two promises are tested here, each by the attack that would break it:

- A view narrowed to some organisations prints the same thing, whatever the people
  outside it (and the people inside a cell it withholds) answered, as long as the same
  cells are shown: one reason for every withheld cell, the same texts, charts and files.
- No comparison of the views the organisation filters offer narrows a cell down to
  people with fewer than K scores between them: a comment written beside a blank score
  (possible only through an imported file) counts its writer like a score or a don't
  know.

Alliances are imported from response files, the one way a blank score can carry a
comment, and read back through ``round_results`` on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd
import pytest

from collab.files import exports
from collab.files.imports import import_responses
from collab.present import agenda_charts, charts
from collab.stats import agenda, privacy, readings
from collab.stats.meeting import point_picture
from collab.stats.results import (
    RoundResults,
    divergence_export_frame,
    round_results,
    summary_export_frame,
)
from collab.store.db import Database, create_engine
from collab.store.framework import Framework
from tests.support.databases import make_sqlite_database, postgres_schema_url

ROUND = "Spring 2027"
K = 5
DONT_KNOW = exports.DONT_KNOW
BLANK = ""


@dataclass(frozen=True)
class Person:
    """One row of a response file: ``cells`` holds a cell per learning point (a score,
    ``DK`` or blank; ``default`` where not given) and ``comments`` a comment per point."""

    organisation: str
    group: str
    default: str = "3"
    cells: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)

    def cell(self, point: str) -> str:
        return self.cells.get(point, self.default)

    def answered(self, point: str) -> bool:
        """Whether the person is one of the cell's people: a score, don't know, or a
        comment beside a blank score."""
        return self.cell(point) != BLANK or bool(self.comments.get(point))

    def scored(self, point: str) -> bool:
        return self.cell(point) not in (BLANK, DONT_KNOW)


def people(organisation: str, group: str, scores: list[int]) -> list[Person]:
    """One person per score, giving it on every learning point."""
    return [Person(organisation, group, default=str(s)) for s in scores]


def response_file(framework: Framework, crowd: list[Person]) -> bytes:
    points = framework.point_keys
    columns = ["round", "organisation", "group", *points, *(f"comment_{p}" for p in points)]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for person in crowd:
        writer.writerow(
            [ROUND, person.organisation, person.group]
            + [person.cell(p) for p in points]
            + [person.comments.get(p, "") for p in points]
        )
    return buffer.getvalue().encode("utf-8")


def import_alliance(db: Database, framework: Framework, crowd: list[Person]) -> Database:
    """The people of ``crowd`` in one closed round (created by the import)."""
    data = response_file(framework, crowd)
    import_responses(db, actor="admin", framework=framework, data=data, create_missing=True)
    return db


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database(request, tmp_path) -> Iterator[Callable[[], Database]]:
    """Makes as many fresh, migrated databases of one kind as a test needs."""
    if request.param == "postgresql":
        request.getfixturevalue("postgres_available")
    made: list[Database] = []
    with contextlib.ExitStack() as schemas:

        def make() -> Database:
            if request.param == "sqlite":
                database = make_sqlite_database(tmp_path / f"alliance_{len(made)}")
            else:
                url = schemas.enter_context(postgres_schema_url(migrated=True))
                database = Database(create_engine(url))
            made.append(database)
            return database

        yield make
        for database in made:
            database.dispose()


def view(db: Database, framework: Framework, organisations: list[str] | None) -> RoundResults:
    return round_results(
        db, framework=framework, round_name=ROUND, min_group_size=K, organisations=organisations
    )


def _plain(value: object) -> object:
    """Frames as CSV text, so two printouts compare exactly."""
    if isinstance(value, pd.DataFrame):
        return value.to_csv(index=False)
    return value


def printed(found: RoundResults, framework: Framework) -> dict[str, object]:
    """Everything a results view prints, as the leadership pages, Meeting mode, the
    charts and the downloads build it: texts, frames, files and figures."""
    out: dict[str, object] = {
        "visibility": found.visibility,
        "message": found.message,
        "people": found.people_text,
        **{f"frame {f.name}": _plain(getattr(found, f.name)) for f in dataclasses.fields(found)},
        "withheld": readings.withheld_overview(found.summary, framework=framework, k=K),
        "scope": readings.status_scope_overview(found.divergence, framework=framework),
        "statuses": readings.status_overview(found.divergence, framework=framework),
        "agenda": _plain(agenda.agenda_table(found.divergence, framework=framework)),
        "gap ranking": charts.gap_ranking(found.summary, found.divergence, framework).to_json(),
        "score levels": charts.score_levels_heatmap(found.summary, framework).to_json(),
        "agenda map": agenda_charts.agenda_map(found.divergence, framework).to_json(),
    }
    for what, frame in (
        ("summary", summary_export_frame(found)),
        ("divergence", divergence_export_frame(found)),
    ):
        for fmt in ("csv", "json"):
            out[f"{what}.{fmt}"] = exports.write_frame(frame, fmt=fmt, sheet_name=what)
    # One chart per kind of point below (answered by the outsider, left blank, scored):
    # drawing all eight takes seconds.
    for point in (framework.point_keys[0], framework.point_keys[4], framework.point_keys[-1]):
        out[f"distribution {point}"] = charts.distribution_bars(
            found.summary, framework, point
        ).to_json()
    for point in framework.point_keys:
        picture = point_picture(found, framework=framework, learning_point=point)
        for f in dataclasses.fields(picture):
            out[f"{point} {f.name}"] = _plain(getattr(picture, f.name))
    for group in found.groups_shown:
        own = agenda.group_view(found.summary, group=group, framework=framework)
        note = agenda.group_view_missing(found.summary, own, group=group, framework=framework, k=K)
        out[f"own view {group}"] = (note, _plain(own))
        out[f"own view chart {group}"] = agenda_charts.group_view_bars(
            own, framework, group=group, round_name=ROUND, note=note
        ).to_json()
    return out


def withheld_cells(found: RoundResults) -> set[tuple[str, str]]:
    summary = found.summary
    rows = summary[summary["suppressed"].astype(bool)]
    return set(zip(rows["learning_point"], rows["group"], strict=True))


# --- What a filtered view prints -------------------------------------------------------

VOICES = "Voices"
TINY = "Tiny Org"


def voices_alliance(framework: Framework, *, outsider: Person, insider: str) -> list[Person]:
    """A round seen through a filter on Voices.

    Voices has five people in each group. County Council's five commissioners and
    Shelter Trust's six providers make the rest of those groups large. Tiny Org has one
    lived-experience member and one commissioner, ``outsider``, who answers the first
    four points, leaves the next three blank and scores the last; so under the filter
    the commissioners are withheld where the outsider answered, and lived experience
    everywhere. One lived-experience member of Voices answers the first four points
    with the cell ``insider``.
    """
    first = framework.point_keys[:4]
    return (
        people(VOICES, "commissioner", [2, 3, 4, 4, 5])
        + people(VOICES, "provider", [3, 3, 4, 4, 4])
        + people(VOICES, "lived_experience", [5, 4, 2, 5])
        + [Person(VOICES, "lived_experience", default="4", cells=dict.fromkeys(first, insider))]
        + people("County Council", "commissioner", [1, 2, 2, 3, 3])
        + people("Shelter Trust", "provider", [4, 4, 5, 5, 5, 2])
        + [outsider, Person(TINY, "lived_experience", default="1")]
    )


def outsider(framework: Framework, cell: str, comment: str = "") -> Person:
    """Tiny Org's commissioner: ``cell`` (and ``comment``) on the first four points."""
    first, middle = framework.point_keys[:4], framework.point_keys[4:-1]
    return Person(
        TINY,
        "commissioner",
        default="2",
        cells={**dict.fromkeys(first, cell), **dict.fromkeys(middle, BLANK)},
        comments=dict.fromkeys(first, comment) if comment else {},
    )


VARIANTS = {
    "the outsider says don't know": {"cell": DONT_KNOW},
    "the outsider comments beside a blank score": {
        "cell": BLANK,
        "comment": "I would rather not say",
    },
    "the insider says don't know": {"insider": DONT_KNOW},
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_filtered_view_prints_the_same_whatever_its_withheld_cells_hold(
    new_database, framework, variant
):
    changed = VARIANTS[variant]
    before = voices_alliance(framework, outsider=outsider(framework, "3"), insider="4")
    after = voices_alliance(
        framework,
        outsider=outsider(framework, changed.get("cell", "3"), changed.get("comment", "")),
        insider=changed.get("insider", "4"),
    )
    seen = view(import_alliance(new_database(), framework, before), framework, [VOICES])
    assert seen.visibility == "results"
    first = framework.point_keys[:4]
    assert withheld_cells(seen) == {
        (p, "commissioner") for p in [*first, framework.point_keys[-1]]
    } | {(p, "lived_experience") for p in framework.point_keys}
    assert set(seen.summary.loc[seen.summary["suppressed"], "reason"]) == {
        privacy.would_reveal_reason(K)
    }
    seen_after = view(import_alliance(new_database(), framework, after), framework, [VOICES])
    assert printed(seen_after, framework) == printed(seen, framework)


def test_a_groups_own_view_under_a_filter_gives_the_one_reason(new_database, framework):
    crowd = voices_alliance(framework, outsider=outsider(framework, "3"), insider="4")
    found = view(import_alliance(new_database(), framework, crowd), framework, [VOICES])

    def note(group: str) -> str:
        own = agenda.group_view(found.summary, group=group, framework=framework)
        return agenda.group_view_missing(found.summary, own, group=group, framework=framework, k=K)

    # Five commissioners of Voices scored every point: "fewer than 5 of them gave a
    # score" would be untrue, and would name the rule the one reason hides.
    titles = [framework.point(p).title for p in framework.point_keys]
    assert note("commissioner") == (
        "Not shown for commissioners (showing it would reveal the answers of fewer than 5 "
        f"people): {', '.join(titles[:4] + titles[-1:])}."
    )
    assert note("lived_experience") == (
        "Nothing to show for lived experience in this round: showing it would reveal the "
        "answers of fewer than 5 people on every learning point."
    )


# --- Comparing views -------------------------------------------------------------------

SECRET = "only Tiny Org's provider wrote this"


def tiny_commenter_alliance(framework: Framework) -> list[Person]:
    """Five providers and five commissioners at Shelter Trust and at Hope House; at Tiny
    Org one provider, who left the first point's score blank beside a comment."""
    first = framework.point_keys[0]
    return (
        people("Shelter Trust", "provider", [3, 4, 4, 5, 2])
        + people("Hope House", "provider", [2, 3, 3, 4, 5])
        + people("Shelter Trust", "commissioner", [1, 2, 3, 4, 4])
        + people("Hope House", "commissioner", [3, 3, 3, 4, 5])
        + [Person(TINY, "provider", cells={first: BLANK}, comments={first: SECRET})]
    )


@pytest.mark.parametrize(
    "organisations",
    [["Shelter Trust", "Hope House"], ["Shelter Trust", TINY]],
    ids=["leaving Tiny Org out", "taking Tiny Org with one other"],
)
def test_a_comment_beside_a_blank_score_is_not_singled_out_by_a_filter(
    new_database, framework, organisations
):
    db = import_alliance(new_database(), framework, tiny_commenter_alliance(framework))
    first = framework.point_keys[0]
    assert SECRET in set(view(db, framework, None).comments["comment"])
    filtered = view(db, framework, organisations)
    cell = filtered.summary.set_index(["learning_point", "group"]).loc[(first, "provider")]
    assert cell["suppressed"]
    assert cell["reason"] == privacy.would_reveal_reason(K)
    assert filtered.comments[filtered.comments["learning_point"] == first].empty


def test_every_organisation_of_the_cell_shows_its_comment_like_the_whole_alliance(
    new_database, framework
):
    db = import_alliance(new_database(), framework, tiny_commenter_alliance(framework))
    everyone = view(db, framework, ["Shelter Trust", "Hope House", TINY])
    assert everyone.comments.equals(view(db, framework, None).comments)
    assert SECRET in set(everyone.comments["comment"])


def mixed_alliance(framework: Framework) -> list[Person]:
    """Two large organisations and two small ones whose people score, say don't know or
    comment beside a blank score, on some points and not others."""
    half, rest = framework.point_keys[:4], framework.point_keys[4:]
    return (
        people("Big One", "commissioner", [1, 2, 3, 4, 5, 3])
        + people("Big One", "provider", [4, 4, 3, 5, 4])
        + people("Big Two", "commissioner", [2, 3, 4, 4, 4])
        + [Person("Big Two", "commissioner", default=DONT_KNOW)]
        + people("Big Two", "provider", [3, 3, 4, 4, 5])
        + people("Small Three", "commissioner", [5, 5])
        + [
            Person(
                "Small Four",
                "commissioner",
                cells={**dict.fromkeys(half, DONT_KNOW), **dict.fromkeys(rest, BLANK)},
                comments=dict.fromkeys(rest, "from Small Four's commissioner"),
            ),
            Person(
                "Small Four",
                "provider",
                cells=dict.fromkeys(half, BLANK),
                comments=dict.fromkeys(half, "from Small Four's provider"),
            ),
        ]
    )


class Isolated(NamedTuple):
    """A set of organisations some views of a cell tell apart from the rest."""

    point: str
    group: str
    organisations: list[str]
    people: int
    """The cell's people there: scores, don't knows and comments beside a blank score."""
    scored: int


def isolated_sets(
    crowd: list[Person], shown_in: dict[tuple[str, str], list[set[str]]]
) -> list[Isolated]:
    """The smallest sets of organisations the views showing a cell tell apart.

    Views showing a cell can be subtracted from one another in any combination; what
    they can isolate is at best a set of organisations that every such view takes or
    leaves together. ``shown_in`` maps each cell to the organisations of each view that
    shows it; who answered comes from ``crowd``, not from the code under test.
    """
    found = []
    for (point, group), views in shown_in.items():
        present: Counter[str] = Counter()
        scored: Counter[str] = Counter()
        for person in crowd:
            if person.group == group and person.answered(point):
                present[person.organisation] += 1
                scored[person.organisation] += person.scored(point)
        together: dict[tuple[bool, ...], list[str]] = {}
        for organisation in sorted(present):
            signature = tuple(organisation in chosen for chosen in views)
            together.setdefault(signature, []).append(organisation)
        found += [
            Isolated(
                point,
                group,
                organisations,
                sum(present[o] for o in organisations),
                sum(scored[o] for o in organisations),
            )
            for organisations in together.values()
        ]
    return found


def test_no_comparison_of_filtered_views_isolates_fewer_than_k_scores(new_database, framework):
    crowd = mixed_alliance(framework)
    db = import_alliance(new_database(), framework, crowd)
    names = sorted({p.organisation for p in crowd})
    selections: list[list[str] | None] = [None] + [
        list(chosen)
        for size in range(1, len(names) + 1)
        for chosen in itertools.combinations(names, size)
    ]
    shown_in: dict[tuple[str, str], list[set[str]]] = {}
    for organisations in selections:
        summary = view(db, framework, organisations).summary
        if summary.empty:
            continue
        for row in summary[~summary["suppressed"].astype(bool)].itertuples(index=False):
            shown_in.setdefault((row.learning_point, row.group), []).append(
                set(organisations or names)
            )
    filtered_shown = sum(len(views) - 1 for views in shown_in.values())
    assert filtered_shown > 0, "no filtered view shows anything: the test would prove nothing"
    exposed = [i for i in isolated_sets(crowd, shown_in) if i.people and i.scored < K]
    assert exposed == []
