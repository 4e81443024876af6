"""What the alliance found, given back to members on Home once the administrator shares a
closed round's results: the agenda of learning points with each group's position and
status in words, and a group's own view against the others.

Everything comes from the round's published results under the same privacy rules as the
leadership pages (a group's figures on a point withheld below the minimum group size),
for the whole alliance only: no organisation filter.
"""

from __future__ import annotations

import streamlit as st

from collab.domain import rounds
from collab.domain.invite_codes import find_invite_code
from collab.stats import agenda as stats_agenda
from collab.store.errors import CollabError
from collab.store.framework import Framework
from collab.web import agenda, cache, page

OWN_GROUP_KEY = "home_own_view_group"


def _members_group(code: str) -> str | None:
    """The stakeholder group of the invite code this member used, if any."""
    if not code.strip():
        return None
    try:
        return find_invite_code(cache.database(), code).stakeholder_group
    except CollabError:
        return None


def show_shared_results(framework: Framework, *, code: str = "") -> None:
    """The latest shared round's findings; nothing while no round's results are shared."""
    shared = rounds.shared_rounds(cache.database())
    if not shared:
        return
    latest = shared[-1]
    view = cache.ResultsView(latest.name, tuple(framework.group_keys), (), "closed")
    found = cache.round_results(view)
    st.header(f"What we found in {page.escape_markdown(latest.name)}", anchor="findings")
    if found.visibility != "results":
        st.info(page.escape_markdown(found.message), icon=":material/visibility_off:")
        return
    st.write(
        f"{found.people_text} people answered. Here is where the stakeholder groups agree "
        "and where they see things differently, as the leadership team sees it. A group's "
        f"figures on a point are left out when fewer than {found.min_group_size} of its "
        "people gave a score there, so nobody can be picked out."
    )
    st.subheader("The learning points, in the order to discuss them", anchor=False)
    table = stats_agenda.agenda_table(found.divergence, framework=framework)
    for row in table.itertuples(index=False):
        with st.container(border=True):
            place, title, status, level, gap, where = row[:6]
            st.markdown(f"**{place}. {page.escape_markdown(str(title))}**")
            st.write(page.escape_markdown(f"{status}. Level: {level}. Gap: {gap}."))
            if where and where != "—":
                st.caption(page.escape_markdown(str(where)))
    agenda.show_own_view(
        view,
        found,
        framework,
        title="A group's view against the others",
        key=OWN_GROUP_KEY,
        chart=False,
        preferred=_members_group(code),
    )
