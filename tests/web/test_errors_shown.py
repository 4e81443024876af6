"""What a person sees when something fails on the server: a plain message, never the
error's type, text or traceback; the operator finds those in the server's log."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit import config as streamlit_config
from streamlit.testing.v1 import AppTest

from collab.web import page
from tests.support.app import start_app

PROJECT_DIR = Path(__file__).resolve().parents[2]
STREAMLIT_CONFIG = PROJECT_DIR / ".streamlit" / "config.toml"
UNREACHABLE_DATABASE = "postgresql+psycopg://nobody@127.0.0.1:1/none"
FAILING_SCRIPT = """
raise RuntimeError("connection to server at 10.0.0.7, port 5432 failed")
"""


@pytest.fixture
def configured_error_details():
    """``client.showErrorDetails`` as the project's config file sets it, for this test."""
    value = tomllib.loads(STREAMLIT_CONFIG.read_text())["client"]["showErrorDetails"]
    before = streamlit_config.get_option("client.showErrorDetails")
    streamlit_config.set_option("client.showErrorDetails", value)
    yield value
    streamlit_config.set_option("client.showErrorDetails", before)


def test_the_server_sends_browsers_no_error_type_text_or_traceback(configured_error_details):
    assert configured_error_details == "none"  # "false" would still send the traceback
    at = AppTest.from_string(FAILING_SCRIPT).run()
    [shown] = at.exception
    assert "10.0.0.7" not in shown.message and "5432" not in shown.message
    assert shown.stack_trace == []
    assert not shown.proto.type


def test_a_database_out_of_reach_is_told_in_plain_words_and_logged_in_full(
    app_url, monkeypatch, caplog
):
    monkeypatch.setenv("DATABASE_URL", UNREACHABLE_DATABASE)
    with caplog.at_level(logging.ERROR, logger="collab.web.page"):
        at = start_app()

    assert not at.exception
    assert [e.value for e in at.error] == [page.DATABASE_OUT_OF_REACH_MESSAGE]
    [logged] = [r for r in caplog.records if r.name == "collab.web.page"]
    assert isinstance(logged.exc_info[1], sa.exc.OperationalError)
    assert "127.0.0.1" in str(logged.exc_info[1])  # the operator learns where it failed


def test_an_unexpected_error_is_an_apology_and_a_log_entry(caplog):
    with caplog.at_level(logging.ERROR, logger="collab.web.page"):
        message = page.error_message(KeyError("answers_by_point"))
    assert message == page.UNEXPECTED_ERROR_MESSAGE
    assert caplog.records[0].exc_info[0] is KeyError
