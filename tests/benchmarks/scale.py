"""Benchmark at scale: ``make bench``.

Builds a large alliance (by default 100,000 respondents across 10 rounds, 800,000
scores) in a fresh SQLite file through the CSV import, then prints:
- the import time and rows per second;
- the time to compute the divergence page's data for one round, beside the time of a
  bare SQL GROUP BY over the same rows (the floor), and their ratio;
- the divergence page's full AppTest run, cold and cached (each run a new AppTest, as
  a new visitor), and a rerun in the same session (as after a click);
- the peak memory of the process.

Targets on a 2-core machine: divergence data within 2x of the floor, a cached page rerun
under 200 ms, an import under 20 s, peak memory under 1 GB.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from collab.domain import organisations, rounds
from collab.domain.answers import load_answer_counts
from collab.files.imports import import_responses
from collab.stats.results import round_results
from collab.store.db import Database, create_engine
from collab.store.framework import load_framework

ORGANISATIONS = 40
GROUP_WEIGHTS = {"commissioner": 0.2, "provider": 0.6, "lived_experience": 0.2}


def alliance_csv(*, rounds: int, respondents: int, seed: int) -> bytes:
    """A response CSV of ``respondents`` rows spread evenly over ``rounds`` rounds."""
    framework = load_framework()
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["round", "organisation", "group", "respondent", *framework.point_keys])
    groups = list(GROUP_WEIGHTS)
    weights = list(GROUP_WEIGHTS.values())
    per_round = respondents // rounds
    for r in range(rounds):
        for i in range(per_round):
            group = rng.choices(groups, weights)[0]
            base = {"commissioner": 3.6, "provider": 2.8, "lived_experience": 2.3}[group]
            scores = [
                "DK" if rng.random() < 0.04 else min(5, max(1, round(rng.gauss(base, 1.0))))
                for _ in framework.point_keys
            ]
            writer.writerow(
                [
                    f"Round {r + 1:02d}",
                    f"Organisation {rng.randrange(ORGANISATIONS):02d}",
                    group,
                    f"p{r}-{i}",
                    *scores,
                ]
            )
    return out.getvalue().encode("utf-8")


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    """The median wall time of ``repeat`` calls, in seconds, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


FLOOR_SQL = """
SELECT rs.stakeholder_group, a.learning_point, a.score, a.dont_know, COUNT(*)
FROM answers a
JOIN revisions v ON v.id = a.revision_id
JOIN submissions s ON s.id = v.submission_id AND s.current_revision = v.number
JOIN respondents rs ON rs.id = s.respondent_id
WHERE s.round_id = ?
GROUP BY rs.stakeholder_group, a.learning_point, a.score, a.dont_know
"""


def page_run_times(database_url: str, round_name: str) -> tuple[float, float, float]:
    """Cold and cached full runs of the divergence page, and a rerun of one session."""
    from streamlit.testing.v1 import AppTest

    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("COLLAB_LEADERSHIP_PASSCODE", "bench")

    def new_session() -> AppTest:
        at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=120)
        at.session_state["role"] = "leadership"
        at.session_state["leadership_round"] = round_name
        at.switch_page("pages/divergence.py")
        return at

    def run(at: AppTest) -> float:
        start = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - start
        if at.exception:
            raise RuntimeError(at.exception[0].message)
        return elapsed

    cold = run(new_session())
    cached = statistics.median(run(new_session()) for _ in range(5))
    session = new_session()
    run(session)
    rerun = statistics.median(run(session) for _ in range(5))
    return cold, cached, rerun


def component_scan_seconds() -> float:
    """The time AppTest spends on the first run of each new AppTest looking for components."""
    from streamlit.components.v2.component_manager import BidiComponentManager

    seconds, _ = timed(
        lambda: BidiComponentManager().discover_and_register_components(start_file_watching=False),
        repeat=5,
    )
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    framework = load_framework()
    folder = Path(tempfile.mkdtemp(prefix="collab-bench-"))
    database_url = f"sqlite:///{folder / 'alliance.db'}"
    db = Database(create_engine(database_url))
    db.upgrade()
    for i in range(ORGANISATIONS):
        organisations.create_organisation(db, name=f"Organisation {i:02d}", actor="admin")

    data = alliance_csv(rounds=args.rounds, respondents=args.respondents, seed=args.seed)
    import_seconds, imported = timed(
        lambda: import_responses(
            db,
            framework=framework,
            data=data,
            create_missing=True,
            max_bytes=len(data) + 1,
            actor="admin",
        )
    )
    scores = args.respondents * len(framework.point_keys)
    print(f"alliance: {imported:,} respondents in {args.rounds} rounds, {scores:,} answers")
    print(
        f"import: {import_seconds:.2f} s, {imported / import_seconds:,.0f} rows/s  (target < 20 s)"
    )

    round_name = f"Round {args.rounds // 2:02d}"
    round_id = rounds.get_round(db, round_name).id

    def floor():
        with db.engine.connect() as conn:
            return conn.exec_driver_sql(FLOOR_SQL, (round_id,)).all()

    def divergence_data():
        return round_results(
            db,
            framework=framework,
            round_name=round_name,
            min_group_size=framework.thresholds.min_group_size,
        )

    # Each a median of 5, timed in turn so that both see the same load on the machine.
    floor_times, data_times = [], []
    for _ in range(5):
        floor_times.append(timed(floor)[0])
        data_times.append(timed(divergence_data)[0])
    floor_seconds, data_seconds = statistics.median(floor_times), statistics.median(data_times)
    ratio = data_seconds / floor_seconds
    print(
        f"divergence data for one round: {data_seconds * 1000:.0f} ms; "
        f"bare SQL GROUP BY: {floor_seconds * 1000:.0f} ms; ratio {ratio:.2f}  (target <= 2)"
    )
    ids = [r.id for r in rounds.list_rounds(db)]
    read_ids = ids[max(ids.index(round_id) - 1, 0) : ids.index(round_id) + 1]
    read_seconds, _ = timed(
        lambda: load_answer_counts(db, framework=framework, round_ids=read_ids), repeat=5
    )
    print(
        f"  of which reading the counted answers of the round and the one before: "
        f"{read_seconds * 1000:.0f} ms"
    )
    cold, cached, rerun = page_run_times(database_url, round_name)
    print(
        f"divergence page AppTest run: cold {cold * 1000:.0f} ms, cached {cached * 1000:.0f} ms"
        "  (target cached < 200 ms)"
    )
    print(
        f"  rerun in the same session: {rerun * 1000:.0f} ms; a new AppTest first scans the "
        f"installed packages for components: {component_scan_seconds() * 1000:.0f} ms"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak_mb:.0f} MB  (target < 1024 MB)")
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
