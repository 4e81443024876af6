"""Dates and times as people read them: one format for every page and message."""

import datetime as dt

from collab.domain.dates import long_date, long_time


def test_a_date_reads_day_month_in_words_and_year_without_a_leading_zero():
    assert long_date(dt.date(2026, 12, 2)) == "2 December 2026"
    assert long_date(dt.date(2027, 3, 15)) == "15 March 2027"


def test_a_date_never_set_reads_not_set():
    assert long_date(None) == "not set"


def test_a_time_reads_as_its_date_then_hours_and_minutes_in_utc():
    assert long_time(dt.datetime(2026, 12, 2, 14, 5, 37, 123456)) == "2 December 2026, 14:05 UTC"


def test_an_aware_time_is_shown_in_utc():
    paris = dt.timezone(dt.timedelta(hours=1))
    moment = dt.datetime(2027, 1, 1, 0, 30, tzinfo=paris)
    assert long_time(moment) == "31 December 2026, 23:30 UTC"
