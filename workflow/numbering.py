"""The register of document numbers (发文字号): series, allocation and the void register.

Owns: one counter row per series (机关代字, year), locked inside the issuing transaction, so that
serials are handed out without duplicates and without gaps; the unique constraints on the counter,
on notices' numbers and on the void register are the backstop. A voided or used serial is never
handed out again. Formatting and parsing (pure) live in `docnumber` and are re-exported here.
Must not: commit, or allocate anywhere but inside `issue`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.db import insert_ignore, lock_for_update
from workflow.docnumber import SERIAL_MAX, DocNumber, find_numbers, format_number, parse_number
from workflow.errors import InvalidInput
from workflow.models import NumberSeries, Unit, VoidedNumber

__all__ = [
    "DocNumber", "format_number", "parse_number", "find_numbers",
    "series_for", "allocate", "peek_next", "voided_serials", "check_code_owner",
]


def series_for(session: Session, *, issuer_unit_id: int, code: str, year: int,
               lock: bool = False) -> NumberSeries:
    """The series (code, year), created at serial 1 if it does not exist yet."""
    statement = select(NumberSeries).where(NumberSeries.code == code, NumberSeries.year == year)
    series = session.scalar(lock_for_update(statement) if lock else statement)
    if series is None:
        check_code_owner(session, issuer_unit_id=issuer_unit_id, code=code)
        # Two issuers may open a new year's series at once: insert-or-skip, then read it back.
        insert_ignore(
            session, NumberSeries.__table__,
            [{"issuer_unit_id": issuer_unit_id, "code": code, "year": year,
              "start_serial": 1, "next_serial": 1}],
            conflict_columns=["code", "year"],
        )
        series = session.scalar(lock_for_update(statement) if lock else statement)
    if series.issuer_unit_id != issuer_unit_id:
        raise InvalidInput(f"机关代字“{code}”属于其他单位，不能使用")
    return series


def check_code_owner(session: Session, *, issuer_unit_id: int, code: str) -> None:
    """Refuse a 机关代字 that is another unit's own (its doc_code) before a series of it exists.

    Without this, the first unit to issue under a code would own its series for the year, even
    when the code is another organ's (an existing series is checked in `series_for`).
    """
    owner = session.scalar(
        select(Unit.id).where(Unit.doc_code == code, Unit.id != issuer_unit_id).limit(1))
    if owner is not None:
        raise InvalidInput(f"机关代字“{code}”属于其他单位，不能使用")


def voided_serials(session: Session, series_id: int, from_serial: int) -> set[int]:
    return set(session.scalars(
        select(VoidedNumber.serial).where(
            VoidedNumber.series_id == series_id, VoidedNumber.serial >= from_serial)
    ))


def _first_free(series: NumberSeries, voided: set[int]) -> int:
    serial = series.next_serial
    while serial in voided:
        serial += 1
    return serial


def peek_next(session: Session, *, issuer_unit_id: int, code: str, year: int) -> int:
    """The serial the next issue in this series would get (nothing is reserved)."""
    statement = select(NumberSeries).where(NumberSeries.code == code, NumberSeries.year == year)
    series = session.scalar(statement)
    if series is None:
        return 1
    return _first_free(series, voided_serials(session, series.id, series.next_serial))


def allocate(session: Session, *, issuer_unit_id: int, code: str, year: int) -> DocNumber:
    """Take the next free serial of the series. Call only inside the issuing transaction."""
    series = series_for(session, issuer_unit_id=issuer_unit_id, code=code, year=year, lock=True)
    serial = _first_free(series, voided_serials(session, series.id, series.next_serial))
    if serial > SERIAL_MAX:
        raise InvalidInput(f"{code}〔{year}〕系列的顺序号已用完（最大 {SERIAL_MAX}），请启用新的机关代字")
    series.next_serial = serial + 1
    session.flush()
    return DocNumber(code, year, serial)
