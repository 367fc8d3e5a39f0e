"""When the demo happens: its days, counted in whole weeks back from the day it is built.

Owns: the demo's clock — a moment is named by (week, weekday, hour), week 0 being the week of the
day the demo is built, -1 the week before; `local` turns a Beijing-time moment into the naive UTC
the engine stores. Shifting by whole weeks keeps every step on the weekday it has in the story
(nothing on a Saturday or a Sunday) and keeps the hours between steps, whatever the day.
Must not: call the engine (the builder does), or read the real clock (the builder is given today).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from workflow.deadlines import LOCAL_TZ

MON, TUE, WED, THU, FRI = range(5)


def local(year, month, day, hour=9, minute=0) -> dt.datetime:
    """A Beijing-time moment as the naive UTC the engine stores."""
    moment = dt.datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def month_day(day: dt.date) -> str:
    """A day as a notice's text names one in the current year: 3月31日."""
    return f"{day.month}月{day.day}日"


@dataclass(frozen=True)
class Timeline:
    """The demo's days: `today` is the day it is built."""

    today: dt.date

    @property
    def monday(self) -> dt.date:
        """The Monday of the week the demo is built (week 0)."""
        return self.today - dt.timedelta(days=self.today.weekday())

    def day(self, week: int, weekday: int) -> dt.date:
        """The `weekday` (MON … FRI) of the week `week` weeks after week 0 (negative: before)."""
        return self.monday + dt.timedelta(weeks=week, days=weekday)

    def at(self, week: int, weekday: int, hour: int = 9, minute: int = 0) -> dt.datetime:
        """That day at hour:minute, Beijing time, as the engine stores it."""
        day = self.day(week, weekday)
        return local(day.year, day.month, day.day, hour, minute)

    def first_day(self) -> dt.datetime:
        """The demo's first moment: its people set up their second factor, its series open."""
        return self.at(-4, MON, 8)
