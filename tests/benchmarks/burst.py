"""Burst benchmark: ``make bench-burst``.

A room of members opening the invite link at once while the leadership team watches.
Builds a temporary alliance (SQLite, or a schema of its own in the PostgreSQL database
``--database-url`` names) through the domain functions, serves the app as
``python -m collab serve`` does, and drives it over its websocket as browsers do
(``st_client.py``, ``burst_people.py``):

1. a leadership session signs in and reruns the Divergence overview of the open round
   (live results on) in a loop until the end;
2. ``--sessions`` members (default 60), each with a personal invite code, open their
   invite link (the submit page with ``?code=``) at once: each fetches the page and,
   unless ``--no-static``, the scripts, styles and font it names, connects and asks
   for its first run;
3. once every form has loaded, each answers point by point (Next on each screen) up to
   the check of every answer;
4. once all are there, all of them press Send at once.

It prints the form-load and time-to-receipt percentiles, the leadership reruns, the
errors, the server's CPU time per phase, and checks in the database that every member
told "saved" has their answers stored exactly once. Then, with the room quiet, it times
single runs of the member form against a bare Streamlit page with the same widgets
that stores the answers the same way (``bare_form.py``, served by a second server) and
prints the ratios of the run that draws the form and of the send, and a last line saying
which targets were met.

Targets on a 2-core machine with 60 sessions: form-load p95 < 5 s, time-to-receipt
p95 < 3 s, no errors, every response stored once, the run that draws the member form
within 1.3x of the bare page's. It exits with 1 when a member met an error or a
response was not stored exactly once (timings depend on the machine and never fail
it). ``--profile FILE.svg`` records the server with py-spy (from ``--py-spy`` or the
PATH) during each phase.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from collab.store.framework import load_framework
from tests.benchmarks.burst_alliance import (
    BurstAlliance,
    build_alliance,
    stored_once,
    submissions_in_round,
    temporary_database,
)
from tests.benchmarks.burst_people import (
    Leadership,
    Member,
    answer,
    leadership_loop,
    open_form,
    send,
    sign_in_leadership,
)
from tests.benchmarks.burst_server import Profiler, Server, cpu_seconds, peak_memory_mb, served
from tests.benchmarks.st_client import Session

BARE_PAGE = "tests/benchmarks/bare_form.py"
# Server CPU still being spent after a run answered (Streamlit tidies up then).
SETTLE_SECONDS = 0.3
TARGETS = {"form_load_p95": 5.0, "receipt_p95": 3.0, "bare_ratio": 1.3}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def spread(values: list[float]) -> str:
    """p50 / p95 / max of ``values`` in seconds."""
    if not values:
        return "no values"
    return (
        f"p50 {statistics.median(values):.2f} s, p95 {p95(values):.2f} s, max {max(values):.2f} s"
    )


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


async def phase(
    name: str,
    server: Server,
    profiler: Profiler,
    leadership: Leadership,
    work: Callable[[], Awaitable[object]],
) -> float:
    """Run ``work`` while profiling; return the server's CPU seconds spent meanwhile."""
    profiler.start(name)
    leadership.phase = name
    before = cpu_seconds(server.pid)
    await work()
    spent = cpu_seconds(server.pid) - before
    profiler.stop()
    return spent


async def single_form_run(base_url: str, page: str, code: str, pid: int) -> tuple[float, ...]:
    """One member alone: load and send; the latency and the server CPU of each run."""
    member = Member(code, Session(base_url))
    cpu = [cpu_seconds(pid)]
    await open_form(member, page=page, static=False)
    load_run = member.last.seconds if member.last else 0.0
    await asyncio.sleep(SETTLE_SECONDS)
    cpu.append(cpu_seconds(pid))
    await answer(member, random.Random(0))
    await asyncio.sleep(SETTLE_SECONDS)
    cpu.append(cpu_seconds(pid))
    await send(member, random.Random(0))
    await asyncio.sleep(SETTLE_SECONDS)
    cpu.append(cpu_seconds(pid))
    await member.session.close()
    if member.errors or member.load_seconds is None or member.receipt_seconds is None:
        raise RuntimeError(f"single run of {page or 'the bare page'} failed: {member.errors}")
    return load_run, member.receipt_seconds, cpu[1] - cpu[0], cpu[3] - cpu[2]


