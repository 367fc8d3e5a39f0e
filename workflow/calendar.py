"""Working days (工作日) as a Chinese office counts them, and the calendar page's read side.

Owns: whether a day is a working day — the administrator's override of that day (`CalendarDay`)
if there is one, else the holiday calendar of the `chinesecalendar` package (public holidays and
their make-up working days, 调休), else, for a year the package does not know, Monday to Friday —
and counting in working days (`add_working_days`, `subtract_working_days`,
`working_days_between`). A `WorkingCalendar` loads the overrides a year at a time, once, so that
counting across many deadlines costs a query or two, not one per day. Also: which years in use
lack holiday data (`years_without_data`, shown to the administrator and by `tick`) and the
calendar page's overview (with the deadline policy in force). Must not: write anything (the overrides and the policy are set by
`workflow.commands.calendar`, audited).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.errors import InvalidInput
from workflow.models import CalendarDay, Notice, ReportRequest, User
from workflow.settings import Deadlines, deadline_policy
from workflow.states import NoticeState

# The package's data, read once: {day: holiday name} for days off, and the make-up working days.
_HOLIDAYS: dict[dt.date, str | None] = chinese_calendar.holidays
_MAKEUP_DAYS: dict[dt.date, str | None] = chinese_calendar.workdays
PACKAGE_YEARS = range(min(_HOLIDAYS).year, max(_HOLIDAYS).year + 1)

# The years an override may name (a typing slip such as 0225 or 20255 is refused).
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Counting gives up after so many days off in a row: only a broken calendar has that many.
LONGEST_BREAK = 400
# From this month on, next year's deadlines are near enough to need its holiday data.
NEXT_YEAR_FROM_MONTH = 11

HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def has_holiday_data(year: int) -> bool:
    """Whether the holiday package knows the public holidays of `year`."""
    return year in PACKAGE_YEARS


def _weekday_rule(day: dt.date) -> bool:
    return day.weekday() < 5


def package_says(day: dt.date) -> bool:
    """The package's answer (Monday to Friday for a year it does not know): no overrides."""
    if not has_holiday_data(day.year):
        return _weekday_rule(day)
    if day in _MAKEUP_DAYS:
        return True
    return day not in _HOLIDAYS and _weekday_rule(day)


class WorkingCalendar:
    """The working days as read now: overrides loaded a year at a time and kept for its life.

    Build one per transaction (a tick, an issue): it does not see overrides saved after it loaded
    a year.
    """

    def __init__(self, session: Session):
        self._session = session
        self._overrides: dict[dt.date, bool] = {}
        self._years: set[int] = set()
        self._between: dict[tuple[dt.date, dt.date], int] = {}

    def _load(self, year: int) -> None:
        if year in self._years:
            return
        rows = self._session.execute(
            select(CalendarDay.day, CalendarDay.is_workday)
            .where(CalendarDay.day >= dt.date(year, 1, 1), CalendarDay.day <= dt.date(year, 12, 31)))
        self._overrides.update({day: is_workday for day, is_workday in rows})
        self._years.add(year)

    def load(self, years: Iterable[int]) -> WorkingCalendar:
        """Load the overrides of several years in one statement (before counting across them)."""
        wanted = sorted(set(years) - self._years)
        if wanted:
            rows = self._session.execute(
                select(CalendarDay.day, CalendarDay.is_workday)
                .where(CalendarDay.day >= dt.date(wanted[0], 1, 1),
                       CalendarDay.day <= dt.date(wanted[-1], 12, 31)))
            self._overrides.update({day: is_workday for day, is_workday in rows})
            self._years.update(range(wanted[0], wanted[-1] + 1))
        return self

    def is_workday(self, day: dt.date) -> bool:
        """A working day: the override if any, else the package, else Monday to Friday."""
        self._load(day.year)
        override = self._overrides.get(day)
        return package_says(day) if override is None else override

    def _step(self, day: dt.date, n: int, direction: int) -> dt.date:
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise InvalidInput("工作日天数必须是不小于0的整数")
        one = dt.timedelta(days=direction)
        counted, idle = 0, 0
        while counted < n:
            day += one
            if self.is_workday(day):
                counted, idle = counted + 1, 0
            else:
                idle += 1
                if idle > LONGEST_BREAK:
                    raise InvalidInput(f"工作日历中连续{LONGEST_BREAK}天没有工作日，请检查工作日历")
        return day

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The day `n` working days after `day` (`day` itself when n is 0)."""
        return self._step(day, n, 1)

    def subtract_working_days(self, day: dt.date, n: int) -> dt.date:
        """The day `n` working days before `day` (`day` itself when n is 0)."""
        return self._step(day, n, -1)

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days after `a` up to and including `b`; negative when `b` is before `a`."""
        if b < a:
            return -self.working_days_between(b, a)
        key = (a, b)
        if key not in self._between:
            self.load(range(a.year, b.year + 1))
            days = (b - a).days
            self._between[key] = sum(
                1 for i in range(1, days + 1) if self.is_workday(a + dt.timedelta(days=i)))
        return self._between[key]


def is_workday(session: Session, day: dt.date) -> bool:
    """Whether `day` is a working day (override, else the holiday package, else Monday–Friday)."""
    return WorkingCalendar(session).is_workday(day)


def add_working_days(session: Session, day: dt.date, n: int) -> dt.date:
    """The day `n` (≥ 0) working days after `day`."""
    return WorkingCalendar(session).add_working_days(day, n)


def working_days_between(session: Session, a: dt.date, b: dt.date) -> int:
    """Working days after `a` up to and including `b` (negative when `b` is before `a`)."""
    return WorkingCalendar(session).working_days_between(a, b)


