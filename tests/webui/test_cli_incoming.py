"""`flask incoming list|show`: the 收文 register for operators, as JSON and as a table, read-only,
with a Chinese refusal for an id that is not there."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from tests.factories import at, build_world, notice_in, receipts_of
from webui.extensions import db
from workflow import commands as c
from workflow.models import AuditEntry, Incoming
from workflow.states import NoticeState, Role


@dataclass(frozen=True)
class Register:
    handled: int  # district 1's 收文 of the notice: proposed, instructed, one copy read
    registered: int  # district 2's: signed for only
    external: int  # district 1's external document
    district1: int
    district2: int


@pytest.fixture
def register(app) -> Register:
    with app.app_context():
        s = db.session
        w = build_world(s)
        d1, d2 = w.districts[0], w.districts[1]
        dept = c.create_unit(s, None, name="示范市第1区妇联宣传部", parent_id=d1.id, internal=True)
        staff = {}
        for username, name, role, unit in (("office_head", "钱主任", Role.PROPOSER, d1),
                                           ("chair", "孙主席", Role.INSTRUCTOR, d1),
                                           ("propaganda", "周干事", Role.HANDLER, dept)):
            staff[username] = c.create_user(s, None, username=username, display_name=name,
                                             unit_id=unit.id)
            c.grant_role(s, None, user_id=staff[username].id, role=role, unit_id=unit.id)
        vice = c.create_user(s, None, username="vice", display_name="吴副主席", unit_id=d1.id)
        other = c.create_user(s, None, username="vice2", display_name="郑副主席", unit_id=d1.id)
        notice = notice_in(w, NoticeState.ISSUED)
        receipt = {r.unit_id: r.id for r in receipts_of(w, notice)}
        c.acknowledge(s, w.receiver1, receipt_id=receipt[d1.id], now=at(1.5))
        c.acknowledge(s, w.receiver2, receipt_id=receipt[d2.id], now=at(1.5))
        handled = s.scalar(select(Incoming).where(Incoming.receipt_id == receipt[d1.id]))
        registered = s.scalar(select(Incoming).where(Incoming.receipt_id == receipt[d2.id]))
        c.propose(s, staff["office_head"], incoming_id=handled.id, kind="TO_HANDLE",
                  lead_unit_id=dept.id, deadline=dt.date(2016, 4, 25),
                  proposal="拟请宣传部办理", now=at(2))
        c.instruct(s, staff["chair"], incoming_id=handled.id, instruction="请组织学习，按时上报",
                   now=at(3))
        read, _ = c.circulate(s, staff["chair"], incoming_id=handled.id,
                              reader_ids=[vice.id, other.id], now=at(3))
        c.mark_read_copy(s, vice, circulation_id=read.id, opinion="同意", now=at(4))
        external = c.register_external(
            s, w.receiver1, unit_id=d1.id, source_organ="示范市教育局",
            source_number="示教发〔2016〕3号", title="关于做好春季开学工作的通知",
            received_on=dt.date(2016, 3, 7), now=at(4))
        s.commit()
        return Register(handled.id, registered.id, external.id, d1.id, d2.id)


def run(app, *args):
    return app.test_cli_runner().invoke(args=["incoming", *args])


def test_incoming_list_json_gives_each_收文_with_its_handler_deadline_and_readers(app, register):
    result = run(app, "list", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["id"]: row for row in json.loads(result.stdout)}
    assert set(rows) == {register.handled, register.registered, register.external}
    handled = rows[register.handled]
    assert {k: handled[k] for k in ("unit", "number", "source_organ", "title", "state",
                                    "state_label", "kind", "handler", "deadline")} == {
        "unit": "示范市第1区妇联", "number": "收〔2016〕1号", "source_organ": "示范市妇女联合会",
        "title": "关于开展调研的通知", "state": "IN_HAND", "state_label": "办理中", "kind": "办件",
        "handler": "示范市第1区妇联宣传部", "deadline": "2016-04-25"}
    assert handled["source_number"].startswith("示妇")
    assert [(r["name"], r["state_label"]) for r in handled["readers"]] == [
        ("吴副主席", "已阅"), ("郑副主席", "待阅")]
    assert (rows[register.registered]["unit"], rows[register.registered]["number"],
            rows[register.registered]["kind"], rows[register.registered]["handler"]) == (
        "示范市第2区妇联", "收〔2016〕1号", None, None)
    external = rows[register.external]
    assert (external["number"], external["source_number"], external["external"]) == (
        "收〔2016〕2号", "示教发〔2016〕3号", True)
    assert "\\u" not in result.stdout


def test_incoming_list_of_one_unit_gives_only_its_收文(app, register):
    result = run(app, "list", "--unit", str(register.district2), "--json")
    assert result.exit_code == 0, result.output
    assert [row["id"] for row in json.loads(result.stdout)] == [register.registered]


def test_incoming_list_without_json_is_a_readable_table(app, register):
    result = run(app, "list")
    assert result.exit_code == 0, result.output
    assert "收〔2016〕2号" in result.output and "关于做好春季开学工作的通知" in result.output
    assert "吴副主席（已阅）、郑副主席（待阅）" in result.output
    assert "待拟办" in result.output and "办理中" in result.output


def test_incoming_show_json_adds_the_proposal_instruction_result_and_reply(app, register):
    result = run(app, "show", str(register.handled), "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert (record["proposal"], record["proposed_by"]) == ("拟请宣传部办理", "钱主任")
    assert (record["instruction"], record["instructed_by"]) == ("请组织学习，按时上报", "孙主席")
    assert record["result"] is None and record["finished_by"] is None
    # at(3) is three days after 2016-03-07 09:00 in Beijing.
    assert record["instructed_at"] == "2016-03-10T09:00:00+08:00"
    assert [r["opinion"] for r in record["readers"]] == ["同意", None]
    assert [(p["what"], p["state"]) for p in record["reply"]["reports"]] == [("调研报告", "DUE")]


def test_incoming_show_of_an_external_document_gives_its_reply_as_a_date_and_file(app, register):
    record = json.loads(run(app, "show", str(register.external), "--json").stdout)
    assert record["reply"] == {"on": None, "file": None}
    assert (record["source_organ"], record["received_on"]) == ("示范市教育局", "2016-03-07")


def test_incoming_show_without_json_reads_as_the_收文处理笺(app, register):
    result = run(app, "show", str(register.handled))
    assert result.exit_code == 0, result.output
    assert "领导批示：请组织学习，按时上报（孙主席，2016-03-10 09:00）" in result.output
    assert "拟办意见：拟请宣传部办理" in result.output and "办理结果：—" in result.output


@pytest.mark.parametrize("args, message", [
    (["show", "999999"], "找不到该收文"),
    (["show", "0"], "找不到该收文"),
    (["show", str(10**30)], "找不到该收文"),
    (["list", "--unit", "999999"], "找不到该单位"),
    (["list", "--unit", "南关"], "单位编号应为正整数"),
    (["show", "-1"], "收文编号应为正整数"),
    (["show", "1\x07"], "收文编号应为正整数"),
    (["show", "１"], "收文编号应为正整数"),  # a full-width digit is not taken for 1
])
def test_an_unknown_id_exits_1_with_a_chinese_message(app, register, args, message):
    result = run(app, *args)
    assert result.exit_code == 1
    assert message in result.stderr and result.stdout == ""


def test_listing_and_showing_change_nothing(app, register):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEntry))
        versions = dict(db.session.execute(select(Incoming.id, Incoming.version)).all())
        db.session.rollback()
    for args in (["list", "--json"], ["list"], ["show", str(register.handled)]):
        assert run(app, *args).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before
        assert dict(db.session.execute(select(Incoming.id, Incoming.version)).all()) == versions
