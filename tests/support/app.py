"""The app under Streamlit's AppTest: started as a role, and what its pages show."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

PROJECT_DIR = Path(__file__).resolve().parents[2]
APP = PROJECT_DIR / "app.py"
# Generous: a page run on a busy machine can take several seconds; only a hang reaches it.
TIMEOUT_SECONDS = 60


def start_app(role: str = "member", page: str | None = None) -> AppTest:
    """app.py run as if ``role`` had signed in, switched to ``page`` when one is given."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_SECONDS)
    at.session_state["role"] = role
    at.run()
    if page is not None:
        at.switch_page(page).run()
    return at


def open_page(page: str, role: str = "leadership") -> AppTest:
    """The page script ``page`` (relative to the project) run on its own as ``role``."""
    at = AppTest.from_file(PROJECT_DIR / page, default_timeout=TIMEOUT_SECONDS)
    at.session_state["role"] = role
    return at.run()


def open_submit_page(code: str | None = None) -> AppTest:
    """The submit page as a member opens it from an invite link (or without a code)."""
    at = start_app()
    if code is not None:
        at.query_params["code"] = code
    return at.switch_page("pages/submit.py").run()


def page_text(at: AppTest) -> str:
    """Every title, heading, paragraph, caption, message and text the page shows."""
    parts = [*at.title, *at.header, *at.subheader, *at.markdown, *at.caption]
    parts += [*at.info, *at.error, *at.success, *at.warning, *at.text]
    return "\n".join(str(part.value) for part in parts)


def texts(elements) -> str:
    """The values of ``elements`` as one string, without Markdown's escaping backslashes."""
    return " ".join(str(e.value) for e in elements).replace("\\", "")


def chart(at: AppTest, key: str) -> dict:
    """The plotly figure (as JSON) of the chart with ``key``."""
    for element in at.get("plotly_chart"):
        if key in element.proto.id:
            return json.loads(element.proto.spec)
    raise AssertionError(f"no chart with key {key!r}")


def every_point_on_one_page(at: AppTest) -> AppTest:
    """The submit page's form with every learning point at once, as its toggle "Show all
    points on one page" shows it (the form opens one point at a time)."""
    return at.toggle(key="submit_one_page").set_value(True).run()


def receipt_code(at: AppTest) -> str | None:
    """The receipt code the submit page shows under "Your receipt code ...", or None."""
    labelled = any(str(m.value).startswith("**Your receipt code") for m in at.markdown)
    return str(at.code[0].value) if labelled and at.code else None


def run_async(coroutine):
    """Run ``coroutine`` to its end in a thread of its own, so it works even where this
    thread already runs an event loop (Playwright's, after a browser test)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
