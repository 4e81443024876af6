"""Submit answers: a member scores each learning point with their invite code, or changes
the answers they gave with their receipt code. Built to work on a phone."""

import dataclasses
import uuid

import streamlit as st

from collab.domain import rounds, submissions
from collab.domain.invite_codes import find_invite_code
from collab.store.errors import CollabError, InvalidAnswers, Refused
from collab.web import cache, form, page, session

session.start_run()

framework = session.framework()
settings = session.settings()
db = cache.database()
state = st.session_state
# An invite link's code wins; otherwise keep the code typed earlier in this session.
state.setdefault("submit_code", st.query_params.get("code") or state.get("submit_last_code", ""))
# The form's one-time key lives in its address, so a resend after a reload, a lost
# connection or a server restart is known as the same form and stored once.
state.setdefault("submit_token", st.query_params.get("form") or uuid.uuid4().hex)
st.query_params["form"] = state["submit_token"]


def start_new_form() -> None:
    """Forget the last form, its receipt and any loaded answers; a new form gets a new key."""
    for key in (
        "submit_receipt",
        "submit_revising",
        "submit_problems",
        "submit_error",
        "submit_round_id",
        "submit_loaded",
        "submit_given",
    ):
        state.pop(key, None)
    state["submit_token"] = uuid.uuid4().hex
    st.query_params["form"] = state["submit_token"]
    form.clear_form(framework)


def send_answers() -> None:
    """Store the form (new answers or a revision) once, whatever the number of clicks."""
    state.pop("submit_problems", None)
    state.pop("submit_error", None)
    stored = state.get("submit_revising")
    try:
        if stored:
            receipt = submissions.revise(
                db,
                framework=framework,
                receipt_code=stored["receipt_code"],
                answers=form.answers_in_form(framework),
                idempotency_key=state["submit_token"],
                max_comment_chars=settings.max_comment_chars,
            )
        else:
            receipt = submissions.submit(
                db,
                framework=framework,
                code=state["submit_code"],
                answers=form.answers_in_form(framework),
                # The round the page showed: never stored in another one.
                round_id=state.get("submit_round_id", 0),
                idempotency_key=state["submit_token"],
                max_comment_chars=settings.max_comment_chars,
            )
    except InvalidAnswers as exc:
        state["submit_problems"] = exc.problems
        return
    except Exception as exc:  # shown through page.error_message: a message, never a traceback
        state["submit_error"] = exc
        return
    if receipt.already_stored and state.get("submit_receipt"):
        return  # a second click on a form already stored: keep the receipt shown first
    if stored:
        receipt = dataclasses.replace(receipt, code=stored["receipt_code"])
    state["submit_receipt"] = receipt


def load_for_revision() -> None:
    """Fill the form with the answers behind the receipt code typed, if they can change."""
    start_new_form()
    code = state.get("revise_receipt", "")
    try:
        stored = submissions.find_submission(db, receipt_code=code)
        if not stored.round_open:
            raise Refused(
                f"Round '{stored.round}' has closed, so its answers can no longer be changed. "
                "Thank you for taking part."
            )
    except Exception as exc:  # shown through page.error_message
        state["submit_error"] = exc
        return
    form.put_answers_in_form(framework, stored)
    state["submit_revising"] = {
        "receipt_code": code,
        "organisation": stored.organisation,
        "stakeholder_group": stored.stakeholder_group,
        "round": stored.round,
        "revision": stored.revision,
    }


st.set_page_config(layout="centered")
st.title("Submit answers")
page.demo_banner()

receipt = state.get("submit_receipt")
if receipt:
    if receipt.personal:
        st.success(
            "Thank you: your answers are saved"
            + (f" (version {receipt.revision})." if receipt.revision > 1 else ".")
        )
        st.write(
            "Your invite code is your receipt: open the same link, or type the same code, "
            f"to change your answers while round '{page.escape_markdown(receipt.round)}' "
            "is open. Nobody else can look them up."
        )
    elif receipt.code is None:
        st.success("These answers were already saved; nothing was stored twice.")
    elif receipt.revision > 1:
        st.success(f"Your changes are saved (version {receipt.revision} of your answers).")
        st.metric("Your receipt code stays the same", receipt.code)
    else:
        st.success("Thank you: your answers are saved.")
        st.metric("Your receipt code", receipt.code)
    if receipt.code and not receipt.personal:
        st.write(
            "Keep this code (a photo or a note is fine) to change your answers while "
            f"round '{page.escape_markdown(receipt.round)}' is open. It is the only link "
            "between you and your answers: nobody else can look them up."
        )
    st.button("Fill in another form", key="submit_another", on_click=start_new_form)
    st.stop()

