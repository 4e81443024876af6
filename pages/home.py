"""Home: what the self-assessment is, the open round and who has taken part so far."""

import streamlit as st

from collab.domain import rounds
from collab.web import cache, page, session, shared_results

session.start_run()

framework = session.framework()
db = cache.database()

st.title(framework.title)
page.demo_banner()
group_names = ", ".join(group.name for group in framework.groups)
st.write(
    "Member organisations of the alliance use this tool to say how well we work together, "
    f"scoring {len(framework.learning_points)} learning points about collaborating on a "
    f"complex problem. Each stakeholder group ({group_names}) answers separately and "
    "anonymously, so the leadership team can see where the groups agree, where they see "
    "things differently, and what to work on next."
)


def show_round_to_answer() -> None:
    """The open round, how to answer it and who has taken part so far."""
    if not rounds.list_rounds(db):
        st.info(
            "Nothing here yet: an administrator needs to create a round and invite codes. "
            "Just trying the app? `make run` loads an invented demo alliance into an empty "
            "database.",
            icon=":material/hourglass_empty:",
        )
        return
    current = cache.current_round()
    if current is None:
        upcoming = [r for r in rounds.list_rounds(db) if r.status == "not_opened"]
        waiting = "No round is open at the moment" + (
            f": {page.escape_markdown(upcoming[-1].name)} is set up but not yet opened."
            if upcoming
            else "."
        )
        st.info(
            f"{waiting} Your alliance coordinator will share an invite link when the next "
            "one starts.",
            icon=":material/event_busy:",
        )
        return
    st.subheader(f"Open now: {page.escape_markdown(current.name)}")
    if current.closes_on:
        st.write(f"Answers are welcome until {page.long_date(current.closes_on)}.")
    else:
        st.write("No closing date has been set yet.")
    st.page_link("pages/submit.py", label="Submit answers", icon=":material/edit_note:")
    taken_part = cache.participation_by_group(current.id)
    total = sum(taken_part.values())
    st.write(f"**{total}** {'person has' if total == 1 else 'people have'} taken part so far:")
    for column, (group, n) in zip(st.columns(len(taken_part)), taken_part.items(), strict=True):
        column.metric(framework.group_name(group), n)


show_round_to_answer()
shared_results.show_shared_results(
    framework, code=st.query_params.get("code") or st.session_state.get("submit_last_code", "")
)