async def compare_with_bare(app: Server, bare: Server, code: str, repeat: int) -> float:
    """Time single runs of the member form and of the bare page, alternately: the median
    latency, and the server CPU per run averaged over the runs (the clock ticks in
    hundredths of a second). Returns the ratio of their server CPU for the run that
    draws the form (sending stores the answers the same way in both, and is shown
    beside it)."""
    runs: dict[str, list[tuple[float, ...]]] = {"form": [], "bare": []}
    # Someone else keeps each app open, as on a server in use: Streamlit forgets the
    # compiled page scripts whenever its last session closes.
    keepers = [Session(app.base_url), Session(bare.base_url)]
    for keeper in keepers:
        await keeper.connect()
        await keeper.run()
    for i in range(repeat):
        order = [("form", app, "submit"), ("bare", bare, "")]
        for name, server, page in order if i % 2 == 0 else order[::-1]:
            runs[name].append(await single_form_run(server.base_url, page, code, server.pid))
    await asyncio.gather(*(keeper.close() for keeper in keepers))
    figures = {
        name: [statistics.median(r[i] for r in rows) for i in (0, 1)]
        + [statistics.fmean(r[i] for r in rows) for i in (2, 3)]
        for name, rows in runs.items()
    }
    print(f"single runs of {repeat} members one at a time, latency (median) / server CPU (mean):")
    for name, label in (("form", "member form"), ("bare", "bare page")):
        load, send, load_cpu, send_cpu = figures[name]
        print(
            f"  {label:11}  load {load * 1000:4.0f} / {load_cpu * 1000:4.0f} ms, "
            f"send {send * 1000:4.0f} / {send_cpu * 1000:4.0f} ms"
        )
    form, bare = figures["form"], figures["bare"]
    # The target is the run that draws the form; sending is shown beside it.
    for label, latency, cpu, target in (
        ("the form's run", 0, 2, f"  (target <= {TARGETS['bare_ratio']}x)"),
        ("the send's run", 1, 3, ""),
    ):
        print(
            f"  member form / bare page, {label}: server CPU "
            f"{form[cpu] / max(bare[cpu], 1e-9):.2f}x, latency "
            f"{form[latency] / bare[latency]:.2f}x{target}"
        )
    return form[2] / max(bare[2], 1e-9)


def report_burst(
    members: list[Member], leadership: Leadership, cpu: dict[str, float]
) -> tuple[int, float, float]:
    """Print the burst's figures; return the number of members and leadership runs with
    an error, and the form-load and time-to-receipt p95 (infinite when any is missing)."""
    loads = [m.load_seconds for m in members if m.load_seconds is not None]
    receipts = [m.receipt_seconds for m in members if m.receipt_seconds is not None]
    n = len(members)
    fetches = [m.fetch_seconds for m in members if m.fetch_seconds is not None]
    print(f"form load ({len(loads)}/{n}):       {spread(loads)}  (target p95 < 5 s)")
    print(f"  of which fetching the page:   {spread(fetches)}")
    print(f"time to receipt ({len(receipts)}/{n}): {spread(receipts)}  (target p95 < 3 s)")
    steps = [s for m in members for s in m.step_seconds]
    print(f"  steps through the form ({len(steps)} runs): {spread(steps)}")
    for name in ("open", "answer", "send"):
        reruns = leadership.reruns.get(name, [])
        print(f"leadership reruns while {name}ing ({len(reruns)}): {spread(reruns)}")
    print(
        "server CPU: "
        + ", ".join(
            f"{name} {cpu[name]:.1f} s ({cpu[name] / n * 1000:.0f} ms a member)"
            for name in ("open", "answer", "send")
        )
    )
    failed = [m for m in members if m.errors]
    print(f"errors: {len(failed)} members, {len(leadership.errors)} leadership runs")
    for message in sorted({e for m in failed for e in m.errors} | set(leadership.errors))[:10]:
        print(f"  {message[:300]}")
    load_p95 = p95(loads) if len(loads) == n else float("inf")
    receipt_p95 = p95(receipts) if len(receipts) == n else float("inf")
    return len(failed) + len(leadership.errors), load_p95, receipt_p95


