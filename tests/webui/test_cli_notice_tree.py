"""`flask notice tree ID [--depth N] [--json]`: how far a notice went by 转发, for operators —
every unit of every level with its receipt, reports and its own 转发, and the subtree's counts;
read-only, and refused in Chinese for an id that is no notice."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from tests.factories import at, build_world, notice_in, receipts_of
from webui.extensions import db
from workflow import commands as c
from workflow.models import AuditEntry, Incoming, Receipt
from workflow.states import NoticeState, Role


@pytest.fixture
def forwarded(app):
    """The city's notice; district 1 forwards it to two 街道, one of which signs for it."""
    with app.app_context():
        s = db.session
        w = build_world(s)
        d1 = w.districts[0]
        d1.doc_code, d1.review_required = "一区妇发", False
        streets = [c.create_unit(s, None, name=f"第1区{n}街道妇联", parent_id=d1.id)
                   for n in ("东风", "红旗")]
        street_receiver = c.create_user(s, None, username="dongfeng", display_name="东风收文员",
                                        unit_id=streets[0].id)
        c.grant_role(s, None, user_id=street_receiver.id, role=Role.RECEIVER,
                     unit_id=streets[0].id)
        staff = {}
        for username, role in (("d1", Role.DRAFTER), ("d1", Role.SIGNATORY), ("d1", Role.CLERK),
                               ("d1", Role.PROPOSER), ("d1", Role.INSTRUCTOR)):
            if username not in staff:
                staff[username] = c.create_user(s, None, username=username,
                                                display_name="一区", unit_id=d1.id)
            c.grant_role(s, None, user_id=staff[username].id, role=role, unit_id=d1.id)
        person = staff["d1"]
        notice = notice_in(w, NoticeState.ISSUED)
        receipt = next(r for r in receipts_of(w, notice) if r.unit_id == d1.id)
        c.acknowledge(s, w.receiver1, receipt_id=receipt.id, now=at(1.5))
        incoming = s.scalar(select(Incoming).where(Incoming.receipt_id == receipt.id))
        c.propose(s, person, incoming_id=incoming.id, kind="TO_HANDLE", lead_unit_id=d1.id,
                  now=at(2))
        c.instruct(s, person, incoming_id=incoming.id, instruction="转发各街道", now=at(2))
        down = c.forward(s, person, incoming_id=incoming.id, now=at(2))
        c.update_draft(s, person, notice_id=down.id, main_unit_ids=[u.id for u in streets],
                       now=at(2))
        c.submit(s, person, notice_id=down.id, now=at(2.1))
        c.sign(s, _other_signatory(s, d1), notice_id=down.id, opinion="同意", now=at(2.2))
        c.issue(s, person, notice_id=down.id, now=at(2.3))
        street_receipt = s.scalar(select(Receipt).where(Receipt.notice_id == down.id,
                                                        Receipt.unit_id == streets[0].id))
        c.acknowledge(s, street_receiver, receipt_id=street_receipt.id, now=at(3))
        s.commit()
        return notice.id


def _other_signatory(s, unit):
    """One cannot sign one's own draft: the district's leader signs."""
    leader = c.create_user(s, None, username="d1_leader", display_name="一区主席", unit_id=unit.id)
    c.grant_role(s, None, user_id=leader.id, role=Role.SIGNATORY, unit_id=unit.id)
    return leader


def run(app, *args):
    return app.test_cli_runner().invoke(args=["notice", "tree", *args])


def test_notice_tree_json_gives_every_level_with_the_subtrees_counts(app, forwarded):
    with app.app_context():
        before = db.session.scalar(select(func.count(AuditEntry.id)))
    result = run(app, str(forwarded), "--json")
    assert result.exit_code == 0, result.output
    tree = json.loads(result.stdout)
    assert tree["notice"]["doc_number"] == "示妇发〔2016〕1号"
    assert (tree["notices"], tree["levels"]) == (2, 2)
    d1 = tree["units"][0]
    assert (d1["unit"], d1["level"], d1["receipt"]["state"]) == ("示范市第1区妇联", 1, "ACKNOWLEDGED")
    assert d1["forward"]["doc_number"] == "一区妇发〔2016〕1号"
    # Read today, years after 2016: both 街道 are past the 27 April deadline passed down to them.
    assert d1["subtree"] == {"units": 2, "signed": 1, "owing": 2, "reported": 0, "overdue": 2}
    assert [(u["unit"], u["level"], u["receipt"]["state"]) for u in d1["children"]] == [
        ("第1区东风街道妇联", 2, "ACKNOWLEDGED"), ("第1区红旗街道妇联", 2, "PENDING")]
    with app.app_context():  # read-only: nothing recorded
        assert db.session.scalar(select(func.count(AuditEntry.id))) == before


def test_notice_tree_depth_1_keeps_the_counts_and_drops_the_children(app, forwarded):
    result = run(app, str(forwarded), "--depth", "1", "--json")
    d1 = json.loads(result.stdout)["units"][0]
    assert d1["children"] is None and d1["subtree"]["signed"] == 1


def test_notice_tree_text_indents_each_level(app, forwarded):
    result = run(app, str(forwarded))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("示妇发〔2016〕1号 关于开展调研的通知（已印发）：转发 1 件，2 级")
    assert any(line.startswith("  示范市第1区妇联（主送）已签收") and "下级签收 1/2" in line
               for line in lines)
    assert any(line.startswith("    第1区东风街道妇联（主送）已签收") for line in lines)


def test_notice_tree_depth_1_loads_one_level_with_the_same_header_and_counts(app, forwarded):
    whole = run(app, str(forwarded)).output.splitlines()
    result = run(app, str(forwarded), "--depth", "1")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == whole[0]  # the whole tree's size and totals, from the counters below
    assert any(line.startswith("  示范市第1区妇联（主送）已签收") and "下级签收 1/2" in line
               for line in lines)
    assert not any(line.startswith("    ") for line in lines)  # no second level


@pytest.mark.parametrize("bad", ["99999", "-1", "abc", "１", "9" * 30])
def test_notice_tree_refuses_what_is_no_notice_in_chinese(app, forwarded, bad):
    result = run(app, bad)
    assert result.exit_code != 0
    assert "公文" in result.output and "Traceback" not in result.output
