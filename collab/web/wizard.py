"""Where the member is in the answer form: one learning point per screen, then a check
of every answer before sending, or every point on one page for those who prefer it.

Steps are numbered from 1 (the first learning point) to the number of points; the step
after the last point is the check before sending. Moving to another step brings its top
into view (and the keyboard's focus to its heading), since the browser would otherwise
stay scrolled where the button was.
"""

from __future__ import annotations

import streamlit as st

from collab.store.framework import Framework

STEP_KEY = "submit_step"
ONE_PAGE_KEY = "submit_one_page"
SCROLL_KEY = "submit_scroll_to"
# The keyed container of each step, as CSS classes (Streamlit's ``st-key-`` prefix).
POINT_AREA = "submit_point_{point}"
CHECK_AREA = "submit_check"


def check_step(framework: Framework) -> int:
    """The step that checks every answer before sending."""
    return len(framework.point_keys) + 1


def current_step(framework: Framework) -> int:
    """The step the member is on, kept within the form's steps."""
    step = st.session_state.get(STEP_KEY, 1)
    return min(max(int(step), 1), check_step(framework))


def one_page() -> bool:
    """Whether the member chose to see every point on one page."""
    return bool(st.session_state.get(ONE_PAGE_KEY, False))


def progress(framework: Framework, step: int) -> tuple[float, str]:
    """How far through the form ``step`` is (0 to 1) and how to say it."""
    points = len(framework.point_keys)
    if step >= check_step(framework):
        return 1.0, "Check your answers before sending"
    return step / points, f"Point {step} of {points}"


def area_of(framework: Framework, step: int) -> str:
    """The key of the container that shows ``step``."""
    if step >= check_step(framework):
        return CHECK_AREA
    return POINT_AREA.format(point=framework.point_keys[step - 1])


def go_to(framework: Framework, step: int) -> None:
    """Move to ``step`` and bring it into view (a callback: before the page is drawn)."""
    step = min(max(step, 1), check_step(framework))
    st.session_state[STEP_KEY] = step
    bring_into_view(area_of(framework, step))


def first_problem_step(framework: Framework, problems: dict[str, str]) -> int | None:
    """The step of the first learning point with a problem, or None."""
    for number, point in enumerate(framework.point_keys, start=1):
        if point in problems:
            return number
    return None


def bring_into_view(area: str) -> None:
    """Ask for the container keyed ``area`` to be scrolled to once this run is drawn."""
    count = st.session_state.get(SCROLL_KEY, (0, ""))[0] + 1
    st.session_state[SCROLL_KEY] = (count, area)


def scroll_when_asked() -> None:
    """Scroll to the container asked for and move the focus to its first heading; call
    last on the page, once everything above is drawn.

    A fixed script with no text from anyone: Streamlit itself never scrolls the page when
    its content changes, so a phone would stay at the bottom of the previous point.
    """
    request = st.session_state.pop(SCROLL_KEY, None)
    if not request:
        return
    count, area = request
    st.html(
        f"""<script>/* {count} */
        (() => {{
          const area = document.querySelector(".st-key-{area}");
          if (!area) return;
          area.scrollIntoView({{block: "start"}});
          const heading = area.querySelector("h1, h2, h3");
          if (heading) {{
            heading.setAttribute("tabindex", "-1");
            heading.focus({{preventScroll: true}});
          }}
        }})();
        </script>""",
        unsafe_allow_javascript=True,
        width=1,
    )