async def burst(
    args, app: Server, bare: Server, alliance: BurstAlliance, profiler: Profiler
) -> bool:
    """The whole run against the served app; whether it met every correctness target
    (no errors, every response stored once)."""
    static, shared = not args.no_static, alliance.shared_code
    # Warm up as a server that has been running a while: one member, one bare page.
    for server, page in ((app, "submit"), (bare, "")):
        await single_form_run(server.base_url, page, shared, server.pid)
    earlier = submissions_in_round(alliance)
    leader, leadership, stop = Session(app.base_url), Leadership(), asyncio.Event()
    await sign_in_leadership(leader)
    watching = asyncio.create_task(leadership_loop(leader, stop, leadership))
    await leadership.warm.wait()  # its figures computed once, as before a meeting
    members = [Member(code, Session(app.base_url, timeout=args.timeout)) for code in alliance.codes]
    client_before = resource.getrusage(resource.RUSAGE_SELF)

    async def open_all() -> None:
        await asyncio.gather(*(open_form(m, page="submit", static=static) for m in members))

    rngs = [random.Random(f"{args.seed}-{i}") for i in range(len(members))]

    async def answer_all() -> None:
        await asyncio.gather(*(answer(m, rng) for m, rng in zip(members, rngs, strict=True)))

    async def send_all() -> None:
        await asyncio.gather(*(send(m, rng) for m, rng in zip(members, rngs, strict=True)))

    cpu = {
        "open": await phase("open", app, profiler, leadership, open_all),
        "answer": await phase("answer", app, profiler, leadership, answer_all),
        "send": await phase("send", app, profiler, leadership, send_all),
    }
    client = resource.getrusage(resource.RUSAGE_SELF)
    stop.set()
    await watching
    await asyncio.gather(leader.close(), *(m.session.close() for m in members))
    errors, load_p95, receipt_p95 = report_burst(members, leadership, cpu)
    client_cpu = (client.ru_utime + client.ru_stime) - (
        client_before.ru_utime + client_before.ru_stime
    )
    print(f"this client's own CPU meanwhile: {client_cpu:.1f} s")
    print(f"server peak memory: {peak_memory_mb(app.pid):.0f} MB")
    told_saved = [m.code for m in members if m.receipt]
    check = stored_once(alliance, told_saved, earlier=earlier)
    held = check.holds(args.sessions, len(told_saved))
    print(
        f"stored once: {check.submissions} new submissions; {len(told_saved)} of "
        f"{args.sessions} members told their answers are saved; of those, "
        f"{check.codes_missing} with nothing stored and {check.codes_revised} stored more "
        f"than once; one-time keys stored twice: {check.keys_stored_twice}  "
        f"({'ok' if held else 'FAILED'})"
    )
    ratio = await compare_with_bare(app, bare, shared, args.repeat)
    print(
        f"targets: form load p95 {load_p95:.2f} s < {TARGETS['form_load_p95']:.0f} s "
        f"{verdict(load_p95 < TARGETS['form_load_p95'])}; time to receipt p95 "
        f"{receipt_p95:.2f} s < {TARGETS['receipt_p95']:.0f} s "
        f"{verdict(receipt_p95 < TARGETS['receipt_p95'])}; no errors {verdict(errors == 0)}; "
        f"every response stored once {verdict(held)}; the form's run {ratio:.2f}x the "
        f"bare page's <= {TARGETS['bare_ratio']}x {verdict(ratio <= TARGETS['bare_ratio'])}"
    )
    return errors == 0 and held


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=60, help="members at once")
    parser.add_argument(
        "--database-url", help="a PostgreSQL database to work in (a temporary schema)"
    )
    parser.add_argument("--no-static", action="store_true", help="skip the scripts and styles")
    parser.add_argument("--repeat", type=int, default=30, help="single runs of each page")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds a run may take")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", type=Path, help="py-spy output (.svg, .json or .txt)")
    parser.add_argument("--py-spy", default=shutil.which("py-spy"), help="the py-spy program")
    args = parser.parse_args()

    framework = load_framework()
    folder = Path(tempfile.mkdtemp(prefix="collab-burst-"))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with temporary_database(args.database_url, folder) as database_url:
        alliance = build_alliance(database_url, framework, members=args.sessions, seed=args.seed)
        try:
            with (
                served(database_url, log_path=folder / "app.log") as app,
                served(database_url, log_path=folder / "bare.log", script=BARE_PAGE) as bare,
            ):
                profiler = Profiler(args.py_spy, args.profile, app.pid)
                kind = "PostgreSQL" if args.database_url else "SQLite"
                print(f"{args.sessions} members at once, {kind}, server pid {app.pid}")
                passed = asyncio.run(burst(args, app, bare, alliance, profiler))
        finally:
            alliance.db.dispose()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if passed:
        shutil.rmtree(folder, ignore_errors=True)
    else:
        print(f"server logs: {folder}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
