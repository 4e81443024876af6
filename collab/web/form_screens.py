"""What the answer form draws: a learning point, the way between points, the check of
every answer before sending, and the receipt.

Built for a thumb on a phone: each option of a radio and each button is at least 44
pixels tall (the stylesheet, scoped to the form's container ``submit_form``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from collab.domain.submissions import Receipt
from collab.store.framework import Framework, LearningPoint
from collab.web import draft, form, wizard
from collab.web.page import escape_markdown

FORM_AREA = "submit_form"
NEXT_KEY = "submit_next_{step}"
BACK_KEY = "submit_back_{step}"
CHANGE_KEY = "submit_change_{point}"
SEND_KEY = "submit_send"
RECEIPT_CODE_AREA = "submit_receipt_code"
STYLESHEET = Path(__file__).with_name("member_form.css")


def answer_form(
    framework: Framework,
    *,
    problems: dict[str, str],
    attention: str,
    send_label: str,
    on_send: Callable[[], None],
    max_comment_chars: int,
    attention_on_top: bool,
) -> None:
    """The form as the member left it: the step they are on, or every point on one page
    when they chose that, with what needs ``attention`` where they will see it.

    ``attention_on_top`` repeats ``attention`` above a one-page form, not only by its
    button (a revision's refusal, what is missing).
    """
    if draft.resumed():
        st.info(
            "Welcome back: the answers you hadn't sent yet are here, and you are where you "
            "left off. Nothing is sent until you press Send.",
            icon=":material/history:",
        )
    with st.container(key=FORM_AREA):
        st.toggle(
            "Show all points on one page", key=wizard.ONE_PAGE_KEY, persist_state=form.PERSIST
        )
        step = wizard.current_step(framework)
        if wizard.one_page():
            if attention and attention_on_top:
                st.error(attention, icon=":material/error:")
            for number, point in enumerate(framework.learning_points, start=1):
                learning_point(
                    framework,
                    number,
                    point,
                    problem=problems.get(point.key),
                    max_comment_chars=max_comment_chars,
                    numbered=True,
                )
                st.divider()
            send_button(label=send_label, on_click=on_send, attention=attention)
        elif step == wizard.check_step(framework):
            check_answers(framework, problems=problems)
            send_button(label=send_label, on_click=on_send, attention=attention)
            way_back(framework, step)
        else:
            point = framework.learning_points[step - 1]
            learning_point(
                framework,
                step,
                point,
                problem=problems.get(point.key),
                max_comment_chars=max_comment_chars,
                numbered=False,
                # Only on a point still missing something: the others have nothing wrong.
                attention=attention if point.key in problems else "",
            )
            way_on(framework, step)
        if draft.failed():
            st.warning(
                "Your latest change couldn't be kept as a draft just now. It is still on "
                "this page, and your next change tries again.",
                icon=":material/cloud_off:",
            )
    wizard.scroll_when_asked()


def stylesheet() -> None:
    """The form's stylesheet (call once per run, anywhere on the page)."""
    st.html(STYLESHEET)


def learning_point(
    framework: Framework,
    number: int,
    point: LearningPoint,
    *,
    problem: str | None,
    max_comment_chars: int,
    numbered: bool,
    attention: str = "",
) -> None:
    """One learning point: its statement and help, the scale with don't know, a comment
    box, and what stops it being sent, if anything.

    ``numbered`` puts the number in the heading (every point on one page); otherwise the
    point is a step, under a progress bar and ``attention``, what needs attention in all.
    """
    with st.container(key=wizard.POINT_AREA.format(point=point.key)):
        if not numbered:
            value, text = wizard.progress(framework, number)
            st.progress(value, text=text)
            if attention:
                st.error(attention, icon=":material/error:")
        st.subheader(f"{number}. {point.title}" if numbered else point.title)
        st.write(point.statement)
        st.caption(point.help)
        if problem:
            st.error(f"{problem[0].upper()}{problem[1:]}.", icon=":material/arrow_downward:")
        st.radio(
            "How far is this true of the alliance?",
            form.scale_options(framework),
            index=None,
            format_func=lambda option: form.scale_option_label(framework, option),
            key=form.ANSWER_KEY.format(point=point.key),
            on_change=draft.changed,
            persist_state=form.PERSIST,
        )
        comment_key = form.COMMENT_KEY.format(point=point.key)
        st.text_area(
            "Comment (optional)",
            key=comment_key,
            # A loaded comment longer than today's limit stays whole rather than being cut
            # short unseen; sending it names the point whose comment needs shortening.
            max_chars=max(max_comment_chars, len(st.session_state.get(comment_key) or "")),
            height=96,
            on_change=draft.changed,
            persist_state=form.PERSIST,
        )


def _step_to(framework: Framework, step: int) -> None:
    wizard.go_to(framework, step)
    draft.changed()


def way_on(framework: Framework, step: int) -> None:
    """Back and Next under a point; on the last point Next leads to the check.

    Each button is keyed by its step, so a double tap moves one step, not two.
    """
    last = step == len(framework.point_keys)
    with st.container(horizontal=True, key="submit_way_on"):
        if step > 1:
            way_back(framework, step)
        st.button(
            "Check my answers" if last else "Next",
            key=NEXT_KEY.format(step=step),
            icon=":material/checklist:" if last else ":material/arrow_forward:",
            icon_position="right",
            type="primary",
            on_click=_step_to,
            args=(framework, step + 1),
            width="stretch",
        )


def way_back(framework: Framework, step: int) -> None:
    """Back to the step before ``step`` (under a point, and under the check of every
    answer)."""
    st.button(
        "Back",
        key=BACK_KEY.format(step=step),
        icon=":material/arrow_back:",
        on_click=_step_to,
        args=(framework, step - 1),
        width="stretch",
    )


def check_answers(framework: Framework, *, problems: dict[str, str]) -> None:
    """Every answer and comment, each with a way back to change it."""
    answers = form.answers_in_form(framework)
    check = wizard.check_step(framework)
    with st.container(key=wizard.CHECK_AREA):
        value, text = wizard.progress(framework, check)
        st.progress(value, text=text)
        st.subheader("Check your answers")
        st.write("Change anything you like, then send. Nothing is sent until you do.")
        for number, point in enumerate(framework.learning_points, start=1):
            answer = answers[point.key]
            with st.container(border=True, key=f"submit_check_{point.key}"):
                st.markdown(f"**{number}. {escape_markdown(point.title)}**")
                chosen = form.answer_label(framework, answer)
                if point.key in problems:
                    problem = problems[point.key]
                    st.error(f"{problem[0].upper()}{problem[1:]}.", icon=":material/error:")
                elif chosen is None:
                    st.markdown(":material/radio_button_unchecked: Not answered yet")
                if chosen is not None:
                    st.markdown(f":material/check_circle: {escape_markdown(chosen)}")
                if answer.comment.strip():
                    st.markdown(f"Your comment: {escape_markdown(answer.comment.strip())}")
                st.button(
                    f"Change point {number}",
                    key=CHANGE_KEY.format(point=point.key),
                    icon=":material/edit:",
                    type="tertiary",
                    on_click=_step_to,
                    args=(framework, number),
                )


def send_button(*, label: str, on_click: Callable[[], None], attention: str) -> None:
    """The button that sends the form, with what needs attention next to it."""
    if attention:  # by the button too, where a phone's screen is after sending
        st.error(attention, icon=":material/error:")
    st.button(
        label,
        key=SEND_KEY,
        type="primary",
        icon=":material/send:",
        on_click=on_click,
        width="stretch",
    )


def receipt(found: Receipt, *, invite_code: str, receipt_code: str | None) -> None:
    """What a member sees once their answers are stored: the receipt, always.

    ``receipt_code`` is the code a revision was opened with, if this session knows it.
    """
    round_name = escape_markdown(found.round)
    version = f" (version {found.revision} of your answers)" if found.revision > 1 else ""
    if found.personal:
        st.success(f"Thank you: your answers are saved{version}.", icon=":material/check:")
        if invite_code.strip():
            _copyable("Your invite code is your receipt", invite_code.strip())
        else:
            st.markdown("**Your invite code is your receipt.**")
        st.write(
            "Open the same link, or type the same code, to change your answers while "
            f"round '{round_name}' is open. Nobody else can look them up."
        )
        return
    code = found.code or receipt_code
    if found.revision > 1:
        st.success(f"Your changes are saved{version}.", icon=":material/check:")
        label = "Your receipt code stays the same"
    else:
        st.success("Thank you: your answers are saved.", icon=":material/check:")
        label = "Your receipt code"
    if code:
        _copyable(label, code)
        st.write(
            "Keep this code (copy it, or take a photo or a note) to change your answers "
            f"while round '{round_name}' is open. It is the only link between you and "
            "your answers: nobody else can look them up."
        )
    else:
        st.write(
            "Your receipt code is the one you typed to change these answers; it stays "
            f"the same. Use it again to change them while round '{round_name}' is open."
        )


def _copyable(label: str, code: str) -> None:
    """A code to keep, under its label, with a copy button beside it."""
    with st.container(key=RECEIPT_CODE_AREA):
        st.markdown(f"**{escape_markdown(label)}**")
        st.code(code, language=None)
        st.caption("Copy it with the button at the right of the code.")
