"""Settings: the one place that reads the environment and ``.streamlit/secrets.toml``.

Environment variables win over the secrets file; the secrets file wins over defaults.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from collab.store.framework import DEFAULT_PATH, MIN_GROUP_SIZE_FLOOR, load_framework

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = PROJECT_DIR / "data" / "alliance.db"
SECRETS_PATH = PROJECT_DIR / ".streamlit" / "secrets.toml"
# The largest response file an import takes, unless COLLAB_MAX_IMPORT_BYTES says otherwise:
# thousands of paper forms with comments. The server takes no larger upload (see
# ``upload_limit_megabytes``), so nobody can fill its memory with bigger files.
DEFAULT_MAX_IMPORT_BYTES = 5_000_000


class SettingsError(ValueError):
    """A setting has a value the product cannot use."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    framework_path: Path
    min_group_size: int
    leadership_passcode: str | None
    admin_passcode: str | None
    base_url: str
    max_import_bytes: int
    max_comment_chars: int
    # Single sign-on: Streamlit's st.login is available when secrets.toml has [auth];
    # these e-mail addresses then map to roles (lower-case).
    sign_on_configured: bool = False
    leadership_emails: frozenset[str] = frozenset()
    admin_emails: frozenset[str] = frozenset()


def _secrets_file(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from exc


def _int(name: str, raw: object, floor: int) -> int:
    try:
        value = int(str(raw))
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < floor:
        raise SettingsError(f"{name} must be at least {floor}, got {value}")
    return value


def _emails(raw: object) -> frozenset[str]:
    """E-mail addresses from a TOML list or a comma-separated string, lower-cased."""
    if raw is None:
        return frozenset()
    items = raw if isinstance(raw, list) else str(raw).split(",")
    return frozenset(str(item).strip().lower() for item in items if str(item).strip())


def get_settings(
    environ: dict[str, str] | None = None, secrets_path: Path = SECRETS_PATH
) -> Settings:
    """Resolve every setting from the environment, then the secrets file, then defaults."""
    env = os.environ if environ is None else environ
    secrets = _secrets_file(secrets_path)

    def setting(name: str) -> str | None:
        value = env.get(name)
        if value in (None, ""):
            value = secrets.get(name)
        return None if value in (None, "") else str(value)

    def email_list(name: str) -> frozenset[str]:
        return _emails(env.get(name) or secrets.get(name))

    framework_path = Path(setting("COLLAB_FRAMEWORK") or DEFAULT_PATH)
    min_group = setting("COLLAB_MIN_GROUP_SIZE")
    return Settings(
        database_url=setting("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}",
        framework_path=framework_path,
        min_group_size=(
            _int("COLLAB_MIN_GROUP_SIZE", min_group, MIN_GROUP_SIZE_FLOOR)
            if min_group
            else load_framework(framework_path).thresholds.min_group_size
        ),
        leadership_passcode=setting("COLLAB_LEADERSHIP_PASSCODE"),
        admin_passcode=setting("COLLAB_ADMIN_PASSCODE"),
        base_url=(setting("COLLAB_BASE_URL") or "http://localhost:8501").rstrip("/"),
        max_import_bytes=_int(
            "COLLAB_MAX_IMPORT_BYTES",
            setting("COLLAB_MAX_IMPORT_BYTES") or DEFAULT_MAX_IMPORT_BYTES,
            1,
        ),
        max_comment_chars=_int(
            "COLLAB_MAX_COMMENT_CHARS", setting("COLLAB_MAX_COMMENT_CHARS") or 2000, 1
        ),
        sign_on_configured=isinstance(secrets.get("auth"), dict),
        leadership_emails=email_list("COLLAB_LEADERSHIP_EMAILS"),
        admin_emails=email_list("COLLAB_ADMIN_EMAILS"),
    )


def upload_limit_megabytes(max_import_bytes: int) -> int:
    """Streamlit's ``server.maxUploadSize`` (whole megabytes of 2**20 bytes) for an import
    limit: the fewest that still take a file of ``max_import_bytes``."""
    return -(-max_import_bytes // 2**20)
