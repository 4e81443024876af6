"""Many members submitting at once: every submission stored, no error, a sound database.

The timings (median and 95th percentile of the time each submission took) go to the
pytest report as properties and to ``test-artifacts/concurrency.json``.
"""

from __future__ import annotations

import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa

from collab.domain import submissions
from collab.store.db import Database
from collab.store.framework import Framework
from collab.store.models import Answer, Submission
from tests.support.alliances import open_alliance

ARTIFACTS_DIR = Path(__file__).resolve().parent.parent / "test-artifacts"
THREADS = 16


def answers_for(framework: Framework, n: int) -> dict[str, submissions.AnswerInput]:
    """A distinct, valid set of answers for submission number ``n``."""
    result = {}
    for i, point in enumerate(framework.point_keys):
        if (n + i) % 9 == 0:
            result[point] = submissions.AnswerInput(dont_know=True)
        else:
            result[point] = submissions.AnswerInput(score=(n + i) % 5 + 1, comment=f"#{n}")
    return result


def submit_concurrently(
    db: Database, framework: Framework, count: int, *, live_results: bool = False
) -> tuple[list[float], list[BaseException]]:
    """Send ``count`` submissions from ``THREADS`` threads; return seconds each and errors."""
    codes = open_alliance(db, framework, live_results=live_results).codes

    def one(n: int) -> float:
        started = time.perf_counter()
        submissions.submit(
            db,
            framework=framework,
            code=codes[n % len(codes)],
            answers=answers_for(framework, n),
            idempotency_key=f"form-{n}",
        )
        return time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(one, n) for n in range(count)]
    seconds = [f.result() for f in futures if f.exception() is None]
    errors = [f.exception() for f in futures if f.exception() is not None]
    return seconds, errors


def stored_answers(db: Database) -> dict[str, set[tuple[str, int | None, bool]]]:
    """Each revision's answers, keyed by the ``#n`` comment that names its submission."""
    with db.read() as session:
        rows = session.execute(
            sa.select(
                Answer.revision_id,
                Answer.learning_point,
                Answer.score,
                Answer.dont_know,
                Answer.comment,
            )
        ).all()
    by_revision: dict[int, set[tuple[str, int | None, bool]]] = {}
    names: dict[int, str] = {}
    for revision_id, point, score, dont_know, comment in rows:
        by_revision.setdefault(revision_id, set()).add((point, score, dont_know))
        if comment:
            names[revision_id] = comment
    return {names[revision_id]: answers for revision_id, answers in by_revision.items()}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def test_120_concurrent_submissions_into_one_sqlite_file_are_all_stored(
    sqlite_db, framework, record_property
):
    seconds, errors = submit_concurrently(sqlite_db, framework, 120)

    timings = {
        "database": "sqlite",
        "submissions": 120,
        "threads": THREADS,
        "errors": len(errors),
        "p50_ms": round(statistics.median(seconds) * 1000, 1) if seconds else None,
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 1) if seconds else None,
        "max_ms": round(max(seconds) * 1000, 1) if seconds else None,
    }
    for name, value in timings.items():
        record_property(name, value)
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    (ARTIFACTS_DIR / "concurrency.json").write_text(json.dumps(timings, indent=2) + "\n")

    assert errors == []
    with sqlite_db.read() as session:
        assert session.scalar(sa.select(sa.func.count(Submission.id))) == 120
    assert stored_answers(sqlite_db) == {
        f"#{n}": {(p, a.score, a.dont_know) for p, a in answers_for(framework, n).items()}
        for n in range(120)
    }
    assert sqlite_db.integrity_check() == "ok"


def test_concurrent_submissions_are_all_stored_on_every_database(db, framework):
    seconds, errors = submit_concurrently(db, framework, 40)
    assert errors == []
    assert len(seconds) == 40
    with db.read() as session:
        assert session.scalar(sa.select(sa.func.count(Submission.id))) == 40
        assert session.scalar(sa.select(sa.func.count(Answer.id))) == 40 * 8
    assert db.integrity_check() == "ok"


def test_concurrent_submissions_into_a_round_with_live_results_are_all_stored_on_every_database(
    db, framework
):
    # Each submission publishes the round's results too, locking the round as it does.
    seconds, errors = submit_concurrently(db, framework, 40, live_results=True)
    assert errors == []
    assert len(seconds) == 40
    with db.read() as session:
        assert session.scalar(sa.select(sa.func.count(Submission.id))) == 40
