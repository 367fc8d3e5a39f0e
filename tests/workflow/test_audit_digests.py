"""What 签发, 印发 and 上报 fix is recorded as a digest in their audit entries, and `check` reports
content edited behind the engine's back afterwards: a notice's text or recipients, a report's text
or files. The digests' inputs are written out here by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import insert, select, update

from tests.factories import at, draft, full_story, notice_in, receipts_of, reports_of
from workflow import commands as c
from workflow import invariants
from workflow.attachments import StoredFile
from workflow.models import (
    Addressee,
    Attachment,
    AuditEntry,
    Notice,
    Receipt,
    Report,
    ReportRequest,
)
from workflow.states import NoticeState as NS
from workflow.states import RecipientKind

FILE_KEY = "0123456789abcdef0123456789abcdef"


def digest(context: bytes, content: dict) -> str:
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(context + text.encode()).hexdigest()


def entry_of(session, action: str, object_id: int) -> AuditEntry:
    return session.scalars(select(AuditEntry).where(
        AuditEntry.action == action, AuditEntry.object_id == object_id)
        .order_by(AuditEntry.seq.desc()).limit(1)).one()


def problems_after(session, *statements) -> list[str]:
    for statement in statements:
        session.execute(statement)
    session.commit()
    found = invariants.check(session)
    session.rollback()
    return found


def test_only_signing_issuing_and_submitting_a_report_record_a_digest(world, session):
    full_story(world, session)
    actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.digest.is_not(None))))
    assert actions == {"notice.SIGN", "notice.ISSUE", "report.SUBMIT"}


def test_the_issue_digest_covers_the_printed_text_addressees_requests_and_receipt_units(
        world, session):
    notice = notice_in(world, NS.ISSUED)
    d1, d2, d3 = world.districts
    expected = digest(b"gongwen-notice-content/1\n", {
        "notice": notice.id, "issuer": world.issuer.id, "kind": "通知",
        "title": "关于开展调研的通知", "body": "请各区妇联开展调研。",
        "urgency": "NORMAL", "direction": "DOWNWARD", "doc_number": "示妇发〔2016〕1号",
        "signatory": world.signatory.id, "signed_on": "2016-03-07", "issued_on": "2016-03-08",
        "addressees": [["CC", world.cc_unit.id, None], ["MAIN", None, world.group.id]],
        "report_requests": [[1, "调研报告", "2016-04-30", "市妇联", []]],  # numbered from 1
        "attachments": [],
        "recipients": {"main": [d1.id, d2.id, d3.id], "cc": [world.cc_unit.id]},
    })
    assert entry_of(session, "notice.ISSUE", notice.id).digest == expected


def test_the_report_digest_covers_its_text_and_every_file_by_name_size_and_key(world, session):
    notice = notice_in(world, NS.ISSUED)
    receipt = next(r for r in receipts_of(world, notice) if r.unit_id == world.districts[0].id)
    report = next(p for p in reports_of(world, notice) if p.unit_id == world.districts[0].id)
    c.acknowledge(session, world.receiver1, receipt_id=receipt.id, now=at(1.5))
    c.submit_report(session, world.receiver1, report_id=report.id, text="调研已完成。",
                    attachments=[StoredFile("数据.xlsx", FILE_KEY, 1234)], now=at(2))
    session.commit()
    assert entry_of(session, "report.SUBMIT", report.id).digest == digest(
        b"gongwen-report-content/1\n", {
            "report": report.id, "request": report.request_id, "unit": world.districts[0].id,
            "text": "调研已完成。", "attachments": [["数据.xlsx", 1234, FILE_KEY]]})


# ------------------------------------------------------------------------------------------------
# Edits behind the engine's back, after the content was fixed.

@pytest.fixture
def issued(world, session):
    """An issued notice with an 附件; its id and the sequence number of its 印发 entry."""
    n = draft(world)
    c.add_attachment(session, world.drafter, notice_id=n.id,
                     stored=StoredFile("统计表.xlsx", FILE_KEY, 2048), now=at(0))
    c.submit(session, world.drafter, notice_id=n.id, now=at(0.1))
    c.pass_review(session, world.reviewer, notice_id=n.id, now=at(0.2))
    c.sign(session, world.signatory, notice_id=n.id, opinion="同意印发", now=at(0.3))
    c.issue(session, world.clerk, notice_id=n.id, now=at(1))
    session.commit()
    assert invariants.check(session) == []
    return n.id, entry_of(session, "notice.ISSUE", n.id).seq


def content_problems(problems: list[str], notice_id: int, seq: int) -> list[str]:
    """The problems that name the notice and say its content no longer is what 印发 fixed."""
    return [p for p in problems if p.startswith(f"公文 #{notice_id}（")
            and f"的内容与第 {seq} 条审计记录（印发）固定的不符：" in p]


NOTICE_EDITS = {
    "title": lambda n, w: update(Notice).where(Notice.id == n).values(title="关于暂停调研的通知"),
    "body": lambda n, w: update(Notice).where(Notice.id == n).values(body="不必开展调研。"),
    "kind": lambda n, w: update(Notice).where(Notice.id == n).values(kind="通报"),
    "doc number": lambda n, w: update(Notice).where(Notice.id == n).values(
        doc_number="示妇发〔2016〕9号"),
    "urgency": lambda n, w: update(Notice).where(Notice.id == n).values(urgency="VERY_URGENT"),
    "direction": lambda n, w: update(Notice).where(Notice.id == n).values(direction="UPWARD"),
    "signatory": lambda n, w: update(Notice).where(Notice.id == n).values(
        signatory_id=w.drafter.id),
    "date signed": lambda n, w: update(Notice).where(Notice.id == n).values(
        signed_on=dt.date(2016, 1, 1)),
    "date issued": lambda n, w: update(Notice).where(Notice.id == n).values(
        issued_on=dt.date(2016, 1, 2)),
    "a cc addressee": lambda n, w: update(Addressee).where(
        Addressee.notice_id == n, Addressee.kind == RecipientKind.CC).values(
        unit_id=w.districts[0].id),
    "a report request's due date": lambda n, w: update(ReportRequest).where(
        ReportRequest.notice_id == n).values(due_date=dt.date(2016, 12, 31)),
    "an attachment's name": lambda n, w: update(Attachment).where(
        Attachment.notice_id == n).values(filename="另一个表.xlsx"),
    "a receipt's unit": None,  # below: to a unit made for it
}


@pytest.mark.parametrize("what", NOTICE_EDITS)
def test_an_edit_of_an_issued_notice_in_the_database_is_reported_by_check(
        world, session, issued, what):
    notice_id, seq = issued
    if what == "a receipt's unit":  # the 抄送 copy handed to a unit it was never sent to
        stranger = c.create_unit(session, None, name="示范市第九区妇联", parent_id=world.issuer.id)
        statement = update(Receipt).where(Receipt.notice_id == notice_id,
                                          Receipt.kind == RecipientKind.CC).values(
            unit_id=stranger.id)
    else:
        statement = NOTICE_EDITS[what](notice_id, world)
    problems = problems_after(session, statement)
    assert len(content_problems(problems, notice_id, seq)) == 1, problems


def test_an_issued_notice_stays_fixed_whatever_happens_to_it_later(world, session, issued):
    notice_id, _ = issued
    c.close(session, world.supervisor, notice_id=notice_id, reason="提前办结", now=at(2))
    c.archive(session, world.clerk, notice_id=notice_id, retention="Y10", now=at(3))
    session.commit()
    assert invariants.check(session) == []
    problems = problems_after(session, update(Notice).where(Notice.id == notice_id)
                              .values(body="归档后改过的正文。"))
    number = session.get(Notice, notice_id).doc_number
    assert problems == [f"公文 #{notice_id}（{number}）的内容与第 {issued[1]} 条审计记录（印发）"
                        "固定的不符：标题、正文、字号、主送抄送或收文单位在印发后被改动"]


def test_a_signed_notice_edited_before_issue_is_reported_against_its_signing(world, session):
    notice = notice_in(world, NS.SIGNED)
    session.commit()
    seq = entry_of(session, "notice.SIGN", notice.id).seq
    problems = problems_after(session, update(Notice).where(Notice.id == notice.id)
                              .values(body="签发后偷偷改过。"))
    assert problems == [f"公文 #{notice.id}的内容与第 {seq} 条审计记录（签发）固定的不符：标题、正文、"
                        "字号、主送抄送或收文单位在签发后被改动"]


def test_an_amendment_after_signing_goes_through_the_engine_and_is_signed_again(world, session):
    notice = notice_in(world, NS.SIGNED)
    c.amend(session, world.clerk, notice_id=notice.id, reason="改标题", title="关于调整的通知",
            now=at(0.5))
    c.sign(session, world.signatory, notice_id=notice.id, opinion="同意", now=at(0.6))
    c.issue(session, world.clerk, notice_id=notice.id, now=at(1))
    session.commit()
    assert invariants.check(session) == []


@pytest.fixture
def submitted(world, session):
    notice = notice_in(world, NS.ISSUED)
    d1 = world.districts[0]
    receipt = next(r for r in receipts_of(world, notice) if r.unit_id == d1.id)
    report = next(p for p in reports_of(world, notice) if p.unit_id == d1.id)
    c.acknowledge(session, world.receiver1, receipt_id=receipt.id, now=at(1.5))
    c.submit_report(session, world.receiver1, report_id=report.id, text="调研已完成。",
                    attachments=[StoredFile("数据.xlsx", FILE_KEY, 1234)], now=at(2))
    session.commit()
    seq = entry_of(session, "report.SUBMIT", report.id).seq
    return report.id, (f"公文 #{notice.id}（{notice.doc_number}）中{d1.name}的报告 #{report.id} "
                       f"的内容与第 {seq} 条审计记录（上报）固定的不符：报告正文或附件在上报后被改动")


REPORT_EDITS = {
    "text": lambda r: [update(Report).where(Report.id == r).values(text="调研尚未开始。")],
    "a file's name": lambda r: [update(Attachment).where(Attachment.report_id == r)
                                .values(filename="别的.xlsx")],
    "a file's size": lambda r: [update(Attachment).where(Attachment.report_id == r)
                                .values(size=1)],
    "a file's stored bytes": lambda r: [update(Attachment).where(Attachment.report_id == r)
                                        .values(storage_key="f" * 32)],
}


@pytest.mark.parametrize("what", REPORT_EDITS)
def test_an_edit_of_a_submitted_report_in_the_database_is_reported_by_check(
        session, submitted, what):
    report_id, message = submitted
    assert invariants.check(session) == []
    assert message in problems_after(session, *REPORT_EDITS[what](report_id))


def test_a_file_slipped_into_an_accepted_report_is_reported(world, session, submitted):
    report_id, message = submitted
    c.accept_report(session, world.supervisor, report_id=report_id, now=at(3))
    session.commit()
    notice_id = session.get(Report, report_id).notice_id
    assert message in problems_after(session, insert(Attachment).values(
        notice_id=notice_id, report_id=report_id, filename="补充.docx", storage_key="e" * 32,
        size=10, uploaded_at=at(4)))


def test_a_returned_and_resubmitted_report_is_compared_with_its_last_submission(
        world, session, submitted):
    report_id, _ = submitted
    c.return_report(session, world.supervisor, report_id=report_id, reason="缺数据", now=at(3))
    c.submit_report(session, world.receiver1, report_id=report_id, text="补充了数据。",
                    attachments=[StoredFile("补充.xlsx", "a" * 32, 99)], now=at(4))
    session.commit()
    assert invariants.check(session) == []
    entry = entry_of(session, "report.SUBMIT", report_id)
    report = session.get(Report, report_id)
    assert entry.digest == digest(b"gongwen-report-content/1\n", {
        "report": report_id, "request": report.request_id, "unit": report.unit_id,
        "text": "补充了数据。",
        "attachments": [["数据.xlsx", 1234, FILE_KEY], ["补充.xlsx", 99, "a" * 32]]})
