"""The web layer's clock: the moment every view and CLI command hands the engine as `now`.

Owns: `now()`, read from the app's configuration `CLOCK` — a callable without arguments that
returns a moment as the engine takes it (naive UTC, or aware in any zone); None (the default)
means the real time — and `today()`, its day in Asia/Shanghai. Tests set a fixed clock, so that
no page depends on the day the tests run. Must not: decide anything from the date (the engine
does), or be read at import time (the clock is the current app's).
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app

from workflow.db import as_utc, utcnow
from workflow.deadlines import local_date


def now() -> dt.datetime:
    """The current app's moment, naive UTC as the engine stores it."""
    clock = current_app.config["CLOCK"]
    return utcnow() if clock is None else as_utc(clock())


def today() -> dt.date:
    """The current app's day in Asia/Shanghai."""
    return local_date(now())


def fixed() -> dt.datetime | None:
    """The moment of a clock that is not the real one, else None.

    For the engine's long-running work that follows the real clock itself when given no moment
    (the mail sender measures its leases on it).
    """
    return None if current_app.config["CLOCK"] is None else now()


def init_app(app: Flask) -> None:
    """Refuse at start-up a CLOCK that cannot be asked the time."""
    clock = app.config.get("CLOCK")
    if clock is not None and not callable(clock):
        raise RuntimeError(f"CLOCK 应为不带参数、返回当前时刻的函数，或不设置（使用真实时间），"
                           f"而不是 {clock!r}")
