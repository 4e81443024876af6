"""Single sign-on: with [auth] in secrets.toml, listed e-mail addresses map to roles."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from streamlit import config as streamlit_config
from streamlit.runtime.secrets import secrets_singleton
from streamlit.testing.v1 import AppTest

from collab.domain.access import ADMIN, LEADERSHIP, role_for_email
from collab.store import config
from collab.store.config import get_settings

APP = Path(__file__).resolve().parents[2] / "app.py"
SECRETS = """
COLLAB_LEADERSHIP_EMAILS = ["Chair@Alliance.example", "vice@alliance.example"]
COLLAB_ADMIN_EMAILS = ["coordinator@alliance.example"]

[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "not-a-real-secret"
client_id = "alliance-dashboard"
client_secret = "not-a-real-secret"
server_metadata_url = "https://login.example/.well-known/openid-configuration"
"""


@pytest.fixture
def secrets_file(tmp_path) -> Path:
    path = tmp_path / "secrets.toml"
    path.write_text(SECRETS)
    return path


def test_auth_section_switches_single_sign_on_on_and_lists_are_lower_cased(secrets_file):
    settings = get_settings({}, secrets_path=secrets_file)
    assert settings.sign_on_configured
    assert settings.leadership_emails == {"chair@alliance.example", "vice@alliance.example"}
    assert settings.admin_emails == {"coordinator@alliance.example"}


def test_email_lists_can_come_from_the_environment_comma_separated(tmp_path):
    settings = get_settings(
        {"COLLAB_ADMIN_EMAILS": " a@x.example, B@x.example ,"}, secrets_path=tmp_path / "none"
    )
    assert settings.admin_emails == {"a@x.example", "b@x.example"}
    assert not settings.sign_on_configured


def test_listed_addresses_get_their_role_and_administrators_win(secrets_file):
    settings = get_settings(
        {"COLLAB_LEADERSHIP_EMAILS": "chair@alliance.example,coordinator@alliance.example"},
        secrets_path=secrets_file,
    )
    assert role_for_email(settings, "CHAIR@alliance.example") == LEADERSHIP
    assert role_for_email(settings, "coordinator@alliance.example") == ADMIN
    assert role_for_email(settings, "stranger@elsewhere.example") is None
    assert role_for_email(settings, None) is None


def test_without_an_auth_section_no_address_gets_a_role(tmp_path):
    settings = get_settings(
        {"COLLAB_ADMIN_EMAILS": "coordinator@alliance.example"}, secrets_path=tmp_path / "none"
    )
    assert role_for_email(settings, "coordinator@alliance.example") is None


@pytest.fixture
def sign_on_app(app_db, secrets_file, monkeypatch):
    monkeypatch.setattr(
        config, "get_settings", functools.partial(get_settings, secrets_path=secrets_file)
    )
    return app_db


def run_as(user: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.user = user
    return at.run()


def test_a_signed_in_listed_account_gets_its_role_and_pages(sign_on_app):
    at = run_as({"is_logged_in": True, "email": "chair@alliance.example"})
    assert not at.exception
    assert at.session_state["role"] == LEADERSHIP


def test_a_signed_in_unlisted_account_stays_a_member_and_is_told_why(sign_on_app):
    at = run_as({"is_logged_in": True, "email": "stranger@elsewhere.example"})
    assert at.session_state["role"] == "member"
    at.switch_page("pages/sign_in.py").run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "not on the leadership or administrator list" in warning
    assert at.button(key="sign_out_sso")


def test_the_sign_in_page_offers_the_organisation_account_when_configured(sign_on_app):
    at = run_as({"is_logged_in": False})
    at.switch_page("pages/sign_in.py").run()
    assert not at.exception
    assert at.button(key="sign_in_sso").label == "Sign in with your organisation account"
    assert at.text_input(key="sign_in_passcode")


def test_without_single_sign_on_the_page_offers_passcodes_only(app_db):
    at = run_as({"is_logged_in": False})
    at.switch_page("pages/sign_in.py").run()
    assert not [b for b in at.button if b.key == "sign_in_sso"]
    assert at.text_input(key="sign_in_passcode")


@pytest.fixture
def streamlit_reads_the_secrets_file(secrets_file):
    """Streamlit's own ``st.secrets`` (which ``st.login`` reads) loaded from ``secrets_file``,
    as a server started next to that file would load it."""
    before = streamlit_config.get_option("secrets.files")
    streamlit_config.set_option("secrets.files", [str(secrets_file)])
    secrets_singleton._reset()
    yield
    streamlit_config.set_option("secrets.files", before)
    secrets_singleton._reset()


def test_the_organisation_account_button_sends_the_browser_to_the_provider(
    sign_on_app, streamlit_reads_the_secrets_file
):
    # Without Authlib (the "auth" extra of streamlit) st.login raises instead.
    at = run_as({"is_logged_in": False})
    at.switch_page("pages/sign_in.py").run()
    at.button(key="sign_in_sso").click().run()
    assert not at.exception
    assert at.session_state["role"] == "member"
