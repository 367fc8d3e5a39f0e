"""The counters of the 转发 tree, kept by the commands, against a tree counted by hand.

Two levels of 转发 below the city's notice: district 1 forwards it to its three 街道 (and copies
the city); 东风街道 forwards that to its two 社区. The story — signing for, reading, reporting,
a report returned and one accepted, a 转发 drafted and cancelled, a 转发 closed by hand — is
counted by hand after each step, on 10 May 2016 (after every deadline: whoever still owes in an
open notice is overdue) and on 11 March (before any: nobody is). Then random steps, seeded,
after each of which the counters must equal a fresh count of the receipts and reports; then two
units of one subtree signing for at the same moment (on PostgreSQL truly at once); and the
migration's filling of the counters of forwards issued before it, against the commands'.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from tests.concurrency.test_tick import wait_until_blocked
from tests.factories import at
from workflow import commands as c
from workflow.db import lock_for_update
from workflow.errors import WorkflowError
from workflow.models import ForwardDue, ForwardTally, Incoming, Notice, Receipt, Report
from workflow.queries.forwarding import notice_tree, recount, rollup
from workflow.states import ReceiptState, ReportState, Role

LATE = dt.datetime(2016, 5, 10, 2)  # Tuesday 10 May, after every deadline
EARLY = dt.datetime(2016, 3, 11, 2)  # Friday 11 March, the first deadline not yet past


def _staff(w, session, unit, username: str, roles) -> None:
    """One person of `unit` holding `roles`."""
    user = c.create_user(session, None, username=username, display_name=username,
                         unit_id=unit.id)
    for role in roles:
        c.grant_role(session, None, user_id=user.id, role=role, unit_id=unit.id)
    w.users[username] = user


def _receipt(session, notice, unit) -> Receipt:
    return session.scalar(select(Receipt).where(Receipt.notice_id == notice.id,
                                                Receipt.unit_id == unit.id))


def _report(session, notice, unit) -> Report:
    return session.scalar(select(Report).where(Report.notice_id == notice.id,
                                               Report.unit_id == unit.id))


def _in_hand(w, session, notice, unit, drafter, when: float) -> Incoming:
    """The unit signs for `notice` (as its 收文员) and its drafter takes the 收文 in hand."""
    receiver = {s.id: w.users[f"street{i}"] for i, s in enumerate(w.streets, start=1)}[unit.id]
    receipt = _receipt(session, notice, unit)
    c.acknowledge(session, receiver, receipt_id=receipt.id, now=at(when))
    incoming = session.scalar(select(Incoming).where(Incoming.receipt_id == receipt.id))
    c.propose(session, drafter, incoming_id=incoming.id, kind="TO_HANDLE", lead_unit_id=unit.id,
              now=at(when + 0.01))
    c.instruct(session, drafter, incoming_id=incoming.id, instruction="转发", now=at(when + 0.02))
    return incoming


@pytest.fixture
def chain(cascade, session):
    """The city's notice → district 1's 转发 (F1) to its 街道 → 东风街道's 转发 (F2) to its 社区;
    东风 has signed for F1; nobody has signed for F2 yet."""
    w = cascade
    f1 = c.forward(session, w.d1_drafter, incoming_id=w.incoming.id, now=at(3))
    c.update_draft(session, w.d1_drafter, notice_id=f1.id,
                   main_unit_ids=[s.id for s in w.streets], cc_unit_ids=[w.issuer.id], now=at(3))
    c.submit(session, w.d1_drafter, notice_id=f1.id, now=at(3.1))
    c.sign(session, w.d1_signatory, notice_id=f1.id, opinion="同意", now=at(3.2))
    c.issue(session, w.d1_clerk, notice_id=f1.id, now=at(3.3))
    s1 = w.streets[0]
    s1.short_name, s1.doc_code, s1.review_required = "东风街道妇联", "东妇发", False
    w.communities = [c.create_unit(session, None, name=f"东风街道{n}社区妇联", parent_id=s1.id)
                     for n in ("一", "二")]
    for i, unit in enumerate(w.communities, start=1):
        _staff(w, session, unit, f"community{i}_receiver", (Role.RECEIVER,))
    for i, street in enumerate(w.streets, start=1):
        _staff(w, session, street, f"s{i}_drafter", (Role.DRAFTER, Role.PROPOSER, Role.INSTRUCTOR))
    for role in (Role.SIGNATORY, Role.CLERK, Role.SUPERVISOR):
        _staff(w, session, s1, f"s1_{role.name.lower()}", (role,))
    c.open_series(session, w.s1_clerk, issuer_unit_id=s1.id, code="东妇发", year=2016, now=at(0))
    incoming = _in_hand(w, session, f1, s1, w.s1_drafter, 3.4)
    f2 = c.forward(session, w.s1_drafter, incoming_id=incoming.id, now=at(3.5))
    c.update_draft(session, w.s1_drafter, notice_id=f2.id,
                   main_unit_ids=[u.id for u in w.communities], now=at(3.5))
    c.submit(session, w.s1_drafter, notice_id=f2.id, now=at(3.6))
    c.sign(session, w.s1_signatory, notice_id=f2.id, opinion="同意", now=at(3.7))
    c.issue(session, w.s1_clerk, notice_id=f2.id, now=at(3.8))
    session.flush()
    w.city, w.f1, w.f2 = w.incoming.notice, f1, f2
    return w


def counted(session, w, now) -> dict[str, tuple]:
    """The kept counts of F1's subtree (beside district 1 on the city's page) and of F2's
    (beside 东风 on district 1's page): units, signed, owing reports, reported, overdue."""
    lines = {"F1": rollup(session, w.city.id, now=now), "F2": rollup(session, w.f1.id, now=now)}
    for notice, kept in ((w.city, lines["F1"]), (w.f1, lines["F2"])):
        assert recount(session, notice.id, now=now) == kept  # and a fresh count says the same
    d1, s1 = w.districts[0].id, w.streets[0].id
    return {name: tuple(v.as_json().values()) for name, v in
            (("F1", lines["F1"].get(d1)), ("F2", lines["F2"].get(s1))) if v is not None}


def test_the_counters_follow_the_story_as_counted_by_hand(chain, session):
    w = chain
    s1, s2, s3 = w.streets
    c1, c2 = w.communities
    # Issued: F1 to three 街道 (东风 signed), F2 to two 社区; everyone owes a report.
    assert counted(session, w, LATE) == {"F1": (5, 1, 5, 0, 5), "F2": (2, 0, 2, 0, 2)}
    assert counted(session, w, EARLY) == {"F1": (5, 1, 5, 0, 0), "F2": (2, 0, 2, 0, 0)}

    c.acknowledge(session, w.community1_receiver, receipt_id=_receipt(session, w.f2, c1).id,
                  now=at(4))
    c.record_reading(session, w.community2_receiver, notice_id=w.f2.id, now=at(4))  # not counted
    c.submit_report(session, w.community1_receiver, report_id=_report(session, w.f2, c1).id,
                    text="一社区调研报告", now=at(4.5))
    c.acknowledge(session, w.street2, receipt_id=_receipt(session, w.f1, s2).id, now=at(4))
    s2_report = _report(session, w.f1, s2)
    c.submit_report(session, w.street2, report_id=s2_report.id, text="红旗街道调研报告",
                    now=at(4.5))
    # 一社区 and 红旗 signed and reported; 二社区 and 胜利 owe everything, 东风 its report.
    assert counted(session, w, LATE) == {"F1": (5, 3, 5, 2, 3), "F2": (2, 1, 2, 1, 1)}
    assert counted(session, w, EARLY) == {"F1": (5, 3, 5, 2, 0), "F2": (2, 1, 2, 1, 0)}

    c.return_report(session, w.d1_supervisor, report_id=s2_report.id, reason="请补充数据",
                    now=at(5))
    c.accept_report(session, w.s1_supervisor, report_id=_report(session, w.f2, c1).id,
                    now=at(6))
    # 红旗's report is due again (overdue in May); 一社区's accepted is still reported.
    assert counted(session, w, LATE) == {"F1": (5, 3, 5, 1, 4), "F2": (2, 1, 2, 1, 1)}

    # 胜利 signs for F1 and drafts a 转发 of its own, then cancels it: nothing below it counts.
    draft = c.forward(session, w.s3_drafter,
                      incoming_id=_in_hand(w, session, w.f1, s3, w.s3_drafter, 6).id,
                      now=at(6.5))
    assert rollup(session, w.f1.id, now=LATE).get(s3.id) is None  # a draft has no units yet
    c.cancel(session, w.s3_drafter, notice_id=draft.id, now=at(6.6))
    assert counted(session, w, LATE) == {"F1": (5, 4, 5, 1, 4), "F2": (2, 1, 2, 1, 1)}
    assert rollup(session, w.f1.id, now=LATE).get(s3.id) is None

    # 东风 closes F2 by hand: 二社区's receipt and report are waived, nobody there is overdue.
    c.close(session, w.s1_supervisor, notice_id=w.f2.id, reason="会议已召开", now=at(7))
    assert counted(session, w, LATE) == {"F1": (5, 4, 5, 1, 3), "F2": (2, 1, 2, 1, 0)}
    assert counted(session, w, EARLY) == {"F1": (5, 4, 5, 1, 0), "F2": (2, 1, 2, 1, 0)}


def test_one_level_of_the_tree_shows_the_same_counts_as_the_whole(chain, session):
    w = chain
    whole = notice_tree(session, w.city.id, now=LATE)
    first = notice_tree(session, w.city.id, now=LATE, depth=1)
    assert (first.notices, first.levels) == (whole.notices, whole.levels) == (3, 3)
    assert [n.unit for n in first.units] == [n.unit for n in whole.units]
    d1 = first.units[0]
    assert d1.children == [] and d1.forward.id == w.f1.id
    assert d1.below.as_json() == {"units": 5, "signed": 1, "owing": 5, "reported": 0,
                                  "overdue": 5}
    assert first.totals == whole.totals
    second = notice_tree(session, w.city.id, now=LATE, depth=2)
    assert second.totals == whole.totals
    assert second.units[0].below == whole.units[0].below
    east = second.units[0].children[0]
    assert east.children == [] and east.below.as_json() == {
        "units": 2, "signed": 0, "owing": 2, "reported": 0, "overdue": 2}


def _pending(session, notice_ids, state):
    return list(session.scalars(select(Receipt).where(Receipt.notice_id.in_(notice_ids),
                                                      Receipt.state == state)
                                .order_by(Receipt.id)))


@pytest.mark.parametrize("seed", [1, 2])
def test_after_random_steps_the_counters_equal_a_fresh_count(chain, session, seed):
    w = chain
    rng = random.Random(seed)
    receiver = {w.districts[i].id: w.users[f"receiver{i + 1}"] for i in range(3)}
    receiver.update({s.id: w.users[f"street{i}"] for i, s in enumerate(w.streets, start=1)})
    receiver.update({u.id: w.users[f"community{i}_receiver"]
                     for i, u in enumerate(w.communities, start=1)})
    supervisor = {w.city.id: w.supervisor, w.f1.id: w.d1_supervisor, w.f2.id: w.s1_supervisor}
    notices = list(supervisor)
    days = [EARLY, dt.datetime(2016, 3, 18, 2), dt.datetime(2016, 4, 25, 2), LATE]
    for step in range(40):
        moment = at(4 + step / 10)
        choice = rng.random()
        try:
            if choice < 0.3:
                receipts = [r for r in _pending(session, notices, ReceiptState.PENDING)
                            if r.unit_id in receiver]
                if receipts:
                    r = rng.choice(receipts)
                    verb = c.acknowledge if rng.random() < 0.85 else (
                        lambda s, a, **k: c.reject(s, a, reason="误送", **k))
                    verb(session, receiver[r.unit_id], receipt_id=r.id, now=moment)
            elif choice < 0.6:
                due = list(session.scalars(select(Report).where(
                    Report.notice_id.in_(notices), Report.state == ReportState.DUE)))
                if due:
                    r = rng.choice(due)
                    c.submit_report(session, receiver[r.unit_id], report_id=r.id,
                                    text="报告", now=moment)
            elif choice < 0.93:
                submitted = list(session.scalars(select(Report).where(
                    Report.notice_id.in_(notices), Report.state == ReportState.SUBMITTED)))
                if submitted:
                    r = rng.choice(submitted)
                    if rng.random() < 0.6:
                        c.accept_report(session, supervisor[r.notice_id], report_id=r.id,
                                        now=moment)
                    else:
                        c.return_report(session, supervisor[r.notice_id], report_id=r.id,
                                        reason="请修改", now=moment)
            else:
                n = rng.choice([w.f1.id, w.f2.id])
                c.close(session, supervisor[n], notice_id=n, reason="提前办结", now=moment)
        except WorkflowError:
            pass  # refused (not signed for yet, already closed …): nothing changed
        for day in days:
            counted(session, w, day)  # the counters and a fresh count agree, on every day
    closed = session.scalars(select(Notice.state).where(Notice.id.in_(notices))).all()
    assert closed  # the story went somewhere: something was signed for
    assert _pending(session, notices, ReceiptState.ACKNOWLEDGED)


def test_two_units_of_one_subtree_signing_at_once_both_count(chain, session, session_factory):
    w = chain
    s2, c1 = w.streets[1], w.communities[0]
    street = (w.street2.id, _receipt(session, w.f1, s2).id)
    community = (w.community1_receiver.id, _receipt(session, w.f2, c1).id)
    session.commit()
    failures: list[BaseException] = []

    def sign(actor_id: int, receipt_id: int) -> None:
        with session_factory() as s:
            try:
                c.acknowledge(s, actor_id, receipt_id=receipt_id, now=at(4))
                s.commit()
            except BaseException as error:  # noqa: BLE001 — a lost update or a deadlock
                s.rollback()
                failures.append(error)

    threads = [threading.Thread(target=sign, args=who) for who in (street, community)]
    with session_factory() as holder:
        # Both wait on F1's counters (the street's notice, and above the community's), held
        # here, and are let go together. SQLite lets one writer in at a time: no holding there.
        on_postgres = holder.get_bind().dialect.name == "postgresql"
        if on_postgres:
            holder.execute(lock_for_update(select(ForwardTally).where(
                ForwardTally.notice_id == w.f1.id)))
        for thread in threads:
            thread.start()
        if on_postgres:
            wait_until_blocked(holder, 2)
        holder.rollback()
    for thread in threads:
        thread.join(120)
    assert failures == []
    with session_factory() as s:
        # F1: 东风 (before), 红旗 and 一社区 (now) signed; F2: 一社区.
        assert counted(s, w, LATE) == {"F1": (5, 3, 5, 0, 5), "F2": (2, 1, 2, 0, 2)}
        s.rollback()


def test_the_migration_counts_the_forwards_already_issued_as_the_commands_did(chain, session):
    w = chain
    c.acknowledge(session, w.community1_receiver,
                  receipt_id=_receipt(session, w.f2, w.communities[0]).id, now=at(4))
    c.submit_report(session, w.community1_receiver,
                    report_id=_report(session, w.f2, w.communities[0]).id, text="报告",
                    now=at(4.5))
    session.flush()
    tables = (ForwardDue.__table__, ForwardTally.__table__)

    def rows():  # a deadline row brought back to 0 by the commands counts nothing
        return [[row for row in session.execute(select(t).order_by(*t.primary_key.columns))
                 if t is not ForwardDue.__table__ or row.units] for t in tables]

    kept = rows()
    assert kept[1]  # the commands kept counters: F1's and F2's
    session.execute(delete(ForwardDue))
    session.execute(update(ForwardTally).values(parent_id=None))
    session.execute(delete(ForwardTally))
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / \
        "20261203_4f6a2c8e1d37_forward_counters.py"
    spec = importlib.util.spec_from_file_location("forward_counters_migration", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    migration._fill(session.connection())
    assert rows() == kept


def test_a_misdirected_unit_sent_on_to_the_right_one_is_counted_up_the_tree(chain, session):
    w = chain
    c1, c2 = w.communities
    c.reject(session, w.community2_receiver, receipt_id=_receipt(session, w.f2, c2).id,
             reason="本社区不属于通知范围", now=at(4))
    before = counted(session, w, LATE)
    c3 = c.create_unit(session, None, name="东风街道三社区妇联", parent_id=w.streets[0].id)
    c.redirect_return(session, w.s1_clerk, receipt_id=_receipt(session, w.f2, c2).id,
                      unit_id=c3.id, now=at(4.5))
    after = counted(session, w, LATE)  # asserts the kept counters equal a fresh count
    # 三社区 is one more unit in both subtrees, owing its report, not signed, and late.
    for line in ("F1", "F2"):
        units, signed, owing, reported, overdue = before[line]
        assert after[line] == (units + 1, signed, owing + 1, reported, overdue + 1)
