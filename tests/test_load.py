"""Under load: members submitting at once while the leadership dashboard keeps reading.

200 submissions from 20 writer threads go through ``submissions.submit`` while 20 reader
threads compute the round's results and participation afresh as often as the live check
screen looks for news, as 20 such screens would with none of the pages' caching. Every
submission must be stored exactly once, no thread may meet an error, and the database
must stay sound. The time of each submission and of each dashboard read
(median, 95th percentile and slowest) goes to the pytest report as properties and to
``test-artifacts/load-<database>.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import statistics
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from collab.domain import submissions
from collab.domain.answers import participation
from collab.stats.results import round_results
from collab.store.db import Database
from collab.store.framework import Framework
from collab.store.models import Answer, Respondent, Revision, Submission
from collab.web.live_check import SCREEN_REFRESH_SECONDS
from tests.support.alliances import open_alliance
from tests.support.databases import count_rows

ARTIFACTS_DIR = Path(__file__).resolve().parent.parent / "test-artifacts"
SUBMISSIONS = 200
WRITERS = 20
READERS = 20
ROUND = "Busy spring meeting"
ORGANISATIONS = ("Northgate Council", "Harbour Trust", "Open Door Project", "Kestrel Housing")
# A thread still running after this long is stuck: the test fails rather than hangs.
STUCK_AFTER_SECONDS = 120


def answers_for(framework: Framework, n: int) -> dict[str, submissions.AnswerInput]:
    """Submission ``n``'s answers; each comment names the submission."""
    return {
        point: (
            submissions.AnswerInput(dont_know=True, comment=f"load #{n}")
            if (n + i) % 7 == 0
            else submissions.AnswerInput(score=(n * 3 + i) % 5 + 1, comment=f"load #{n}")
        )
        for i, point in enumerate(framework.point_keys)
    }


def timings(seconds: list[float]) -> dict[str, float]:
    """Median, 95th percentile and slowest, in milliseconds."""
    return {
        "count": len(seconds),
        "p50_ms": round(statistics.median(seconds) * 1000, 1),
        "p95_ms": round(statistics.quantiles(seconds, n=20)[18] * 1000, 1),
        "max_ms": round(max(seconds) * 1000, 1),
    }


class Load:
    """The writer and reader threads, what each of them timed, and every error they met."""

    def __init__(self, db: Database, framework: Framework, round_id: int, codes: list[str]):
        self.db = db
        self.framework = framework
        self.round_id = round_id
        self.codes = codes
        self.work: queue.SimpleQueue[int] = queue.SimpleQueue()
        for n in range(SUBMISSIONS):
            self.work.put(n)
        self.finished = threading.Event()
        self.start = threading.Barrier(WRITERS + READERS)
        self.submit_seconds: list[float] = []
        self.read_seconds: list[float] = []
        self.errors: list[BaseException] = []

    def write(self) -> None:
        try:
            self.start.wait()
            while True:
                try:
                    n = self.work.get_nowait()
                except queue.Empty:
                    return
                started = time.perf_counter()
                submissions.submit(
                    self.db,
                    framework=self.framework,
                    code=self.codes[n % len(self.codes)],
                    answers=answers_for(self.framework, n),
                    idempotency_key=f"load-{n}",
                )
                self.submit_seconds.append(time.perf_counter() - started)
        except BaseException as exc:  # every error in any thread fails the test
            self.errors.append(exc)

    def read(self) -> None:
        try:
            self.start.wait()
            while not self.finished.is_set():
                started = time.perf_counter()
                round_results(self.db, framework=self.framework, round_name=ROUND, min_group_size=5)
                participation(self.db, round_id=self.round_id)
                took = time.perf_counter() - started
                self.read_seconds.append(took)
                self.finished.wait(max(0.0, SCREEN_REFRESH_SECONDS - took))
        except BaseException as exc:
            self.errors.append(exc)

    def run(self) -> float:
        """Run every thread to the end; return the wall-clock seconds the writing took."""
        writers = [threading.Thread(target=self.write) for _ in range(WRITERS)]
        readers = [threading.Thread(target=self.read) for _ in range(READERS)]
        for thread in readers + writers:
            thread.start()
        started = time.perf_counter()
        for thread in writers:
            thread.join(timeout=STUCK_AFTER_SECONDS)
        elapsed = time.perf_counter() - started
        self.finished.set()
        for thread in readers:
            thread.join(timeout=STUCK_AFTER_SECONDS)
        assert not any(thread.is_alive() for thread in writers + readers)
        return elapsed


def test_200_concurrent_submissions_with_20_dashboard_readers(db, framework, record_property):
    alliance = open_alliance(
        db,
        framework,
        organisation_names=ORGANISATIONS,
        round_name=ROUND,
        closes_on=dt.date(2027, 5, 31),
        live_results=True,
    )
    load = Load(db, framework, alliance.round_id, alliance.codes)

    elapsed = load.run()

    assert load.errors == []
    points = len(framework.point_keys)
    assert count_rows(db, Submission) == SUBMISSIONS
    assert count_rows(db, Revision) == SUBMISSIONS
    assert count_rows(db, Respondent) == SUBMISSIONS
    assert count_rows(db, Answer) == SUBMISSIONS * points
    with db.read() as session:
        per_submission = session.execute(
            sa.select(
                Submission.id,
                sa.func.count(sa.distinct(Revision.id)),
                sa.func.count(Answer.id),
                sa.func.min(Answer.comment),
                sa.func.max(Answer.comment),
            )
            .join(Revision, Revision.submission_id == Submission.id)
            .join(Answer, Answer.revision_id == Revision.id)
            .where(Revision.number == Submission.current_revision)
            .group_by(Submission.id)
        ).all()
    # Exactly one current revision with all its answers, and each form stored once.
    assert {(revisions, answers) for _, revisions, answers, _, _ in per_submission} == {(1, points)}
    assert all(first == last for _, _, _, first, last in per_submission)
    assert sorted(first for _, _, _, first, _ in per_submission) == sorted(
        f"load #{n}" for n in range(SUBMISSIONS)
    )
    assert db.integrity_check() == "ok"
    assert len(load.read_seconds) >= READERS

    database = db.engine.dialect.name
    figures = {
        "database": database,
        "submissions": SUBMISSIONS,
        "writer_threads": WRITERS,
        "reader_threads": READERS,
        "wall_clock_s": round(elapsed, 2),
        "submissions_per_s": round(SUBMISSIONS / elapsed, 1),
        "submit": timings(load.submit_seconds),
        "dashboard_read": timings(load.read_seconds),
    }
    for kind in ("submit", "dashboard_read"):
        for name, value in figures[kind].items():
            record_property(f"{database}_{kind}_{name}", value)
    record_property(f"{database}_wall_clock_s", figures["wall_clock_s"])
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    (ARTIFACTS_DIR / f"load-{database}.json").write_text(
        json.dumps(figures, indent=2) + "\n", encoding="utf-8"
    )
