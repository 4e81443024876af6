"""Settings come from the environment first, then .streamlit/secrets.toml, then defaults."""

import tomllib

import pytest

from collab.store.config import (
    DEFAULT_SQLITE_PATH,
    PROJECT_DIR,
    SettingsError,
    get_settings,
    upload_limit_megabytes,
)


def test_defaults_use_the_embedded_sqlite_file_and_the_framework_threshold(tmp_path):
    settings = get_settings({}, secrets_path=tmp_path / "absent.toml")
    assert settings.database_url == f"sqlite:///{DEFAULT_SQLITE_PATH}"
    assert settings.min_group_size == 5
    assert settings.leadership_passcode is None
    assert settings.admin_passcode is None


def test_environment_wins_over_the_secrets_file(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        'COLLAB_ADMIN_PASSCODE = "from-file"\nCOLLAB_LEADERSHIP_PASSCODE = "lead-file"\n'
    )
    settings = get_settings({"COLLAB_ADMIN_PASSCODE": "from-env"}, secrets_path=secrets)
    assert settings.admin_passcode == "from-env"
    assert settings.leadership_passcode == "lead-file"


def test_min_group_size_can_be_lowered_to_three_but_not_below(tmp_path):
    absent = tmp_path / "absent.toml"
    assert get_settings({"COLLAB_MIN_GROUP_SIZE": "3"}, secrets_path=absent).min_group_size == 3
    with pytest.raises(SettingsError, match="at least 3"):
        get_settings({"COLLAB_MIN_GROUP_SIZE": "2"}, secrets_path=absent)
    with pytest.raises(SettingsError, match="whole number"):
        get_settings({"COLLAB_MIN_GROUP_SIZE": "five"}, secrets_path=absent)


def test_the_server_takes_uploads_as_large_as_an_import_and_no_larger(tmp_path):
    server = tomllib.loads((PROJECT_DIR / ".streamlit" / "config.toml").read_text())["server"]
    limit = get_settings({}, secrets_path=tmp_path / "absent.toml").max_import_bytes
    assert server["maxUploadSize"] == upload_limit_megabytes(limit)
    assert (server["maxUploadSize"] - 1) * 2**20 < limit <= server["maxUploadSize"] * 2**20
    assert server["maxUploadSize"] <= 5
