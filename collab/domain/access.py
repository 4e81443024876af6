"""Who may see what: roles, passcode checks and the pause after repeated wrong passcodes.

Pure functions: the rule for how long wrong passcodes lock sign-in is here; the count of
wrong passcodes per role and client address is kept in the database by
``collab.domain.sign_in``.
"""

from __future__ import annotations

import hmac

from collab.store.config import Settings

MEMBER = "member"
LEADERSHIP = "leadership"
ADMIN = "admin"
ROLES = (MEMBER, LEADERSHIP, ADMIN)
ROLE_NAMES = {MEMBER: "Member", LEADERSHIP: "Leadership team", ADMIN: "Administrator"}
# The roles that sign in with a passcode, and the setting that holds each passcode.
PASSCODE_SETTINGS = {LEADERSHIP: "COLLAB_LEADERSHIP_PASSCODE", ADMIN: "COLLAB_ADMIN_PASSCODE"}

FREE_TRIES = 5
FIRST_WAIT_SECONDS = 30.0
LONGEST_WAIT_SECONDS = 3600.0


def check_passcode(given: str, expected: str | None) -> bool:
    """True when ``given`` equals ``expected``, compared in constant time.

    Always False when no passcode is configured (``expected`` None or empty), so an
    unset passcode can never be matched by an empty answer.
    """
    if not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def expected_passcode(settings: Settings, *, role: str) -> str | None:
    """The configured passcode for ``role`` (None when unset or the role has none)."""
    if role == LEADERSHIP:
        return settings.leadership_passcode
    if role == ADMIN:
        return settings.admin_passcode
    return None


def role_for_email(settings: Settings, email: str | None) -> str | None:
    """The role a single sign-on account's e-mail address is given, or None if unlisted.

    Addresses compare case-insensitively; an address on both lists is an administrator.
    """
    if not settings.sign_on_configured or not email:
        return None
    address = email.strip().lower()
    if address in settings.admin_emails:
        return ADMIN
    if address in settings.leadership_emails:
        return LEADERSHIP
    return None


def missing_passcode_message(role: str) -> str:
    """What to tell someone whose role has no passcode configured yet."""
    setting = PASSCODE_SETTINGS[role]
    return (
        f"Signing in as {ROLE_NAMES[role]} is switched off because no passcode is set. "
        f"The person who runs this app can set one: put {setting} in "
        ".streamlit/secrets.toml, or in the environment before starting the app "
        "(see the README)."
    )


def lock_seconds(failures: int) -> float:
    """How long a role or client address is locked after ``failures`` wrong passcodes in a row.

    The first ``FREE_TRIES - 1`` cost nothing; the ``FREE_TRIES``-th locks for
    ``FIRST_WAIT_SECONDS``, and each further one doubles the wait, at most
    ``LONGEST_WAIT_SECONDS``. ``collab.domain.sign_in`` keeps the count in the database.
    """
    if failures < FREE_TRIES:
        return 0.0
    return min(FIRST_WAIT_SECONDS * 2 ** min(failures - FREE_TRIES, 32), LONGEST_WAIT_SECONDS)
