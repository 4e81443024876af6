"""The people of the burst benchmark: members who open the invite link and send their
answers, and the leadership team rerunning the Divergence overview.

A member's steps are found on the page, not assumed: every radio still unanswered gets
a choice, some comment boxes a comment, and the primary button (Next) is pressed until
the send button shows; pressing that must bring the receipt (a success message, the
form gone).
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from collab.web.form_screens import SEND_KEY
from tests.benchmarks import st_client
from tests.benchmarks.st_client import (
    RunResult,
    Session,
    Widget,
    open_like_a_browser,
    widget_state,
)
from tests.e2e.served_app import LEADERSHIP_PASSCODE

# A receipt (or invite) code as the app shows it: three groups of four.
CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b")
# The most runs a member needs from a loaded form to its send button (the app's form
# takes a run per learning point and one for the check of every answer).
MAX_STEPS = 12


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


@dataclass
class Leadership:
    """The leadership session's reruns, by the phase of the burst they ended in."""

    phase: str = "warm-up"
    reruns: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warm: asyncio.Event = field(default_factory=asyncio.Event)


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


def next_button(widgets: list[Widget]) -> Widget | None:
    """The button that moves the form on: its primary submit button, else any primary."""
    submitters = [w for w in widgets if w.kind == "button" and w.is_form_submitter]
    primary = [w for w in widgets if w.kind == "button" and w.primary]
    for candidates in ([w for w in submitters if w.primary], submitters, primary):
        if candidates:
            return candidates[-1]
    return None


def is_send(button: Widget) -> bool:
    """Whether ``button`` sends the answers (the app's send button, a form's submit)."""
    return button.has_key(SEND_KEY) or button.is_form_submitter


async def answer(member: Member, rng: random.Random) -> None:
    """Answer every point, step by step, until the send button shows (not pressed)."""
    result = member.last
    if result is None:
        return
    try:
        for _ in range(MAX_STEPS):
            button = next_button(result.widgets())
            if button is None:
                member.errors.append("answer: no button to go on with")
                return
            if is_send(button):
                member.last = result
                return
            changes = [*answer_changes(result.widgets(), rng), widget_state(button, True)]
            result = await member.session.run(changes=changes)
            member.step_seconds.append(result.seconds)
            if found := problems(result):
                member.errors += [f"answer: {p}" for p in found]
                return
        member.errors.append(f"answer: no send button after {MAX_STEPS} runs")
    except Exception as exc:  # reported with the run's errors
        member.errors.append(f"answer: {type(exc).__name__}: {exc}")


async def send(member: Member, rng: random.Random) -> None:
    """Press send on the form answered; the time to receipt is that run."""
    result = member.last
    if result is None or member.errors:
        return
    button = next_button(result.widgets())
    if button is None or not is_send(button):
        member.errors.append("send: no button to send the answers")
        return
    try:
        changes = [*answer_changes(result.widgets(), rng), widget_state(button, True)]
        result = await member.session.run(changes=changes)
    except Exception as exc:  # reported with the run's errors
        member.errors.append(f"send: {type(exc).__name__}: {exc}")
        return
    member.last = result
    if found := problems(result):
        member.errors += [f"send: {p}" for p in found]
    elif not saved(result):
        member.errors.append(f"send: no receipt shown: {result.texts()[:3]}")
    else:
        member.receipt_seconds = result.seconds
        # A shared code's answers get a receipt code; a personal code is its own.
        shown = [code for code in result.find(CODE) if code != member.code]
        member.receipt = shown[0] if shown else member.code


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
