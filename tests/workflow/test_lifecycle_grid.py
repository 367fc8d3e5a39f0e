"""The full state × action grid of the three machines: what the table allows happens, nothing else.

Every pair (state, action) of the notice, receipt and report machines is tried through the real
commands, by a user who holds the role the table asks for. An allowed pair reaches the table's
target state, writes one audit entry and is offered by `available_actions`; every other pair is
refused with InvalidState and changes nothing (the database is compared, row by row, in a new
session after the caller has committed). Receipts and reports have two actions no person fires
(免办 WAIVE, 失效 VOID): they are carried by the notice's close and revoke (a report's 补发 RESEND
by its receipt's), and those cascades must move a child only along a row of its table.

The grid has about three hundred cells. Building a world of units and users per cell would cost
most of the suite's time, so the grid shares one world per route for the whole module and every
cell works on notices of its own; nothing a cell does can be seen by another.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import World, at, build_world, notice_in, receipts_of, reports_of
from workflow import audit, lifecycle
from workflow import commands as c
from workflow.db import Base, create_all, make_engine, make_session_factory, read_only
from workflow.errors import InvalidState, WorkflowError
from workflow.models import AuditEntry, Notice, Receipt, Report
from workflow.permissions import available_actions
from workflow.states import (
    NoticeAction as NA,
)
from workflow.states import (
    NoticeState as NS,
)
from workflow.states import (
    ReceiptAction as RA,
)
from workflow.states import (
    ReceiptState as RS,
)
from workflow.states import (
    RecipientKind,
    Role,
)
from workflow.states import (
    ReportAction as PA,
)
from workflow.states import (
    ReportState as PS,
)

HAN = re.compile("[\u4e00-\u9fff]")
PG_URL = os.environ.get("GONGWEN_TEST_DATABASE_URL")
ACTION_TIME = at(5)

# ------------------------------------------------------------------------------------------------
# One world per route, shared by the module.


@dataclass
class Grid:
    """A world and a way to look at its database from outside the world's session."""

    world: World
    sessions: sessionmaker[Session]

    @property
    def session(self) -> Session:
        return self.world.session


def _module_engine(tmp_path_factory, route: str):
    if not PG_URL:
        return make_engine(f"sqlite:///{tmp_path_factory.mktemp(route) / 'grid.db'}")
    # The per-test fixtures of conftest.py empty PostgreSQL's public schema before every test;
    # the module's world lives in a schema of its own so that they cannot pull it away.
    schema = f"gongwen_grid_{route}"
    setup = make_engine(PG_URL)
    with setup.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    setup.dispose()
    return make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})


@pytest.fixture(scope="module")
def grids(tmp_path_factory):
    """route ("review" or "direct") → a Grid, built on first use."""
    opened: dict[str, tuple] = {}

    def open_grid(route: str) -> Grid:
        if route not in opened:
            engine = _module_engine(tmp_path_factory, route)
            create_all(engine)
            sessions = make_session_factory(engine)
            session = sessions()
            world = build_world(session, review_required=(route == "review"))
            session.commit()
            opened[route] = (engine, Grid(world, sessions))
        return opened[route][1]

    yield open_grid
    for engine, grid in opened.values():
        grid.session.close()
        engine.dispose()


@pytest.fixture
def review(grids):
    grid = grids("review")
    yield grid
    grid.session.rollback()  # a failed cell leaves nothing behind for the next one


# ------------------------------------------------------------------------------------------------
# Looking at the database.


def _values(row) -> dict:
    return {attr.key: getattr(row, attr.key) for attr in inspect(type(row)).column_attrs}


