"""What an anonymous clear-cache message costs the leadership: ``make bench``.

Streamlit lets any browser tell the server to clear its caches. This builds the demo
alliance in a fresh SQLite file and times the Divergence overview (a leadership page),
rerun in one session as after a click: warm, then with Streamlit's caches cleared before
each run, as a client sending that message every half second would. It prints the
median and worst of each, and their ratio.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

RUNS = 15


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="collab-clear-cache-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'demo.db'}"
    import streamlit as st

    from collab.demo import build_demo
    from collab.store.db import Database
    from collab.store.framework import load_framework
    from tests.support.app import open_page

    db = Database.from_url(os.environ["DATABASE_URL"])
    db.upgrade()
    build_demo(db, framework=load_framework(PROJECT / "data" / "framework.toml"))
    at = open_page("pages/divergence.py")

    def timed(clear: bool) -> list[float]:
        times = []
        for _ in range(RUNS):
            if clear:
                st.cache_data.clear()
                st.cache_resource.clear()
            start = time.perf_counter()
            at.run()
            times.append((time.perf_counter() - start) * 1000)
            assert not at.exception, at.exception
        return times

    timed(False)  # fill the caches
    warm, cleared = timed(False), timed(True)
    for label, times in (("warm rerun", warm), ("after clear-cache", cleared)):
        print(
            f"Divergence overview, {label:>17}: median {statistics.median(times):7.1f} ms, "
            f"worst {max(times):7.1f} ms"
        )
    ratio = statistics.median(cleared) / statistics.median(warm)
    print(f"Cost of the clear-cache message: x{ratio:.2f}")
    db.dispose()


if __name__ == "__main__":
    main()
