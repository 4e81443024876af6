"""Dates and times as people read them, one way everywhere: ``2 December 2026`` and
``2 December 2026, 14:05 UTC``.

The pages, the messages of the domain and the meeting pack all write dates through these
two functions, so a date reads the same wherever it appears. (The command line and the
export files keep ISO dates, which other programs read.)
"""

from __future__ import annotations

import datetime as dt

# What a date that was never set reads.
NOT_SET = "not set"


def long_date(day: dt.date | None) -> str:
    """A date such as ``2 December 2026`` (no leading zero); ``not set`` for None.

    A datetime gives its date only.
    """
    if day is None:
        return NOT_SET
    return f"{day.day} {day:%B %Y}"


def long_time(moment: dt.datetime) -> str:
    """A time such as ``2 December 2026, 14:05 UTC``, to the minute.

    A naive datetime is taken to be UTC already (the database stores UTC); an aware one
    is converted to UTC first.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return f"{long_date(moment)}, {moment:%H:%M} UTC"
