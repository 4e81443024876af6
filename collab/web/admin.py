"""What the administration pages share: the admin-only guard, running an action and
showing its outcome after the rerun, and the tables the pages show.

The changes themselves are made by ``collab.domain`` functions, each with its audit entry;
the pages pass the signed-in role as the actor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from collab.domain import audit, invite_codes, organisations, rounds, snapshots
from collab.domain.access import ADMIN
from collab.files.exports import MIME_TYPES, write_frame
from collab.files.imports import ImportPlan
from collab.present.code_sheet import CodeCard, code_links_csv, code_sheet_html
from collab.present.qr import qr_png
from collab.store.db import Database
from collab.store.framework import Framework
from collab.web import cache, page, session

OUTCOME_KEY = "admin_outcome_{section}"
NEW_CODES_KEY = "admin_new_codes"
# Import problems listed on the page (every one is in the file offered beside them), how
# many show before the list scrolls, and its height then, in pixels.
PROBLEMS_SHOWN = 200
PROBLEMS_IN_VIEW = 12
PROBLEMS_TABLE_HEIGHT = 520


def admin_page(title: str) -> None:
    """Title an administration page; stop the run for anyone but the administrator."""
    if session.role() != ADMIN:
        st.error("This page is for the alliance's administrator. Please sign in first.")
        st.stop()
    st.title(title)
    page.demo_banner()


def act(section: str, action: Callable[[], Any], done: Callable[[Any], str | None]) -> None:
    """Run ``action``; on success keep ``done(result)`` for ``show_outcome`` and rerun.

    A failure is shown where the action was asked for, and nothing is kept.
    """
    try:
        result = action()
    except Exception as exc:  # every failure is shown kindly by page.show_error
        page.show_error(exc)
        return
    cache.clear()
    st.session_state[OUTCOME_KEY.format(section=section)] = done(result)
    st.rerun()


def show_outcome(section: str) -> None:
    """Show (once) what the last successful action of ``section`` did."""
    outcome = st.session_state.pop(OUTCOME_KEY.format(section=section), None)
    if outcome:
        st.success(page.escape_markdown(outcome), icon=":material/check_circle:")


def keep_new_codes(cards: list[CodeCard]) -> None:
    """Keep new invite codes to show until the administrator says they are done."""
    st.session_state[NEW_CODES_KEY] = cards


def _forget_new_codes() -> None:
    st.session_state.pop(NEW_CODES_KEY, None)


def show_new_codes() -> None:
    """Show the codes kept by ``keep_new_codes`` (with their links, QR code, a printable
    sheet and a CSV of links) until "Done" is pressed: they are never shown again."""
    cards: list[CodeCard] | None = st.session_state.get(NEW_CODES_KEY)
    if not cards:
        return
    first = cards[0]
    with st.container(border=True):
        kind = "personal invite codes" if first.personal else "shared invite code"
        count = f"{len(cards)} {kind}" if len(cards) > 1 else f"New {kind}"
        st.success(
            f"{count} for {page.escape_markdown(first.organisation)} ({first.group}). "
            "Save or share them now: once you press Done they can't be shown again.",
            icon=":material/key:",
        )
        title = f"Invite codes: {first.organisation}, {first.group}"
        left, right = st.columns(2)
        left.download_button(
            "Printable sheet with QR codes",
            data=code_sheet_html(cards, title=title).encode("utf-8"),
            file_name="invite-codes.html",
            mime="text/html",
            icon=":material/print:",
            key="admin_codes_sheet",
        )
        right.download_button(
            "Links for a mail merge (CSV)",
            data=code_links_csv(cards),
            file_name="invite-links.csv",
            mime="text/csv",
            icon=":material/download:",
            key="admin_codes_csv",
        )
        if len(cards) == 1:
            st.code(first.code, language=None)
            st.code(first.link, language=None)
            st.image(qr_png(first.link), caption="Scan to open the form", width=280)
        else:
            st.dataframe(
                pd.DataFrame([{"No.": c.number, "Code": c.code, "Link": c.link} for c in cards]),
                hide_index=True,
            )
        st.button("Done: hide these codes", key="admin_codes_done", on_click=_forget_new_codes)


def rounds_table(db: Database) -> pd.DataFrame:
    """Every round, oldest first: Round, Opens, Closes (in words, "not set" when the
    round has no such date), Status, Live results (``live_results_text``)."""
    return pd.DataFrame(
        [
            {
                "Round": r.name,
                "Opens": page.long_date(r.opens_on),
                "Closes": page.long_date(r.closes_on),
                "Status": r.status_text.capitalize(),
                "Live results": live_results_text(r),
            }
            for r in rounds.list_rounds(db)
        ],
        columns=["Round", "Opens", "Closes", "Status", "Live results"],
    )


def show_waiting_publications(db: Database, framework: Framework, min_group_size: int) -> None:
    """Say, for each round whose results can be seen, how many changed answers wait to be
    published and why (nothing when none wait)."""
    for r in rounds.list_rounds(db):
        if not r.results_visible or r.status == "not_opened":
            continue
        waiting = snapshots.pending(db, round_name=r.name, min_group_size=min_group_size)
        text = waiting.waiting_text(framework.group_name)
        if text:
            st.info(page.escape_markdown(text), icon=":material/hourglass_top:")


def live_results_text(info: rounds.RoundInfo) -> str:
    """Whether live results are on, where they apply: "On" or "Off" for an open round,
    "Not needed: closed" for a closed one (its results show anyway), and "On once open"
    or "Off" for a round not yet opened."""
    if info.status == "closed":
        return "Not needed: closed"
    if info.status == "not_opened" and info.live_results:
        return "On once open"
    return "On" if info.live_results else "Off"


def organisations_table(db: Database) -> pd.DataFrame:
    """Every organisation in alphabetical order: Organisation, Status."""
    return pd.DataFrame(
        [
            {"Organisation": o.name, "Status": "Active" if o.active else "Deactivated"}
            for o in organisations.list_organisations(db)
        ],
        columns=["Organisation", "Status"],
    )


def invite_codes_table(db: Database, *, framework: Framework) -> pd.DataFrame:
    """Every invite code without the code itself: number, organisation, group, uses."""
    return pd.DataFrame(
        [
            {
                "No.": c.id,
                "Organisation": c.organisation,
                "Stakeholder group": framework.group_name(c.stakeholder_group),
                "Kind": c.kind_text.capitalize(),
                "Status": "Revoked" if c.revoked else "In use",
                "Responses": c.uses,
                "Created (UTC)": c.created_at.replace(microsecond=0),
            }
            for c in invite_codes.list_invite_codes(db)
        ],
        columns=[
            "No.",
            "Organisation",
            "Stakeholder group",
            "Kind",
            "Status",
            "Responses",
            "Created (UTC)",
        ],
    )


def import_problems_table(plan: ImportPlan) -> pd.DataFrame:
    """Every problem of an import plan, as text: Row (as a spreadsheet numbers it, empty
    for a problem with the whole file), Column (empty when none), Problem."""
    return pd.DataFrame(
        [
            {
                "Row": "" if p.row is None else str(p.row),
                "Column": p.column or "",
                "Problem": p.message,
            }
            for p in plan.problems
        ],
        columns=["Row", "Column", "Problem"],
    )


def show_import_problems(plan: ImportPlan) -> None:
    """Say that nothing can be imported yet and list the plan's problems in full.

    The problems are in a table whose text wraps, so each reads whole; a file with more
    than ``PROBLEMS_SHOWN`` lists the first of them and offers every one as a CSV file.
    """
    count = len(plan.problems)
    st.error(
        f"Nothing can be imported yet: the file has {count} "
        f"problem{'s' if count != 1 else ''}. Correct the file and choose it again."
    )
    table = import_problems_table(plan)
    shown = table.head(PROBLEMS_SHOWN)
    st.table(
        shown,
        hide_index=True,
        height="content" if len(shown) <= PROBLEMS_IN_VIEW else PROBLEMS_TABLE_HEIGHT,
    )
    if count > PROBLEMS_SHOWN:
        st.caption(f"The first {PROBLEMS_SHOWN} of {count} problems. The file lists every one.")
        st.download_button(
            f"Download all {count} problems",
            data=write_frame(table, fmt="csv"),
            file_name="import-problems.csv",
            mime=MIME_TYPES["csv"],
            key="admin_import_problems_download",
        )


def audit_table(db: Database, *, limit: int = 200) -> pd.DataFrame:
    """The recent audit entries, newest first, with headings for people; "When" holds
    the time in UTC (show it with ``audit_columns``)."""
    entries = audit.recent_entries(db, limit=limit)
    return entries.rename(
        columns={"at": "When", "actor": "Who", "action": "Action", "detail": "What"}
    )


def audit_columns() -> dict[str, Any]:
    """How the audit table's columns show: the time as ``page.long_time`` writes it, the
    details wide."""
    return {
        "When": st.column_config.DatetimeColumn(format=page.TIME_COLUMN_FORMAT),
        "What": st.column_config.TextColumn(width="large"),
    }
