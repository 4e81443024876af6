"""The floor for the member form: the same widgets in a bare Streamlit script.

No navigation, no drafts, no checks of the page's address: the title, the invite code
box, the "change answers" expander, and in one ``st.form`` a heading, statement, help
text, radio and comment box for every learning point of the framework, then the send
button. Sending stores the answers as the app does (``submissions.submit``, in the
database ``DATABASE_URL`` names) and shows the receipt. ``make bench-burst`` serves it
beside the app and compares one run of each.
"""

import os
import uuid

import streamlit as st

from collab.domain import submissions
from collab.domain.submissions import AnswerInput
from collab.store.db import Database
from collab.store.framework import load_framework

framework = load_framework()
options = [f"{point.value} - {point.label}" for point in framework.scale]
options.append(framework.dont_know_label)


@st.cache_resource
def database() -> Database:
    return Database.from_url(os.environ["DATABASE_URL"])


def answer(point: str) -> AnswerInput:
    choice = st.session_state.get(point)
    comment = st.session_state.get(f"comment_{point}") or ""
    if choice == framework.dont_know_label:
        return AnswerInput(dont_know=True, comment=comment)
    score = None if choice is None else framework.scale[options.index(choice)].value
    return AnswerInput(score=score, comment=comment)


def send() -> None:
    receipt = submissions.submit(
        database(),
        framework=framework,
        code=st.session_state["bare_code"],
        answers={point: answer(point) for point in framework.point_keys},
        idempotency_key=uuid.uuid4().hex,
    )
    st.session_state["bare_receipt"] = receipt.code


st.title("Submit answers")
receipt = st.session_state.get("bare_receipt")
if receipt:
    st.success("Thank you: your answers are saved.")
    st.metric("Your receipt code", receipt)
    st.write("Keep this code to change your answers while the round is open.")
    st.button("Fill in another form", key="bare_another")
    st.stop()

st.text_input("Your invite code", key="bare_code", value=st.query_params.get("code", ""))
with st.expander("Change answers I already gave"):
    st.text_input("Your receipt code", key="bare_revise")
    st.button("Load my answers", key="bare_load")
st.info("You are answering for an organisation as part of a group.")
with st.form("bare_form"):
    for number, point in enumerate(framework.learning_points, start=1):
        st.subheader(f"{number}. {point.title}")
        st.write(point.statement)
        st.caption(point.help)
        st.radio("How far is this true of the alliance?", options, index=None, key=point.key)
        st.text_area("Comment (optional)", key=f"comment_{point.key}", max_chars=2000, height=80)
        st.divider()
    st.form_submit_button("Send my answers", type="primary", on_click=send, width="stretch")
