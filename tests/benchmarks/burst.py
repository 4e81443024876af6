"""Burst benchmark: ``make bench-burst``.

A room of members opening the invite link at once while the leadership team watches.
Starts the app (``streamlit run app.py``) over a temporary alliance, then drives it
over its websocket as browsers do (``st_client.py``):

1. a leadership session signs in and reruns the Divergence overview of the open round
   (live results on) in a loop until the end;
2. ``--sessions`` members (default 60) open the invite link (the submit page with
   ``?code=``) at once: each fetches the page and, unless ``--no-static``, the scripts
   and styles the page names, connects and asks for its first run;
3. once every form has loaded, all of them send their answers at once.

It prints the form-load and time-to-receipt percentiles, the leadership reruns, the
errors, the server's CPU time per phase, and checks in the database that every receipt
shown is stored exactly once. Then, with the room quiet, it times single runs of the
member form against a bare Streamlit page with the same widgets
(``tests/benchmarks/bare_form.py``, served by a second server) and prints the ratio.

Targets on a 2-core machine with 60 sessions: form-load p95 < 5 s, time-to-receipt
p95 < 3 s, no errors, every response stored once, the member form within 1.3x of the
bare page. ``--profile FILE.svg`` records the server with py-spy during each phase.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

from collab.store.framework import load_framework
from tests.benchmarks import st_client
from tests.benchmarks.burst_alliance import (
    BurstAlliance,
    build_alliance,
    stored_once,
    submissions_in_round,
    temporary_database,
)
from tests.benchmarks.st_client import RunResult, Session, Widget, widget_state
from tests.e2e.served_app import LEADERSHIP_PASSCODE, SERVER_PIDS, served_app

BARE_PAGE = "tests/benchmarks/bare_form.py"
# A receipt (or invite) code as the app shows it: three groups of four.
CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")
STATIC_REFERENCE = re.compile(r'(?:src|href)="\./(static/[^"]+)"')
# A browser opens at most six connections to one host at a time.
BROWSER_CONNECTIONS = 6
# The most runs a member needs from a loaded form to a receipt (one today: send).
MAX_STEPS = 12
# Server CPU still being spent after a run answered (Streamlit collects garbage then).
SETTLE_SECONDS = 0.3
TARGETS = {"form_load_p95": 5.0, "receipt_p95": 3.0, "bare_ratio": 1.3}


@dataclass
class Member:
    code: str
    session: Session
    load_seconds: float | None = None
    fetch_seconds: float | None = None  # of the load: the page, its scripts and styles
    receipt_seconds: float | None = None
    step_seconds: list[float] = field(default_factory=list)
    receipt: str | None = None
    errors: list[str] = field(default_factory=list)
    last: RunResult | None = None


@dataclass(frozen=True)
class Server:
    """A served app: its address and its process."""

    base_url: str
    pid: int


@contextmanager
def served(database_url: str, *, log_path: Path, script: str | None = None) -> Iterator[Server]:
    """The app (or a bare ``script``) served over ``database_url`` until the block ends."""
    with served_app(database_url, log_path=log_path, script=script) as base_url:
        yield Server(base_url, SERVER_PIDS[base_url])


@dataclass
class Leadership:
    """The leadership session's reruns, by the phase of the burst they ended in."""

    phase: str = "warm-up"
    reruns: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warm: asyncio.Event = field(default_factory=asyncio.Event)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def spread(values: list[float]) -> str:
    """p50 / p95 / max of ``values`` in seconds."""
    if not values:
        return "no values"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):.2f} s, p95 {p95:.2f} s, max {ordered[-1]:.2f} s"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


class Connection:
    """One HTTP/1.1 connection kept open between requests, as a browser keeps it."""

    def __init__(self, base_url: str):
        self.address = urlsplit(base_url)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> bytes:
        """The body of ``GET /path``."""
        if self.writer is None:
            host, port = self.address.hostname, self.address.port
            self.reader, self.writer = await asyncio.open_connection(host, port)
        assert self.reader is not None
        self.writer.write(f"GET /{path} HTTP/1.1\r\nHost: {self.address.netloc}\r\n\r\n".encode())
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status = head.split(" ", 2)[1]
        length = re.search(r"(?im)^content-length:\s*(\d+)", head)
        if status != "200" or length is None:
            raise st_client.ProtocolError(f"GET /{path}: HTTP {status}")
        return await self.reader.readexactly(int(length.group(1)))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def open_like_a_browser(base_url: str, path: str, *, static: bool) -> None:
    """What a browser fetches before it connects, over at most six connections: the
    page, its scripts and styles (a first visit has none cached), the health check and
    the host's settings."""
    connections = [Connection(base_url) for _ in range(BROWSER_CONNECTIONS)]
    try:
        html = (await connections[0].get(path)).decode()
        assets = sorted(set(STATIC_REFERENCE.findall(html))) if static else []
        queue = ["_stcore/health", "_stcore/host-config", *assets]

        async def fetch(connection: Connection) -> None:
            while queue:
                await connection.get(queue.pop())

        await asyncio.gather(*(fetch(c) for c in connections))
    finally:
        for connection in connections:
            connection.close()


