"""The answer form's draft on the server: saved as the member goes, found again when they
come back to the same form on the same device (see ``collab.domain.drafts``).

The device's token lives in the page's address (``?device=...``) beside the form's
one-time key, so a reload, a reconnect or a tab reopened from the browser's history
carries it back. The form names whose draft it is with ``own``: the code it was opened
with (an invite code, or a receipt code when revising) and the round it shows.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

import streamlit as st

from collab.domain import drafts
from collab.web import cache, form, session, wizard

logger = logging.getLogger(__name__)

DEVICE_KEY = "submit_device"
OWNER_KEY = "submit_draft_owner"
RESTORED_KEY = "submit_draft_restored"
RESUMED_KEY = "submit_draft_resumed"
FAILED_KEY = "submit_draft_failed"
# Set by the form's callbacks when an answer or the step changed: the run then saves the
# draft once (``save_changes``), however many widgets changed in it.
CHANGED_KEY = "submit_draft_changed"
# The tokens this session made itself rather than found in the page's address: nothing
# can be stored under them yet but what this session stores.
MINTED_KEY = "submit_minted_tokens"
# Set once this session has kept a draft.
SAVED_KEY = "submit_draft_saved"


@dataclass(frozen=True)
class Owner:
    """Whose draft the form is: the code it was opened with, its round, this device."""

    code: str
    round_id: int
    device: str


def address_token(name: str, key: str) -> str:
    """The token this session keeps under ``key``: the one in the page's address under
    ``name`` when there is one (32 hexadecimal digits), else a new one; put (back) in
    the address either way."""
    kept = st.session_state.get(key)
    token = kept if isinstance(kept, str) and drafts.is_device_token(kept) else None
    if token is None:
        given = st.query_params.get(name)
        token = given if given is not None and drafts.is_device_token(given) else new_token()
        st.session_state[key] = token
    if st.query_params.get(name) != token:  # each change is a message to the browser
        st.query_params[name] = token
    return token


def new_token() -> str:
    """A new random token of 32 hexadecimal digits, remembered as made in this session."""
    token = uuid.uuid4().hex
    st.session_state.setdefault(MINTED_KEY, set()).add(token)
    return token


def minted_here(token: str) -> bool:
    """Whether this session made ``token`` itself (so it came from no address)."""
    return token in st.session_state.get(MINTED_KEY, ())


def device() -> str:
    """This device's token: the one in the page's address, or a new one put there."""
    return address_token("device", DEVICE_KEY)


def own(code: str, round_id: int) -> None:
    """Say that the form is now answered with ``code`` for the round ``round_id``."""
    st.session_state[OWNER_KEY] = Owner(code, round_id, device())


def owner() -> Owner | None:
    """Whose draft the form is, or None while no open round's form is shown."""
    found = st.session_state.get(OWNER_KEY)
    return found if isinstance(found, Owner) and found.round_id else None


def forget() -> None:
    """Stop saving a draft (a new form starts, or the answers were sent)."""
    for key in (OWNER_KEY, RESTORED_KEY, RESUMED_KEY, FAILED_KEY, CHANGED_KEY):
        st.session_state.pop(key, None)


def changed() -> None:
    """Say that an answer or the step changed (a widget's callback): the run saves the
    draft once, with ``save_changes``."""
    st.session_state[CHANGED_KEY] = True


def save_changes() -> None:
    """Keep the form's answers and step as the draft if they changed since the last run;
    call once per run, before the form is drawn.

    A draft that can't be saved just now is not an error for the member: the answers
    are still on the page, and the next change saves them again.
    """
    found = owner()
    if not st.session_state.pop(CHANGED_KEY, False) or found is None:
        return
    framework = session.framework()
    try:
        drafts.save_draft(
            cache.database(),
            framework=framework,
            code=found.code,
            round_id=found.round_id,
            device=found.device,
            answers=form.answers_in_form(framework),
            position=wizard.current_step(framework),
        )
    except Exception as exc:  # logged; the member is told the draft wasn't kept
        logger.warning("A draft could not be saved: %s", exc)
        st.session_state[FAILED_KEY] = True
    else:
        st.session_state.pop(FAILED_KEY, None)
        st.session_state[SAVED_KEY] = True


def discard() -> None:
    """Delete this form's draft (the member chose to start again without its answers)."""
    found = owner()
    if found is None:
        return
    try:
        drafts.discard_draft(
            cache.database(), code=found.code, round_id=found.round_id, device=found.device
        )
    except Exception as exc:  # logged; the draft expires on its own
        logger.warning("A draft could not be deleted: %s", exc)


def restore() -> None:
    """Put the draft of this form back, once per owner, with the step it was on; call
    before the form is drawn."""
    found = owner()
    if found is None or st.session_state.get(RESTORED_KEY) == found:
        return
    st.session_state[RESTORED_KEY] = found
    if minted_here(found.device) and not st.session_state.get(SAVED_KEY):
        return  # a device token this session made, and no draft kept yet: none to find
    framework = session.framework()
    kept = drafts.find_draft(
        cache.database(), code=found.code, round_id=found.round_id, device=found.device
    )
    if kept is None:
        return
    form.put_answers_in_form(framework, kept.answers)
    st.session_state[wizard.STEP_KEY] = kept.position
    st.session_state[RESUMED_KEY] = kept.updated_at


def resumed() -> dt.datetime | None:
    """When the draft just put back was saved (once), or None."""
    return st.session_state.pop(RESUMED_KEY, None)


def failed() -> bool:
    """Whether the last change could not be kept as a draft."""
    return bool(st.session_state.get(FAILED_KEY))