def snapshot(grid: Grid, notice_id: int) -> dict:
    """The notice, its receipts and reports, and the row count of every table, read afresh."""
    with grid.sessions() as s:
        read_only(s)
        return {
            "notice": _values(s.get(Notice, notice_id)),
            "receipts": [_values(r) for r in s.scalars(
                select(Receipt).where(Receipt.notice_id == notice_id).order_by(Receipt.id))],
            "reports": [_values(r) for r in s.scalars(
                select(Report).where(Report.notice_id == notice_id).order_by(Report.id))],
            "rows": {t.name: s.scalar(select(func.count()).select_from(t))
                     for t in Base.metadata.sorted_tables},
        }


def reloaded(grid: Grid, model, row_id: int) -> dict:
    with grid.sessions() as s:
        read_only(s)
        return _values(s.get(model, row_id))


def last_entry(grid: Grid, object_type: str, object_id: int) -> AuditEntry:
    with grid.sessions() as s:
        read_only(s)
        return s.scalar(select(AuditEntry).where(
            AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
            .order_by(AuditEntry.seq.desc()).limit(1))


# ------------------------------------------------------------------------------------------------
# The table, read as the specification.


def table_row(lc: lifecycle.Lifecycle, row, action) -> lifecycle.Rule | None:
    """The row of `lc`'s table that applies to `action` on `row` now (its route included)."""
    for rule in lc.rules:
        if rule.action == action and rule.source == row.state and (
            rule.when is None or rule.when.check(row)
        ):
            return rule
    return None


def allowed_by_table(lc, row, action) -> lifecycle.Rule | None:
    """The applicable row when all its guards hold, else None."""
    rule = table_row(lc, row, action)
    if rule is not None and all(guard.check(row) for guard in rule.guards):
        return rule
    return None


USER_FOR_ROLE = {
    Role.DRAFTER: "drafter", Role.REVIEWER: "reviewer", Role.SIGNATORY: "signatory",
    Role.CLERK: "clerk", Role.SUPERVISOR: "supervisor", Role.RECEIVER: "receiver1",
}


def actor_for(w: World, lc: lifecycle.Lifecycle, state, action):
    """A user holding the role the table asks of `action` (from `state` when a row starts there)."""
    rules = [r for r in lc.rules if r.action == action and r.source == state and r.roles] or [
        r for r in lc.rules if r.action == action and r.roles]
    role = min(rules[0].roles, key=list(Role).index)
    return w.users[USER_FOR_ROLE[role]]


# ------------------------------------------------------------------------------------------------
# Every action as a call of the real command.


def do_notice(w: World, action: NA, notice_id: int, actor, now=ACTION_TIME):
    s, n = w.session, notice_id
    calls = {
        NA.SUBMIT: lambda: c.submit(s, actor, notice_id=n, now=now),
        NA.PASS_REVIEW: lambda: c.pass_review(s, actor, notice_id=n, opinion="符合要求", now=now),
        NA.RETURN: lambda: c.return_for_revision(s, actor, notice_id=n, reason="请补充依据",
                                                 now=now),
        NA.WITHDRAW: lambda: c.withdraw(s, actor, notice_id=n, now=now),
        NA.CANCEL: lambda: c.cancel(s, actor, notice_id=n, reason="不再需要", now=now),
        NA.SIGN: lambda: c.sign(s, actor, notice_id=n, opinion="同意印发", now=now),
        NA.AMEND: lambda: c.amend(s, actor, notice_id=n, reason="领导要求改标题",
                                  title="关于开展专题调研的通知", now=now),
        NA.ISSUE: lambda: c.issue(s, actor, notice_id=n, now=now),
        NA.CLOSE: lambda: c.close(s, actor, notice_id=n, reason="提前办结", now=now),
        NA.ARCHIVE: lambda: c.archive(s, actor, notice_id=n, retention="Y10", now=now),
        NA.REVOKE: lambda: c.revoke(s, actor, notice_id=n, reason="依据的文件已撤销", now=now),
        NA.ABOLISH: lambda: c.abolish(s, actor, notice_id=n, reason="政策调整", now=now),
    }
    return calls[action]()


def do_receipt(w: World, action: RA, receipt: Receipt):
    """ACKNOWLEDGE and REJECT are the receiver's; WAIVE and VOID ride on the notice's close and
    revoke (no person fires them on a receipt)."""
    s = w.session
    calls = {
        RA.ACKNOWLEDGE: lambda: c.acknowledge(s, w.receiver1, receipt_id=receipt.id,
                                              now=ACTION_TIME),
        RA.REJECT: lambda: c.reject(s, w.receiver1, receipt_id=receipt.id, reason="非本单位业务",
                                    now=ACTION_TIME),
        RA.REDIRECT: lambda: c.redirect_return(s, w.clerk, receipt_id=receipt.id,
                                               unit_id=w.districts[2].id, now=ACTION_TIME),
        RA.RESEND: lambda: c.resend_return(s, w.clerk, receipt_id=receipt.id,
                                           reason="该通知确需贵单位办理", now=ACTION_TIME),
        RA.CONFIRM_RETURN: lambda: c.confirm_return(s, w.clerk, receipt_id=receipt.id,
                                                    now=ACTION_TIME),
        RA.WAIVE: lambda: c.close(s, w.supervisor, notice_id=receipt.notice_id,
                                  reason="提前办结", now=ACTION_TIME),
        RA.VOID: lambda: c.revoke(s, w.signatory, notice_id=receipt.notice_id,
                                  reason="依据的文件已撤销", now=ACTION_TIME),
    }
    return calls[action]()


def do_report(w: World, action: PA, report: Report):
    s = w.session
    calls = {
        PA.SUBMIT: lambda: c.submit_report(s, w.receiver1, report_id=report.id,
                                           text="调研报告全文", now=ACTION_TIME),
        PA.ACCEPT: lambda: c.accept_report(s, w.supervisor, report_id=report.id,
                                           now=ACTION_TIME),
        PA.RETURN: lambda: c.return_report(s, w.supervisor, report_id=report.id,
                                           reason="数据不全", now=ACTION_TIME),
        PA.RESEND: lambda: c.resend_return(s, w.clerk, receipt_id=main_receipt(
            w, report.notice).id, reason="该通知确需贵单位办理", now=ACTION_TIME),
        PA.WAIVE: lambda: c.close(s, w.supervisor, notice_id=report.notice_id,
                                  reason="提前办结", now=ACTION_TIME),
        PA.VOID: lambda: c.revoke(s, w.signatory, notice_id=report.notice_id,
                                  reason="依据的文件已撤销", now=ACTION_TIME),
    }
    return calls[action]()


def attempt(call) -> WorkflowError | None:
    try:
        call()
    except WorkflowError as error:
        return error
    return None


# ------------------------------------------------------------------------------------------------
# Rows in every state, by the real commands.


def main_receipt(w: World, notice: Notice) -> Receipt:
    """The receipt of the first district (a 主送 unit whose receiver is `receiver1`)."""
    receipt = next(r for r in receipts_of(w, notice) if r.unit_id == w.districts[0].id)
    assert receipt.kind == RecipientKind.MAIN
    return receipt


def receipt_in(w: World, state: RS) -> Receipt:
    """A 主送 receipt in `state`; the third district is left out of the notice, so that a 改发
    has somewhere to go."""
    s = w.session
    notice = notice_in(w, NS.ISSUED, main_group_ids=[],
                       main_unit_ids=[w.districts[0].id, w.districts[1].id])
    receipt = main_receipt(w, notice)
    if state == RS.ACKNOWLEDGED:
        c.acknowledge(s, w.receiver1, receipt_id=receipt.id, now=at(1.5))
    elif state in (RS.REJECTED, RS.REDIRECTED, RS.RETURN_CONFIRMED):
        c.reject(s, w.receiver1, receipt_id=receipt.id, reason="误送", now=at(1.5))
        if state == RS.REDIRECTED:
            c.redirect_return(s, w.clerk, receipt_id=receipt.id, unit_id=w.districts[2].id,
                              now=at(1.6))
        elif state == RS.RETURN_CONFIRMED:
            c.confirm_return(s, w.clerk, receipt_id=receipt.id, now=at(1.6))
    elif state == RS.WAIVED:
        c.close(s, w.supervisor, notice_id=notice.id, reason="提前办结", now=at(2))
    elif state == RS.VOIDED:
        c.revoke(s, w.signatory, notice_id=notice.id, reason="依据的文件已撤销", now=at(2))
    s.refresh(receipt)
    return receipt


def report_in(w: World, state: PS, *, returned: bool = False) -> Report:
    """A report in `state`; `returned`: a voided one is voided by its unit's return (which a 补发
    owes again), not by the notice's 撤销."""
    s = w.session
    notice = notice_in(w, NS.ISSUED)
    if returned and state == PS.VOIDED:
        receipt = main_receipt(w, notice)
        c.reject(s, w.receiver1, receipt_id=receipt.id, reason="误送", now=at(1.5))
        report = next(r for r in reports_of(w, notice) if r.unit_id == w.districts[0].id)
        s.refresh(report)
        return report
    # The unit has signed for the notice, so that a report could be submitted.
    c.acknowledge(s, w.receiver1, receipt_id=main_receipt(w, notice).id, now=at(1.5))
    report = next(r for r in reports_of(w, notice) if r.unit_id == w.districts[0].id)
    if state in (PS.SUBMITTED, PS.ACCEPTED):
        c.submit_report(s, w.receiver1, report_id=report.id, text="初稿", now=at(1.6))
    if state == PS.ACCEPTED:
        c.accept_report(s, w.supervisor, report_id=report.id, now=at(1.7))
    elif state == PS.WAIVED:
        c.close(s, w.supervisor, notice_id=notice.id, reason="提前办结", now=at(2))
    elif state == PS.VOIDED:
        c.revoke(s, w.signatory, notice_id=notice.id, reason="依据的文件已撤销", now=at(2))
    s.refresh(report)
    return report


# ------------------------------------------------------------------------------------------------
# The notice grid.

NOTICE_CELLS = [
    pytest.param(route, state, action, id=f"{route}-{state.name}-{action.name}")
    for route in ("review", "direct")
    for state in NS
    for action in NA
    # Without the review step no notice is ever 核稿中.
    if not (route == "direct" and state == NS.IN_REVIEW)
]


@pytest.mark.parametrize("route, state, action", NOTICE_CELLS)
def test_a_notice_action_goes_where_the_table_says_and_nowhere_else(grids, route, state, action):
    grid = grids(route)
    w = grid.world
    try:
        notice = notice_in(w, state)
        w.session.commit()
        assert notice.state == state
        rule = allowed_by_table(lifecycle.NOTICE, notice, action)
        actor = actor_for(w, lifecycle.NOTICE, state, action)
        # The UI's buttons come from the same table: offered exactly when allowed.
        assert (action in available_actions(actor, notice)) == (rule is not None)
        before = snapshot(grid, notice.id)

        if rule is not None:
            do_notice(w, action, notice.id, actor)
            w.session.commit()
            after = reloaded(grid, Notice, notice.id)
            assert after["state"] == rule.dest
            assert after["version"] > before["notice"]["version"]
            entry = last_entry(grid, "notice", notice.id)
            assert (entry.action, entry.state_before, entry.state_after) == (
                f"notice.{action.name}", state.name, rule.dest.name)
        else:
            with pytest.raises(InvalidState) as refused:
                do_notice(w, action, notice.id, actor)
            assert HAN.search(str(refused.value))
            w.session.commit()  # even if the caller commits, the refusal left nothing behind
            assert snapshot(grid, notice.id) == before
    finally:
        w.session.rollback()


# ------------------------------------------------------------------------------------------------
# The receipt and report grids.

PERSON_RECEIPT_ACTIONS = [RA.ACKNOWLEDGE, RA.REJECT, RA.REDIRECT, RA.RESEND, RA.CONFIRM_RETURN]
PERSON_REPORT_ACTIONS = [PA.SUBMIT, PA.ACCEPT, PA.RETURN]


def check_person_action(grid: Grid, lc, row, action, do) -> None:
    """A person's action on a receipt or report: the table's target, an idempotent no-op, or a
    refusal that changes nothing."""
    w = grid.world
    model, kind = type(row), lc.name
    rule = allowed_by_table(lc, row, action)
    again = any(r.action == action and r.idempotent and r.dest == row.state for r in lc.rules)
    actor = actor_for(w, lc, row.state, action)
    assert (action in available_actions(actor, row)) == (rule is not None)
    before = snapshot(grid, row.notice_id)
    before_row = reloaded(grid, model, row.id)

    if rule is not None:
        do()
        w.session.commit()
        after = reloaded(grid, model, row.id)
        assert after["state"] == rule.dest
        assert after["version"] == before_row["version"] + 1
        entry = last_entry(grid, kind, row.id)
        assert (entry.action, entry.state_before, entry.state_after) == (
            f"{kind}.{action.name}", before_row["state"].name, rule.dest.name)
    elif again:  # e.g. acknowledging what is already acknowledged: done, nothing written
        do()
        w.session.commit()
        assert snapshot(grid, row.notice_id) == before
    else:
        with pytest.raises(InvalidState) as refused:
            do()
        assert HAN.search(str(refused.value))
        w.session.commit()
        assert snapshot(grid, row.notice_id) == before


def check_cascade(grid: Grid, lc, row, action, do) -> None:
    """A system action carried by a notice command: the child moves only along its table."""
    w = grid.world
    rule = table_row(lc, row, action)
    before_row = reloaded(grid, type(row), row.id)
    error = attempt(do)
    w.session.commit()
    after = reloaded(grid, type(row), row.id)
    if rule is not None:
        assert error is None
        assert after["state"] == rule.dest
        assert after["version"] == before_row["version"] + 1
    else:  # the notice command may or may not apply; this child is untouched either way
        assert (after["state"], after["version"]) == (before_row["state"], before_row["version"])


@pytest.mark.parametrize("state", list(RS), ids=lambda s: s.name)
@pytest.mark.parametrize("action", list(RA), ids=lambda a: a.name)
def test_a_receipt_action_goes_where_the_table_says_and_nowhere_else(review, state, action):
    w = review.world
    receipt = receipt_in(w, state)
    w.session.commit()
    assert receipt.state == state
    do = lambda: do_receipt(w, action, receipt)  # noqa: E731
    if action in PERSON_RECEIPT_ACTIONS:
        check_person_action(review, lifecycle.RECEIPT, receipt, action, do)
    else:
        check_cascade(review, lifecycle.RECEIPT, receipt, action, do)


@pytest.mark.parametrize("state", list(PS), ids=lambda s: s.name)
@pytest.mark.parametrize("action", list(PA), ids=lambda a: a.name)
def test_a_report_action_goes_where_the_table_says_and_nowhere_else(review, state, action):
    w = review.world
    report = report_in(w, state, returned=action == PA.RESEND)
    w.session.commit()
    assert report.state == state
    do = lambda: do_report(w, action, report)  # noqa: E731
    if action in PERSON_REPORT_ACTIONS:
        check_person_action(review, lifecycle.REPORT, report, action, do)
    else:
        check_cascade(review, lifecycle.REPORT, report, action, do)


def test_every_cascade_moves_children_only_along_rows_of_their_own_table():
    child_tables = {"receipt": lifecycle.RECEIPT, "report": lifecycle.REPORT}
    for rule in lifecycle.NOTICE_RULES + lifecycle.RECEIPT_RULES:
        for cascade in rule.cascades:
            table = child_tables[cascade.child]
            for source in cascade.sources:
                assert any(r.action == cascade.action and r.source == source
                           and r.dest == cascade.dest for r in table.rules), (rule, cascade, source)


def test_the_notice_table_draws_the_picture_of_the_design():
    edges = {(r.source, r.action, r.dest) for r in lifecycle.NOTICE_RULES}
    assert edges == {
        (NS.DRAFT, NA.SUBMIT, NS.IN_REVIEW), (NS.DRAFT, NA.SUBMIT, NS.AWAITING_SIGNOFF),
        (NS.IN_REVIEW, NA.PASS_REVIEW, NS.AWAITING_SIGNOFF),
        (NS.IN_REVIEW, NA.RETURN, NS.DRAFT), (NS.AWAITING_SIGNOFF, NA.RETURN, NS.DRAFT),
        (NS.IN_REVIEW, NA.WITHDRAW, NS.DRAFT), (NS.AWAITING_SIGNOFF, NA.WITHDRAW, NS.DRAFT),
        (NS.DRAFT, NA.CANCEL, NS.CANCELLED),
        (NS.AWAITING_SIGNOFF, NA.SIGN, NS.SIGNED),
        (NS.SIGNED, NA.AMEND, NS.AWAITING_SIGNOFF),
        (NS.SIGNED, NA.ISSUE, NS.ISSUED),
        (NS.ISSUED, NA.CLOSE, NS.CLOSED),
        (NS.CLOSED, NA.ARCHIVE, NS.ARCHIVED), (NS.REVOKED, NA.ARCHIVE, NS.ARCHIVED),
        (NS.ABOLISHED, NA.ARCHIVE, NS.ARCHIVED),
        (NS.ISSUED, NA.REVOKE, NS.REVOKED), (NS.CLOSED, NA.REVOKE, NS.REVOKED),
        (NS.ISSUED, NA.ABOLISH, NS.ABOLISHED), (NS.CLOSED, NA.ABOLISH, NS.ABOLISHED),
    }
    assert all(r.reason_required for r in lifecycle.NOTICE_RULES
               if r.action in (NA.RETURN, NA.CLOSE, NA.REVOKE, NA.ABOLISH, NA.AMEND))
    assert not [r for r in lifecycle.NOTICE_RULES if r.source == NS.ARCHIVED]


# ------------------------------------------------------------------------------------------------
# The route, idempotence, and the read-only archive.


def test_without_the_review_step_a_submitted_draft_goes_straight_to_sign_off(direct_world,
                                                                              session):
    w = direct_world
    notice = notice_in(w, NS.DRAFT)
    c.submit(session, w.drafter, notice_id=notice.id, now=at(0.1))
    session.commit()
    assert notice.state == NS.AWAITING_SIGNOFF
    # … and the signatory is the one told about it: there is no reviewer on this route.
    with pytest.raises(InvalidState):
        c.pass_review(session, w.reviewer, notice_id=notice.id, now=at(0.2))
    c.sign(session, w.signatory, notice_id=notice.id, opinion="同意", now=at(0.2))
    assert notice.state == NS.SIGNED


def test_with_the_review_step_a_submitted_draft_waits_for_the_reviewer(world, session):
    notice = notice_in(world, NS.DRAFT)
    c.submit(session, world.drafter, notice_id=notice.id, now=at(0.1))
    assert notice.state == NS.IN_REVIEW
    with pytest.raises(InvalidState):
        c.sign(session, world.signatory, notice_id=notice.id, opinion="同意", now=at(0.2))


def _audit_count(session_factory) -> int:
    with session_factory() as s:
        read_only(s)
        return s.scalar(select(func.count()).select_from(AuditEntry))


def test_acknowledging_twice_changes_nothing_the_second_time(world, session, session_factory):
    notice = notice_in(world, NS.ISSUED)
    receipt = main_receipt(world, notice)
    first = c.acknowledge(session, world.receiver1, receipt_id=receipt.id, now=at(1.5))
    session.commit()
    version, entries = first.version, _audit_count(session_factory)

    again = c.acknowledge(session, world.receiver1, receipt_id=receipt.id, now=at(1.9))
    session.commit()

    assert again.id == receipt.id and again.state == RS.ACKNOWLEDGED
    assert again.version == version
    assert again.acted_at == at(1.5)  # the first 签收 time stands
    assert _audit_count(session_factory) == entries


def test_acknowledging_twice_from_the_same_form_is_not_a_conflict(world, session,
                                                                  session_factory):
    """A double-clicked 签收 sends the same form (the same version) twice: the second is done."""
    notice = notice_in(world, NS.ISSUED)
    receipt = main_receipt(world, notice)
    seen_version = receipt.version
    session.commit()
    c.acknowledge(session, world.receiver1, receipt_id=receipt.id,
                  expected_version=seen_version, now=at(1.5))
    session.commit()
    entries = _audit_count(session_factory)

    again = c.acknowledge(session, world.receiver1, receipt_id=receipt.id,
                          expected_version=seen_version, now=at(1.5))
    session.commit()

    assert again.state == RS.ACKNOWLEDGED
    assert _audit_count(session_factory) == entries


def test_an_archived_notice_is_read_only(world, session, session_factory):
    notice = notice_in(world, NS.ARCHIVED)
    session.commit()
    assert notice.archive_code
    for action in NA:
        actor = actor_for(world, lifecycle.NOTICE, NS.ARCHIVED, action)
        assert available_actions(actor, notice) == []
        with pytest.raises(InvalidState):
            do_notice(world, action, notice.id, actor)
    with pytest.raises(WorkflowError) as refused:
        c.update_draft(session, world.drafter, notice_id=notice.id, title="改过的标题",
                       now=at(4))
    assert "不能再作为草稿修改" in str(refused.value)
    session.commit()
    with session_factory() as s:
        reread = read_only(s).get(Notice, notice.id)
        assert (reread.state, reread.version, reread.title) == (
            NS.ARCHIVED, notice.version, "关于开展调研的通知")
    cc_receipt = next(r for r in receipts_of(world, notice) if r.kind == RecipientKind.CC)
    with pytest.raises(InvalidState):
        c.acknowledge(session, world.cc_receiver, receipt_id=cc_receipt.id, now=at(4))


# ------------------------------------------------------------------------------------------------
# Any sequence of anybody's actions.

PEOPLE = ["drafter", "drafter2", "reviewer", "signatory", "clerk", "supervisor", "admin",
          "receiver1", "cc_receiver"]


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(list(NA)), st.sampled_from(PEOPLE)),
                      min_size=1, max_size=12))
def test_any_sequence_of_anyones_actions_follows_the_offered_buttons_and_the_table(grids, steps):
    """Whatever is tried by whoever, in any order: an action succeeds exactly when
    `available_actions` offered it, a success moves the notice along a row of the table, and a
    refusal leaves the database as it was; the audit chain holds at the end."""
    grid = grids("review")
    w, s = grid.world, grid.session
    try:
        notice = notice_in(w, NS.DRAFT)
        s.commit()
        for step, (action, who) in enumerate(steps, start=1):
            actor = w.users[who]
            offered = action in available_actions(actor, notice)
            state, before = notice.state, snapshot(grid, notice.id)
            error = attempt(lambda: do_notice(w, action, notice.id, actor,
                                              now=at(5) + dt.timedelta(minutes=step)))
            s.commit()
            assert (error is None) == offered, (action, who, state, error)
            if error is None:
                s.refresh(notice)
                assert any(r.source == state and r.action == action and r.dest == notice.state
                           for r in lifecycle.NOTICE_RULES)
            else:
                assert HAN.search(str(error))
                assert snapshot(grid, notice.id) == before
        s.commit()
        with grid.sessions() as fresh:
            assert audit.verify(read_only(fresh)).ok
    finally:
        s.rollback()