revising = state.get("submit_revising")
error = state.pop("submit_error", None)
problems = state.get("submit_problems", {})
if error:
    attention = page.error_message(error)
elif problems:
    titles = [framework.point(key).title for key in framework.point_keys if key in problems]
    attention = (
        "Some answers need attention before they can be sent: "
        + "; ".join(titles)
        + ". Everything else you chose is kept."
    )
else:
    attention = ""

if revising:
    st.info(
        f"You are changing the answers given for "
        f"**{page.escape_markdown(revising['organisation'])}** "
        f"({framework.group_name(revising['stakeholder_group'])}) in round "
        f"**{page.escape_markdown(revising['round'])}**.",
        icon=":material/edit:",
    )
    st.button("Start again without these answers", key="submit_cancel", on_click=start_new_form)
else:
    st.text_input("Your invite code", key="submit_code", placeholder="ABCD-EFGH-JKLM")
    state["submit_last_code"] = state["submit_code"]
    with st.expander("Change answers I already gave"):
        st.text_input("Your receipt code", key="revise_receipt")
        st.button("Load my answers", key="revise_load", on_click=load_for_revision)
    if error:
        st.error(attention, icon=":material/error:")
    if not state["submit_code"].strip():
        st.info(
            "Type the invite code your alliance coordinator gave you, or open the link "
            "they sent. The code says which organisation and group you answer for; "
            "it doesn't say who you are."
        )
        st.stop()
    try:
        invite = find_invite_code(db, state["submit_code"])
        open_round = rounds.current_round(db)
        # Answers chosen for a round that closed meanwhile stay on the page.
        if open_round is None and not form.has_answers(framework):
            raise Refused(submissions.NO_ROUND_OPEN)
    except CollabError as exc:
        page.show_error(exc)
        st.stop()
    if open_round is None:
        state.setdefault("submit_round_id", 0)
    else:
        state["submit_round_id"] = open_round.id
        if invite.personal and state.get("submit_loaded") != (invite.id, open_round.id):
            # A personal code reopens the answers it gave in this round, to revise them.
            state["submit_loaded"] = (invite.id, open_round.id)
            given = submissions.find_personal_submission(
                db, code=state["submit_code"], round_id=open_round.id
            )
            if given is not None:
                form.put_answers_in_form(framework, given)
                state["submit_given"] = given.revision
        if state.get("submit_given"):
            st.info(
                "You have answered this round already: your answers are below. Change "
                "what you like and save; the new answers replace the old ones.",
                icon=":material/edit:",
            )
        closes = (
            f", open until {page.long_date(open_round.closes_on)}" if open_round.closes_on else ""
        )
        st.info(
            f"You are answering for **{page.escape_markdown(invite.organisation)}** as part of "
            f"the **{framework.group_name(invite.stakeholder_group)}** group. "
            f"Round: **{page.escape_markdown(open_round.name)}**{closes}.",
            icon=":material/groups:",
        )

if attention and (revising or problems):
    st.error(attention, icon=":material/error:")

options = form.scale_options(framework)
with st.form("submit_form"):
    for number, point in enumerate(framework.learning_points, start=1):
        st.subheader(f"{number}. {point.title}")
        st.write(point.statement)
        st.caption(point.help)
        if point.key in problems:
            problem = problems[point.key]
            st.error(f"{problem[0].upper()}{problem[1:]}.", icon=":material/arrow_downward:")
        st.radio(
            "How far is this true of the alliance?",
            options,
            index=None,
            format_func=lambda option: form.scale_option_label(framework, option),
            key=form.ANSWER_KEY.format(point=point.key),
        )
        comment_key = form.COMMENT_KEY.format(point=point.key)
        st.text_area(
            "Comment (optional)",
            key=comment_key,
            # A loaded comment longer than today's limit stays whole rather than being cut
            # short unseen; sending it names the point whose comment needs shortening.
            max_chars=max(settings.max_comment_chars, len(state.get(comment_key) or "")),
            height=80,
        )
        st.divider()
    if attention:  # again by the button, where a phone user's screen is after sending
        st.error(attention, icon=":material/error:")
    st.form_submit_button(
        "Save my changes" if revising or state.get("submit_given") else "Send my answers",
        key="submit_send",
        type="primary",
        on_click=send_answers,
        width="stretch",
    )