# ------------------------------------------------------------------------------------------------
# Years without holiday data.


def years_in_use(session: Session, today: dt.date) -> list[int]:
    """The years whose working days matter now: this year, next year once it is near (from
    November), and the year of every deadline of a notice still being handled."""
    years = {today.year}
    if today.month >= NEXT_YEAR_FROM_MONTH:
        years.add(today.year + 1)
    open_ = Notice.state == NoticeState.ISSUED
    years.update(d.year for d in session.scalars(
        select(Notice.receipt_due_on).distinct()
        .where(open_, Notice.receipt_due_on.is_not(None))))
    years.update(d.year for d in session.scalars(
        select(ReportRequest.due_date).distinct().join(Notice, Notice.id == ReportRequest.notice_id)
        .where(open_, ReportRequest.due_date.is_not(None))))
    return sorted(years)


def years_without_data(session: Session, today: dt.date) -> list[int]:
    """Years in use that the holiday package does not know and for which the administrator has
    entered no day: their working days are counted Monday to Friday, holidays unknown."""
    missing = [y for y in years_in_use(session, today) if not has_holiday_data(y)]
    if not missing:
        return []
    covered = _years_with_overrides(session, missing)
    return [y for y in missing if y not in covered]


def _years_with_overrides(session: Session, years: list[int]) -> dict[int, int]:
    """{year: how many override days} for those of `years` that have any."""
    rows = session.execute(
        select(CalendarDay.day).where(CalendarDay.day >= dt.date(min(years), 1, 1),
                                      CalendarDay.day <= dt.date(max(years), 12, 31))).scalars()
    counts: dict[int, int] = {}
    for day in rows:
        if day.year in years:
            counts[day.year] = counts.get(day.year, 0) + 1
    return counts


# ------------------------------------------------------------------------------------------------
# The calendar page.


@dataclass(frozen=True)
class Break:
    """A run of days off the package knows (a public holiday and the weekend joined to it)."""

    first: dt.date
    last: dt.date
    name: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def span(self) -> str:
        """10月1日至10月8日 (the year goes without saying on a year's page)."""
        first, last = (f"{d.month}月{d.day}日" for d in (self.first, self.last))
        return first if first == last else f"{first}至{last}"


@dataclass(frozen=True)
class Override:
    day: dt.date
    is_workday: bool
    note: str | None
    set_by: str | None
    set_at: dt.datetime
    package_is_workday: bool  # what the day would be without the override

    @property
    def label(self) -> str:
        return "工作日" if self.is_workday else "休息日"

    @property
    def weekday(self) -> str:
        return "一二三四五六日"[self.day.weekday()]


@dataclass(frozen=True)
class YearOverview:
    year: int
    has_data: bool  # the package knows the year
    breaks: list[Break]  # the package's holidays, in order
    makeup_days: list[dt.date]  # the package's make-up working days (调休上班), in order
    overrides: list[Override]  # the administrator's days of this year
    years_without_data: list[int]  # of the years in use
    override_years: dict[int, int]  # {year: number of override days}, every year that has any
    shown_years: list[int]  # the years the page offers to show
    policy: Deadlines  # the deadline policy in force


def _breaks(year: int) -> list[Break]:
    if not has_holiday_data(year):
        return []
    named = sorted((d, n) for d, n in _HOLIDAYS.items() if d.year == year and n)
    runs: list[tuple[dt.date, dt.date, list[str]]] = []
    for day, name in named:
        label = HOLIDAY_NAMES.get(name, name)
        # Join a day to the run before it when only days off lie between (a weekend).
        if runs and all(not package_says(runs[-1][1] + dt.timedelta(days=i))
                        for i in range(1, (day - runs[-1][1]).days)):
            first, _, names = runs[-1]
            runs[-1] = (first, day, names if label in names else [*names, label])
        else:
            runs.append((day, day, [label]))
    one = dt.timedelta(days=1)
    for i, (first, last, names) in enumerate(runs):  # the weekend joined to it is part of it
        while not package_says(first - one) and (first - one).year == year:
            first -= one
        while not package_says(last + one) and (last + one).year == year:
            last += one
        runs[i] = (first, last, names)
    return [Break(first, last, "、".join(names)) for first, last, names in runs]


def _makeup_days(year: int) -> list[dt.date]:
    return sorted(d for d in _MAKEUP_DAYS if d.year == year)


def overview(session: Session, *, year: int | None, today: dt.date) -> YearOverview:
    """The calendar page: the package's holidays of `year` (this year when None), the overrides,
    the years lacking data, and the deadline policy."""
    year = min(max(year or today.year, FIRST_YEAR), LAST_YEAR)
    rows = session.execute(
        select(CalendarDay, User.display_name)
        .outerjoin(User, User.id == CalendarDay.set_by_id)
        .where(CalendarDay.day >= dt.date(year, 1, 1), CalendarDay.day <= dt.date(year, 12, 31))
        .order_by(CalendarDay.day)).all()
    overrides = [Override(row.day, row.is_workday, row.note, name, row.set_at,
                          package_says(row.day)) for row, name in rows]
    override_years: dict[int, int] = {}
    for day in session.scalars(select(CalendarDay.day)):  # a few dozen rows a year
        override_years[day.year] = override_years.get(day.year, 0) + 1
    missing = years_without_data(session, today)
    shown = sorted({today.year - 1, today.year, today.year + 1, year, *override_years, *missing})
    return YearOverview(year, has_holiday_data(year), _breaks(year), _makeup_days(year),
                        overrides, missing, override_years, shown, deadline_policy(session))
