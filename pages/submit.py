"""Submit answers: a member scores each learning point with their invite code, or changes
the answers they gave with their receipt code. Built for a phone: one learning point per
screen, a check of every answer before sending, and a draft kept as they go."""

import dataclasses

import streamlit as st

from collab.domain import submissions
from collab.store.errors import CollabError, InvalidAnswers, Refused
from collab.web import cache, draft, form, form_screens, page, session, wizard

session.start_run()

framework = session.framework()
settings = session.settings()
db = cache.database()
state = st.session_state
# An invite link's code wins; otherwise keep the code typed earlier in this session.
state.setdefault("submit_code", st.query_params.get("code") or state.get("submit_last_code", ""))
# The form's one-time key and the device's token live in the page's address, so a
# reload, a lost connection or a server restart finds the same form: stored once, its
# receipt shown again, its draft put back.
form_key = draft.address_token("form", "submit_token")
draft.device()
# What the member changed since the last run is kept as the draft, once per run.
draft.save_changes()
if not state.get("submit_receipt") and state.get("submit_checked_form") != form_key:
    # A key this session made has stored nothing yet: only one from the address can have.
    if not draft.minted_here(form_key):
        state["submit_receipt"] = submissions.receipt_for_form(db, form_key)
    state["submit_checked_form"] = form_key


def start_new_form() -> None:
    """Forget the last form, its receipt and any loaded answers; a new form gets a new key."""
    for key in (
        "submit_receipt",
        "submit_revising",
        "submit_tried",
        "submit_error",
        "submit_round_id",
        "submit_loaded",
        "submit_given",
    ):
        state.pop(key, None)
    state["submit_token"] = draft.new_token()
    state["submit_checked_form"] = state["submit_token"]
    st.query_params["form"] = state["submit_token"]
    state[wizard.STEP_KEY] = 1
    draft.forget()
    form.clear_form(framework)


def stop_revising() -> None:
    """Leave the answers loaded by a receipt code, and the changes kept for them, behind."""
    draft.discard()
    start_new_form()


def send_answers() -> None:
    """Store the form (new answers or a revision) once, whatever the number of taps."""
    state.pop("submit_error", None)
    stored = state.get("submit_revising")
    owner = draft.owner()
    try:
        if stored:
            receipt = submissions.revise(
                db,
                framework=framework,
                receipt_code=stored["receipt_code"],
                answers=form.answers_in_form(framework),
                idempotency_key=state["submit_token"],
                max_comment_chars=settings.max_comment_chars,
                device=owner.device if owner else None,
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
                device=owner.device if owner else None,
            )
    except InvalidAnswers as exc:
        # From now on each point shows what still stops it, until it is put right.
        state["submit_tried"] = True
        first = wizard.first_problem_step(framework, exc.problems) or 1
        if wizard.one_page():
            wizard.bring_into_view(wizard.area_of(framework, first))
        else:
            wizard.go_to(framework, first)
        return
    except Exception as exc:  # shown through page.error_message: a message, never a traceback
        state["submit_error"] = exc
        return
    if receipt.already_stored and state.get("submit_receipt"):
        return  # a second tap on a form already stored: keep the receipt shown first
    if stored:
        receipt = dataclasses.replace(receipt, code=stored["receipt_code"])
    state["submit_receipt"] = receipt
    draft.forget()


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
    form.put_answers_in_form(framework, stored.answers)
    state["submit_revising"] = {
        "receipt_code": code,
        "organisation": stored.organisation,
        "stakeholder_group": stored.stakeholder_group,
        "round": stored.round,
        "revision": stored.revision,
    }
    # A draft of changes not sent yet, on this device, is kept under the receipt code.
    draft.own(code, stored.round_id)


st.set_page_config(layout="centered")
st.title("Submit answers")
page.demo_banner()
form_screens.stylesheet()

receipt = state.get("submit_receipt")
if receipt:
    with st.container(key=form_screens.FORM_AREA):
        form_screens.receipt(
            receipt,
            invite_code=state["submit_code"],
            receipt_code=(state.get("submit_revising") or {}).get("receipt_code"),
        )
        st.button(
            "Change my answers" if receipt.personal else "Fill in another form",
            key="submit_another",
            on_click=start_new_form,
        )
    st.stop()

revising = state.get("submit_revising")
error = state.pop("submit_error", None)
tried = state.get("submit_tried", False)
problems = form.problems_in_form(framework, max_comment_chars=settings.max_comment_chars)
problems = problems if tried else {}
attention = page.error_message(error) if error else form.needs_attention(framework, problems)

if revising:
    st.info(
        f"You are changing the answers given for "
        f"**{page.escape_markdown(revising['organisation'])}** "
        f"({framework.group_name(revising['stakeholder_group'])}) in round "
        f"**{page.escape_markdown(revising['round'])}**.",
        icon=":material/edit:",
    )
    st.button("Start again without these answers", key="submit_cancel", on_click=stop_revising)
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
        invite = form.invite_code(db, state["submit_code"])
        open_round = cache.current_round()
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
                form.put_answers_in_form(framework, given.answers)
                state["submit_given"] = given.revision
        draft.own(state["submit_code"], open_round.id)
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

# The draft kept on this device goes back in the form before it is drawn.
draft.restore()
form_screens.answer_form(
    framework,
    problems=problems,
    attention=attention,
    send_label="Save my changes" if revising or state.get("submit_given") else "Send my answers",
    on_send=send_answers,
    max_comment_chars=settings.max_comment_chars,
    attention_on_top=bool(revising or problems),
)
