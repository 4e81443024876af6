"""Who may see what: roles, passcode checks and the pause after repeated wrong passcodes.

Pure functions and a small dataclass; the sign-in page keeps a ``SignInAttempts`` in
the person's session and asks it before checking a passcode.
"""

from __future__ import annotations

import hmac
import math
from dataclasses import dataclass

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


@dataclass
class SignInAttempts:
    """Wrong passcodes in a row in one session, and when the next try is allowed.

    The first ``FREE_TRIES`` wrong tries cost nothing. From then on each wrong try
    locks the session for ``FIRST_WAIT_SECONDS``, doubling each time, at most
    ``LONGEST_WAIT_SECONDS``. Times are seconds on one clock (``time.monotonic``).
    """

    failures: int = 0
    locked_until: float = 0.0

    def register_failure(self, now: float) -> None:
        """Count a wrong passcode given at ``now``; lock the session once tries run out."""
        self.failures += 1
        if self.failures >= FREE_TRIES:
            wait = FIRST_WAIT_SECONDS * 2 ** (self.failures - FREE_TRIES)
            self.locked_until = now + min(wait, LONGEST_WAIT_SECONDS)

    def seconds_to_wait(self, now: float) -> int:
        """Whole seconds (rounded up) before another try is allowed; 0 when allowed now."""
        return max(0, math.ceil(self.locked_until - now))

    def reset(self) -> None:
        """Forget earlier wrong tries (after a successful sign-in)."""
        self.failures = 0
        self.locked_until = 0.0
