"""The floor for the member form: the same widgets in a bare Streamlit script.

No navigation, no settings, no database: the title, the invite code box, the "change
answers" expander, and in one ``st.form`` a heading, statement, help text, radio and
comment box for every learning point of the framework, then the send button. Sending
shows a receipt as the member form does. ``make bench-burst`` serves it beside the app
and compares one run of each.
"""

import secrets

import streamlit as st

from collab.store.framework import load_framework

framework = load_framework()
options = [f"{point.value} - {point.label}" for point in framework.scale]
options.append(framework.dont_know_label)


def send() -> None:
    letters = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(12))
    st.session_state["bare_receipt"] = f"{letters[:4]}-{letters[4:8]}-{letters[8:]}"


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