def problems(result: RunResult) -> list[str]:
    found = result.errors()
    if result.status != st_client.FINISHED:
        found.append(f"run ended with status {result.status}")
    return found


async def open_form(member: Member, *, page: str, static: bool) -> None:
    """Open the invite link; the form-load time runs from the first request to the
    form drawn."""
    query = urlencode({"code": member.code})
    started = time.perf_counter()
    try:
        await open_like_a_browser(member.session.base_url, f"{page}?{query}", static=static)
        member.fetch_seconds = time.perf_counter() - started
        await member.session.connect()
        result = await member.session.run(page=page, query=query)
    except Exception as exc:  # a failure to load is an error of the run, reported
        member.errors.append(f"load: {type(exc).__name__}: {exc}")
        return
    member.load_seconds = time.perf_counter() - started
    member.last = result
    member.errors += [f"load: {p}" for p in problems(result)]
    if not any(w.kind == "radio" for w in result.widgets()):
        member.errors.append("load: the form has no questions")


def answer_changes(widgets: list[Widget], rng: random.Random) -> list:
    """A member's choices for the questions shown and not yet answered."""
    changes = []
    for widget in widgets:
        if widget.kind == "radio" and widget.value is None and widget.options:
            scores, dont_know = list(widget.options[:-1]), widget.options[-1]
            choice = dont_know if rng.random() < 0.05 or not scores else rng.choice(scores)
            changes.append(widget_state(widget, choice))
        elif widget.kind == "text_area" and not widget.value and rng.random() < 0.3:
            changes.append(widget_state(widget, "Better than last year, but slow to spread."))
    return changes


def saved(result: RunResult) -> bool:
    """Whether the run says the answers are saved: a success message, the form gone."""
    return bool(result.successes()) and not any(w.kind == "radio" for w in result.widgets())


def send_button(widgets: list[Widget]) -> Widget | None:
    """The button that moves the form on: its primary submit button, else any."""
    submitters = [w for w in widgets if w.kind == "button" and w.is_form_submitter]
    primary = [w for w in widgets if w.kind == "button" and w.primary]
    for candidates in ([w for w in submitters if w.primary], submitters, primary):
        if candidates:
            return candidates[-1]
    return None


async def send_answers(member: Member, rng: random.Random) -> None:
    """Answer and press send until a receipt code shows; the time to receipt is the run
    that shows it."""
    result = member.last
    if result is None:
        return
    try:
        for _ in range(MAX_STEPS):
            button = send_button(result.widgets())
            if button is None:
                member.errors.append("send: no button to send the answers")
                return
            changes = [*answer_changes(result.widgets(), rng), widget_state(button, True)]
            result = await member.session.run(changes=changes)
            member.step_seconds.append(result.seconds)
            if found := problems(result):
                member.errors += [f"send: {p}" for p in found]
                return
            if saved(result):
                member.receipt_seconds = result.seconds
                # A shared code's answers get a receipt code; a personal code is its own.
                shown = [code for code in result.find(CODE) if code != member.code]
                member.receipt = shown[0] if shown else member.code
                return
        member.errors.append(f"send: no receipt after {MAX_STEPS} runs")
    except Exception as exc:  # reported with the run's errors
        member.errors.append(f"send: {type(exc).__name__}: {exc}")


async def sign_in_leadership(session: Session) -> None:
    """Sign in with the leadership passcode through the sign-in form."""
    await session.connect()
    page = await session.run(page="sign-in")
    widgets = page.widgets()
    passcode = next(w for w in widgets if w.has_key("sign_in_passcode"))
    button = next(w for w in widgets if w.is_form_submitter)
    home = await session.run(
        changes=[widget_state(passcode, LEADERSHIP_PASSCODE), widget_state(button, True)]
    )
    if problems(home) or any(w.has_key("sign_in_passcode") for w in home.widgets()):
        raise RuntimeError(f"leadership sign-in failed: {problems(home)}")


async def leadership_loop(session: Session, stop: asyncio.Event, seen: Leadership) -> None:
    """Rerun the Divergence overview, one run after another, until ``stop``."""
    try:
        result = await session.run(page="divergence")
        while not stop.is_set():
            seen.errors += problems(result)
            result = await session.run()
            seen.reruns.setdefault(seen.phase, []).append(result.seconds)
            if len(seen.reruns.get("warm-up", [])) >= 2:
                seen.warm.set()
    except Exception as exc:  # reported
        seen.errors.append(f"{type(exc).__name__}: {exc}")
        seen.warm.set()


