"""Due dates and overdue, as pure functions of dates and `now`.

Owns: the local calendar day of a moment (Asia/Shanghai), days left until a due date (negative
once overdue: overdue is always computed from a due date and today, never stored), a date as
GB/T 9704 writes it. Must not: touch the database.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_time(moment: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) moment in Asia/Shanghai time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(LOCAL_TZ)


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar day in Asia/Shanghai of a stored (naive UTC) moment."""
    return local_time(moment).date()


def days_left(due: dt.date | None, today: dt.date) -> int | None:
    """Days until `due` (0 on the day, negative when overdue); None when there is no due date."""
    return None if due is None else (due - today).days


def chinese_date(day: dt.date) -> str:
    """A date as GB/T 9704 writes it: 2015年8月11日, no leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"
