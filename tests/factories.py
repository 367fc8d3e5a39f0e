"""Builders for tests: a small world of units, groups and users, and notices in any state.

Everything goes through the real commands, so a builder can fail exactly as the product can.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, insert, select

from workflow import commands as c
from workflow.db import Base, read_only
from workflow.errors import WorkflowError
from workflow.models import (
    Circulation,
    Incoming,
    Notice,
    NumberSeries,
    Receipt,
    Report,
    RoleGrant,
    Unit,
    UnitGroup,
    User,
)
from workflow.states import NoticeState, Role

HAN = re.compile("[\u4e00-\u9fff]")  # a message fit for a Chinese user has Chinese in it

T0 = dt.datetime(2016, 3, 7, 1, 0)  # 2016-03-07 09:00 in Asia/Shanghai

# The audit key of every test process (conftest and the worker processes give it to the engine).
AUDIT_KEY = "gongwen-tests-audit-key-known-to-everyone-0123456789"


def at(days: float = 0, hours: float = 0) -> dt.datetime:
    """A moment `days` after T0 (naive UTC, as the engine stores it)."""
    return T0 + dt.timedelta(days=days, hours=hours)


@dataclass
class World:
    """A federation with three district federations in a group, one 抄送 unit and a user per role."""

    session: object
    issuer: Unit = None
    districts: list[Unit] = field(default_factory=list)
    cc_unit: Unit = None
    group: UnitGroup = None
    users: dict[str, User] = field(default_factory=dict)

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def build_world(session, *, review_required: bool = True, districts: int = 3) -> World:
    """Units, a group of districts, and one user for every role (receivers in each district)."""
    w = World(session)
    w.issuer = c.create_unit(session, None, name="示范市妇女联合会", short_name="市妇联",
                             doc_code="示妇发", org_code="SFL", review_required=review_required)
    w.districts = [
        c.create_unit(session, None, name=f"示范市第{i}区妇联", parent_id=w.issuer.id)
        for i in range(1, districts + 1)
    ]
    w.cc_unit = c.create_unit(session, None, name="示范省妇女联合会")
    # The city federation sits under the province: one federation, so the city may copy (抄送)
    # its superior. (Created in this order so that the city keeps the first unit id.)
    c.update_unit(session, None, unit_id=w.issuer.id, name=w.issuer.name,
                  short_name=w.issuer.short_name, parent_id=w.cc_unit.id,
                  doc_code=w.issuer.doc_code, org_code=w.issuer.org_code,
                  review_required=review_required)
    w.group = c.create_group(session, None, owner_unit_id=w.issuer.id, name="各区妇联",
                             member_ids=[u.id for u in w.districts])
    people = {
        "drafter": (Role.DRAFTER, w.issuer), "drafter2": (Role.DRAFTER, w.issuer),
        "reviewer": (Role.REVIEWER, w.issuer), "signatory": (Role.SIGNATORY, w.issuer),
        "clerk": (Role.CLERK, w.issuer), "supervisor": (Role.SUPERVISOR, w.issuer),
        "admin": (Role.ADMIN, w.issuer), "security": (Role.SECURITY_OFFICER, w.issuer),
        "auditor": (Role.AUDITOR, w.issuer), "cc_receiver": (Role.RECEIVER, w.cc_unit),
    }
    for i, unit in enumerate(w.districts, start=1):
        people[f"receiver{i}"] = (Role.RECEIVER, unit)
    for username, (role, unit) in people.items():
        user = c.create_user(session, None, username=username, display_name=username,
                             unit_id=unit.id)
        c.grant_role(session, None, user_id=user.id, role=role, unit_id=unit.id)
        w.users[username] = user
    session.flush()
    return w


def draft(w: World, *, requests=None, **fields) -> Notice:
    """A draft to the district group, cc the province, with one report request by default."""
    if requests is None:
        requests = [{"what": "调研报告", "due_date": dt.date(2016, 4, 30), "to_whom": "市妇联"}]
    values = dict(title="关于开展调研的通知", body="请各区妇联开展调研。",
                  main_group_ids=[w.group.id], cc_unit_ids=[w.cc_unit.id],
                  report_requests=requests)
    values.update(fields)
    return c.create_draft(w.session, w.drafter, now=at(0), **values)


def notice_in(w: World, state: NoticeState, **fields) -> Notice:
    """A notice driven through the real commands to `state`."""
    n = draft(w, **fields)
    s = w.session
    if state == NoticeState.DRAFT:
        return n
    if state == NoticeState.CANCELLED:
        return c.cancel(s, w.drafter, notice_id=n.id, now=at(0.1))
    c.submit(s, w.drafter, notice_id=n.id, now=at(0.1))
    if state == NoticeState.IN_REVIEW:
        return n
    if n.state == NoticeState.IN_REVIEW:
        c.pass_review(s, w.reviewer, notice_id=n.id, now=at(0.2))
    if state == NoticeState.AWAITING_SIGNOFF:
        return n
    c.sign(s, w.signatory, notice_id=n.id, opinion="同意印发", now=at(0.3))
    if state == NoticeState.SIGNED:
        return n
    c.issue(s, w.clerk, notice_id=n.id, now=at(1))
    if state == NoticeState.ISSUED:
        return n
    if state in (NoticeState.REVOKED, NoticeState.ABOLISHED):
        verb = c.revoke if state == NoticeState.REVOKED else c.abolish
        return verb(s, w.signatory, notice_id=n.id, reason="政策调整", now=at(2))
    c.close(s, w.supervisor, notice_id=n.id, reason="提前办结", now=at(2))
    if state == NoticeState.CLOSED:
        return n
    return c.archive(s, w.clerk, notice_id=n.id, retention="Y10", now=at(3))


def receipts_of(w: World, notice: Notice) -> list[Receipt]:
    return list(w.session.scalars(select(Receipt).where(Receipt.notice_id == notice.id)
                                  .order_by(Receipt.id)))


def reports_of(w: World, notice: Notice) -> list[Report]:
    return list(w.session.scalars(select(Report).where(Report.notice_id == notice.id)
                                  .order_by(Report.id)))


def full_story(world, session) -> None:
    """A notice from draft to archive, with every kind of step on the way, and one revoked."""
    w, s = world, session
    notice = notice_in(w, NoticeState.DRAFT)
    c.submit(s, w.drafter, notice_id=notice.id, now=at(0.1))
    c.return_for_revision(s, w.reviewer, notice_id=notice.id, reason="请补充数据", now=at(0.2))
    c.update_draft(s, w.drafter, notice_id=notice.id, body="请各区妇联开展调研并报送数据。",
                   now=at(0.3))
    c.submit(s, w.drafter, notice_id=notice.id, now=at(0.4))
    c.pass_review(s, w.reviewer, notice_id=notice.id, opinion="可以", now=at(0.5))
    c.sign(s, w.signatory, notice_id=notice.id, opinion="同意印发", now=at(0.6))
    c.issue(s, w.clerk, notice_id=notice.id, now=at(1))
    receipts = {r.unit_id: r for r in receipts_of(w, notice)}
    reports = {r.unit_id: r for r in reports_of(w, notice)}
    d1, d2, d3 = w.districts
    c.acknowledge(s, w.receiver1, receipt_id=receipts[d1.id].id, now=at(1.5))
    c.submit_report(s, w.receiver1, report_id=reports[d1.id].id, text="初稿", now=at(2))
    c.return_report(s, w.supervisor, report_id=reports[d1.id].id, reason="缺数据", now=at(3))
    c.submit_report(s, w.receiver1, report_id=reports[d1.id].id, text="定稿", now=at(4))
    c.accept_report(s, w.supervisor, report_id=reports[d1.id].id, now=at(5))
    c.reject(s, w.receiver2, receipt_id=receipts[d2.id].id, reason="误送", now=at(5))
    c.remind(s, w.supervisor, notice_id=notice.id, now=at(6))
    c.close(s, w.supervisor, notice_id=notice.id, reason="提前办结", now=at(7))
    c.archive(s, w.clerk, notice_id=notice.id, retention="Y30", now=at(8))
    notice_in(w, NoticeState.REVOKED)
    s.commit()


def table_rows(session_factory) -> dict:
    """The number of rows in every table, and the state and version of every row of a machine."""
    with session_factory() as s:
        read_only(s)
        counts = {t.name: s.scalar(select(func.count()).select_from(t))
                  for t in Base.metadata.sorted_tables}
        states = {
            model.__tablename__: s.execute(
                select(model.id, model.state, model.version).order_by(model.id)).all()
            for model in (Notice, Receipt, Report, Incoming, Circulation)
        }
        series = s.execute(select(NumberSeries.code, NumberSeries.year, NumberSeries.next_serial)
                           .order_by(NumberSeries.id)).all()
        return {"counts": counts, "states": states, "series": series}


def refused(session, session_factory, call, kind=WorkflowError, containing: str = "") -> str:
    """Run `call`, require a `kind` refusal in Chinese, and that the database did not change."""
    session.commit()
    before = table_rows(session_factory)
    with pytest.raises(kind) as caught:
        call()
    message = str(caught.value)
    assert HAN.search(message), message
    assert containing in message, message
    session.commit()  # the caller may commit after a refusal: nothing half-done goes with it
    assert table_rows(session_factory) == before
    return message


def add_units_with_receivers(session, world, prefix: str, n: int) -> list[int]:
    """`n` units, each with one receiver (written in bulk: this is setting, not the subject)."""
    session.execute(insert(Unit), [{"name": f"{prefix}{i:04d}", "parent_id": world.issuer.id}
                                   for i in range(n)])
    unit_ids = list(session.scalars(
        select(Unit.id).where(Unit.name.like(f"{prefix}%")).order_by(Unit.id)))
    session.execute(insert(User), [{"username": f"{prefix}-r{u}", "display_name": f"收文员{u}",
                                    "unit_id": u} for u in unit_ids])
    users = session.execute(select(User.id, User.unit_id).where(
        User.username.like(f"{prefix}-r%"))).all()
    session.execute(insert(RoleGrant), [{"user_id": uid, "unit_id": unit, "role": Role.RECEIVER}
                                        for uid, unit in users])
    return unit_ids


def signed_for(w, session, unit_index: int = 0) -> Incoming:
    """District `unit_index + 1` signs for a freshly issued notice: its 收文, registered."""
    notice = notice_in(w, NoticeState.ISSUED)
    receipt = session.scalar(select(Receipt).where(Receipt.notice_id == notice.id,
                                                   Receipt.unit_id == w.districts[unit_index].id))
    c.acknowledge(session, w.users[f"receiver{unit_index + 1}"], receipt_id=receipt.id,
                  now=at(1.5))
    return session.scalar(select(Incoming).where(Incoming.receipt_id == receipt.id))


def instructed(w, session, instruction: str = "请阅") -> Incoming:
    """District 1's 收文 (the `office` fixture's staff) in hand: signed for, proposed to its 宣传部
    to handle, and instructed by the chair."""
    incoming = signed_for(w, session)
    c.propose(session, w.office_head, incoming_id=incoming.id, kind="TO_HANDLE",
              lead_unit_id=w.dept.id, now=at(2))
    c.instruct(session, w.chair, incoming_id=incoming.id, instruction=instruction, now=at(2.1))
    return incoming