class Profiler:
    """py-spy recording the server while a phase runs (no-op without ``--profile``)."""

    def __init__(self, py_spy: str | None, output: Path | None, pid: int):
        self.py_spy, self.output, self.pid = py_spy, output, pid
        self.process: subprocess.Popen | None = None

    def start(self, phase: str) -> None:
        if not (self.py_spy and self.output):
            return
        out = self.output.with_name(f"{self.output.stem}-{phase}{self.output.suffix}")
        fmt = {".svg": "flamegraph", ".json": "speedscope"}.get(self.output.suffix, "raw")
        self.process = subprocess.Popen(
            [self.py_spy, "record", "--pid", str(self.pid), "--output", str(out)]
            + ["--format", fmt, "--rate", "200", "--threads", "--gil", "--nonblocking"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)  # py-spy attaches

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=60)
            self.process = None


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
    await asyncio.sleep(SETTLE_SECONDS)
    cpu.append(cpu_seconds(pid))
    await send_answers(member, random.Random(0))
    await asyncio.sleep(SETTLE_SECONDS)
    cpu.append(cpu_seconds(pid))
    await member.session.close()
    if member.errors or member.load_seconds is None or member.receipt_seconds is None:
        raise RuntimeError(f"single run of {page or 'the bare page'} failed: {member.errors}")
    load_run = member.last.seconds if member.last else 0.0
    return load_run, member.receipt_seconds, cpu[1] - cpu[0], cpu[2] - cpu[1]


async def compare_with_bare(app: Server, bare: Server, code: str, repeat: int) -> None:
    """Time single runs of the member form and of the bare page, alternately: the median
    latency, and the server CPU per run averaged over the runs (the clock ticks in
    hundredths of a second)."""
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
    cpu_ratio = (form[2] + form[3]) / max(bare[2] + bare[3], 1e-9)
    latency_ratio = (form[0] + form[1]) / (bare[0] + bare[1])
    print(
        f"  member form / bare page (load + send): server CPU {cpu_ratio:.2f}x, "
        f"latency {latency_ratio:.2f}x  (target <= {TARGETS['bare_ratio']}x)"
    )


def peak_memory_mb(pid: int) -> float:
    """The most memory process ``pid`` has held at once (its peak resident set)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def report_burst(members: list[Member], leadership: Leadership, cpu: dict[str, float]) -> int:
    """Print the burst's figures; return the number of members with an error."""
    loads = [m.load_seconds for m in members if m.load_seconds is not None]
    receipts = [m.receipt_seconds for m in members if m.receipt_seconds is not None]
    n = len(members)
    fetches = [m.fetch_seconds for m in members if m.fetch_seconds is not None]
    print(f"form load ({len(loads)}/{n}):       {spread(loads)}  (target p95 < 5 s)")
    print(f"  of which fetching the page:   {spread(fetches)}")
    print(f"time to receipt ({len(receipts)}/{n}): {spread(receipts)}  (target p95 < 3 s)")
    for name in ("open", "send"):
        reruns = leadership.reruns.get(name, [])
        print(f"leadership reruns while {name}ing ({len(reruns)}): {spread(reruns)}")
    print(
        f"server CPU: opening {cpu['open']:.1f} s ({cpu['open'] / n * 1000:.0f} ms a member), "
        f"sending {cpu['send']:.1f} s ({cpu['send'] / n * 1000:.0f} ms a member)"
    )
    failed = [m for m in members if m.errors]
    print(f"errors: {len(failed)} members, {len(leadership.errors)} leadership runs")
    for message in sorted({e for m in failed for e in m.errors} | set(leadership.errors))[:10]:
        print(f"  {message[:300]}")
    return len(failed) + len(leadership.errors)


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

    async def send_all() -> None:
        await asyncio.gather(
            *(send_answers(m, random.Random(f"{args.seed}-{i}")) for i, m in enumerate(members))
        )

    cpu = {
        "open": await phase("open", app, profiler, leadership, open_all),
        "send": await phase("send", app, profiler, leadership, send_all),
    }
    client = resource.getrusage(resource.RUSAGE_SELF)
    stop.set()
    await watching
    await asyncio.gather(leader.close(), *(m.session.close() for m in members))
    errors = report_burst(members, leadership, cpu)
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
    await compare_with_bare(app, bare, shared, args.repeat)
    return errors == 0 and held


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=60, help="members at once")
    parser.add_argument(
        "--database-url", help="a PostgreSQL database to work in (a temporary schema)"
    )
    parser.add_argument("--no-static", action="store_true", help="skip the scripts and styles")
    parser.add_argument("--repeat", type=int, default=20, help="single runs of each page")
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
