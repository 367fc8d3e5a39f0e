"""The 收文 as plain data for operators and scripts (`flask incoming list|show`).

Owns: one row per 收文 of the register (`incoming_rows`), and one 收文 with everything written on
its 收文处理笺 (`incoming_record`): 拟办意见, 批示, 办理结果, 答复 and the readers. Times are Beijing
time in ISO 8601, dates YYYY-MM-DD, states by name with their Chinese label.
Must not: change anything, or be shown to a person as it is: it is the server's view of every
unit (the pages decide what a person may see, by workflow.permissions).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from workflow.deadlines import local_time
from workflow.loading import get_or_404
from workflow.models import Circulation, Incoming, Report, Unit


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    """A stored moment (naive UTC) as Beijing time, a date as YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return local_time(value).isoformat(timespec="seconds")
    return value.isoformat()


def _loaded():
    return (selectinload(Incoming.circulations).joinedload(Circulation.reader),
            selectinload(Incoming.assignments))


def _name(user) -> str | None:
    return user.display_name if user is not None else None


def _row(i: Incoming) -> dict:
    lead = next((a for a in i.assignments if a.lead), None)
    return {
        "id": i.id,
        "unit": i.unit.name,
        "unit_id": i.unit_id,
        "number": i.number,
        "received_on": _iso(i.received_on),
        "source_organ": i.source_organ,
        "source_number": i.source_number,
        "title": i.title,
        "external": i.external,
        "state": i.state.name,
        "state_label": i.state.label,
        "kind": i.kind.label if i.kind else None,
        "handler": lead.unit.name if lead is not None else None,
        "handler_person": _name(lead.person) if lead is not None else None,
        "assisting": [a.unit.name for a in i.assignments if not a.lead],
        "deadline": _iso(i.deadline),
        "readers": [
            {"name": c.reader.display_name, "username": c.reader.username,
             "state": c.state.name, "state_label": c.state.label, "required": c.required,
             "read_at": _iso(c.read_at)}
            for c in i.circulations
        ],
    }


def incoming_rows(session: Session, unit_id: int | None = None) -> list[dict]:
    """Every 收文 (or those of `unit_id`), by unit, year and 收文编号."""
    statement = select(Incoming).options(*_loaded()).order_by(
        Incoming.unit_id, Incoming.year, Incoming.serial)
    if unit_id is not None:
        get_or_404(session, Unit, unit_id, label="单位")
        statement = statement.where(Incoming.unit_id == unit_id)
    return [_row(i) for i in session.scalars(statement)]


def incoming_record(session: Session, incoming_id: int) -> dict:
    """One 收文 with its register fields, 拟办, 批办, 办理结果, 答复 and readers' opinions."""
    i = get_or_404(session, Incoming, incoming_id, label="收文", options=_loaded())
    record = _row(i)
    opinions = {c.reader.username: (c.opinion, c.reason) for c in i.circulations}
    for reader in record["readers"]:
        reader["opinion"], reader["waived_because"] = opinions[reader["username"]]
    if i.external:
        reply = {"on": _iso(i.reply_on), "file": i.reply_filename}
    else:
        reports = session.scalars(select(Report).where(
            Report.notice_id == i.notice_id, Report.unit_id == i.unit_id).order_by(Report.id))
        reply = {"reports": [{"what": r.request.what, "state": r.state.name,
                              "state_label": r.state.label, "submitted_at": _iso(r.submitted_at)}
                             for r in reports]}
    record.update({
        "notice_id": i.notice_id,
        "urgency": i.urgency.label,
        "secrecy": i.secrecy.label,
        "pages": i.pages,
        "copies": i.copies,
        "registered_by": _name(i.registered_by),
        "registered_at": _iso(i.registered_at),
        "source_file": i.source_filename,
        "proposal": i.proposal,
        "proposed_by": _name(i.proposed_by),
        "proposed_at": _iso(i.proposed_at),
        "returned_reason": i.returned_reason,
        "instruction": i.instruction,
        "instructed_by": _name(i.instructed_by),
        "instructed_at": _iso(i.instructed_at),
        "result": i.result,
        "finished_by": _name(i.finished_by),
        "finished_at": _iso(i.finished_at),
        "reply": reply,
        "archive_code": i.archive_code,
    })
    return record
