"""The submit page while another process holds the database's write lock: the member is
told the database is busy within seconds, and every answer stays on the form."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from collab.domain import submissions
from collab.store.errors import DATABASE_BUSY_MESSAGE
from tests.support.alliances import open_alliance
from tests.support.app import every_point_on_one_page, open_submit_page, receipt_code
from tests.support.databases import table_counts


def test_a_busy_database_keeps_the_answers_on_the_form_and_says_so(app_db, framework, monkeypatch):
    codes = open_alliance(app_db, framework).codes
    monkeypatch.setattr(submissions, "MEMBER_WRITE_WAIT_SECONDS", 0.3)
    at = every_point_on_one_page(open_submit_page(codes[0]))
    chosen = {point: i % 5 + 1 for i, point in enumerate(framework.point_keys)}
    for point, score in chosen.items():
        at.radio(key=f"answer_{point}").set_value(score)
    at.text_area(key=f"comment_{framework.point_keys[0]}").input("Agreed actions, named owners.")

    holder = sqlite3.connect(Path(str(app_db.engine.url.database)), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's long write
    try:
        at.button(key="submit_send").click().run()
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert not at.exception
    assert DATABASE_BUSY_MESSAGE in [str(e.value).replace("\\", "") for e in at.error]
    assert {p: at.radio(key=f"answer_{p}").value for p in framework.point_keys} == chosen
    assert at.text_area(key=f"comment_{framework.point_keys[0]}").value == (
        "Agreed actions, named owners."
    )
    assert table_counts(app_db)["submissions"] == 0

    at.button(key="submit_send").click().run()
    assert receipt_code(at) is not None
    assert table_counts(app_db)["submissions"] == 1
