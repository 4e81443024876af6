"""A framework file that can't be used stops the app with its message, never a traceback."""

import pytest

from collab.store.framework import DEFAULT_PATH
from tests.support.app import start_app

SHIPPED = DEFAULT_PATH.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (SHIPPED.encode("utf-16"), "the framework file is saved as UTF-16 text"),
        (
            SHIPPED.replace('key = "focus"', 'key = "round"').encode(),
            "'round' is a column of the response file",
        ),
    ],
)
def test_a_framework_file_that_cant_be_used_stops_the_app_with_its_message(
    app_db, tmp_path, monkeypatch, data, says
):
    path = tmp_path / "framework.toml"
    path.write_bytes(data)
    monkeypatch.setenv("COLLAB_FRAMEWORK", str(path))
    at = start_app("member", "pages/submit.py")
    assert not at.exception
    assert "framework file can't be used" in at.error[0].value
    assert len(at.code) == 1
    assert at.code[0].value.startswith(f"{path}: ")
    assert says in at.code[0].value
