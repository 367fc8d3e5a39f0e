"""The working-day calendar's own tables: the administrator's day overrides and the deadline policy.

`CalendarDay` overrides what the Chinese calendar package says about one day (a local holiday, a
make-up working day, or a year the package does not know yet). `DeadlinePolicy` is one row (id 1)
that the system administrator sets: the working days allowed for signing for receipt by 紧急程度,
and when reminders go out. No row means the defaults in `workflow.settings` apply.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Base, utcnow

if TYPE_CHECKING:  # the names in annotations; SQLAlchemy resolves them at run time
    from workflow.models.organisation import User


class CalendarDay(Base):
    """An administrator's override of one day: a working day or a day off, with a note."""

    __tablename__ = "calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, unique=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(100))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    set_by: Mapped[User | None] = relationship()


class DeadlinePolicy(Base):
    """The deadline and reminder policy (one row, id 1); see `workflow.settings.deadline_policy`."""

    __tablename__ = "deadline_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Working days from the issue day to the receipt deadline, by 紧急程度.
    very_urgent_days: Mapped[int] = mapped_column(Integer)  # 特急
    urgent_days: Mapped[int] = mapped_column(Integer)  # 加急
    normal_days: Mapped[int] = mapped_column(Integer)  # 平件
    # Reminders: so many working days before a deadline (a list, e.g. [3, 1]), on the day, and
    # after it every so many working days.
    remind_before: Mapped[list[int]] = mapped_column(JSON)
    remind_on_due_day: Mapped[bool] = mapped_column(Boolean)
    remind_every_days: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    updated_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}
