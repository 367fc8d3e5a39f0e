"""The engine side of the outgoing desks: attachments on a draft (add_attachment,
remove_attachment) and the read queries of drafting, signoff and dispatch."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import at, draft, notice_in, refused
from workflow import commands as c
from workflow.attachments import MAX_ATTACHMENT_BYTES, StoredFile
from workflow.errors import Conflict, Forbidden, InvalidInput, InvalidState, NotFound
from workflow.models import AuditEntry
from workflow.queries import dispatch as dispatch_queries
from workflow.queries import drafting as drafting_queries
from workflow.queries import signoff as signoff_queries
from workflow.states import NoticeAction as NA
from workflow.states import NoticeState as NS

PLAN = StoredFile(filename="方案.pdf", storage_key="a" * 32, size=1200,
                  content_type="application/pdf")


def _actions(session, notice_id: int) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).where(
        AuditEntry.notice_id == notice_id).order_by(AuditEntry.seq)))


# ------------------------------------------------------------------------------------------------
# Attachments on a draft.


def test_the_drafter_attaches_a_stored_file_to_the_draft(world, session):
    n = draft(world)
    version = n.version
    attachment = c.add_attachment(session, world.drafter, notice_id=n.id, stored=PLAN, now=at(1))
    session.refresh(n)
    assert [a.filename for a in n.attachments] == ["方案.pdf"]
    assert (attachment.storage_key, attachment.size, attachment.uploaded_by_id) == (
        "a" * 32, 1200, world.drafter.id)
    assert n.version == version + 1  # a stale page sees the change
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.action == "notice.ADD_ATTACHMENT" and entry.details["filename"] == "方案.pdf"


def test_only_the_drafter_may_attach_and_only_to_a_draft(world, session, session_factory):
    n = draft(world)
    refused(session, session_factory, lambda: c.add_attachment(
        session, world.drafter2, notice_id=n.id, stored=PLAN), Forbidden, "只有拟稿人本人")
    submitted = notice_in(world, NS.IN_REVIEW)
    refused(session, session_factory, lambda: c.add_attachment(
        session, world.drafter, notice_id=submitted.id, stored=PLAN), InvalidState, "只有草稿")
    refused(session, session_factory, lambda: c.add_attachment(
        session, world.reviewer, notice_id=n.id, stored=PLAN), Forbidden)


def test_an_oversized_or_nameless_file_is_not_recorded(world, session, session_factory):
    n = draft(world)
    big = StoredFile("大.zip", "b" * 32, MAX_ATTACHMENT_BYTES + 1)
    refused(session, session_factory, lambda: c.add_attachment(
        session, world.drafter, notice_id=n.id, stored=big), InvalidInput, "超过")
    nameless = StoredFile(" ", "c" * 32, 10)
    refused(session, session_factory, lambda: c.add_attachment(
        session, world.drafter, notice_id=n.id, stored=nameless), InvalidInput, "缺少文件名")


def test_attaching_to_a_stale_version_is_already_handled(world, session, session_factory):
    n = draft(world)
    stale = n.version
    c.update_draft(session, world.drafter, notice_id=n.id, title="新标题", now=at(1))
    refused(session, session_factory, lambda: c.add_attachment(
        session, world.drafter, notice_id=n.id, stored=PLAN, expected_version=stale), Conflict)


def test_the_drafter_removes_an_attachment_and_the_trail_says_which(world, session):
    n = draft(world)
    attachment = c.add_attachment(session, world.drafter, notice_id=n.id, stored=PLAN)
    c.remove_attachment(session, world.drafter, notice_id=n.id, attachment_id=attachment.id,
                        now=at(2))
    session.refresh(n)
    assert n.attachments == []
    assert _actions(session, n.id)[-2:] == ["notice.ADD_ATTACHMENT", "notice.REMOVE_ATTACHMENT"]


def test_an_attachment_is_removed_only_through_its_own_notice(world, session, session_factory):
    n, other = draft(world), draft(world, title="另一份草稿")
    attachment = c.add_attachment(session, world.drafter, notice_id=n.id, stored=PLAN)
    refused(session, session_factory, lambda: c.remove_attachment(
        session, world.drafter, notice_id=other.id, attachment_id=attachment.id), NotFound)
    refused(session, session_factory, lambda: c.remove_attachment(
        session, world.drafter2, notice_id=n.id, attachment_id=attachment.id), Forbidden)
    c.submit(session, world.drafter, notice_id=n.id)
    refused(session, session_factory, lambda: c.remove_attachment(
        session, world.drafter, notice_id=n.id, attachment_id=attachment.id), InvalidState)


# ------------------------------------------------------------------------------------------------
# Drafting queries.


def test_the_drafting_desk_sorts_my_notices_by_where_they_stand(world, session):
    w, s = world, session
    plain = notice_in(w, NS.DRAFT, title="草稿")
    returned = notice_in(w, NS.IN_REVIEW, title="退回的")
    c.return_for_revision(s, w.reviewer, notice_id=returned.id, reason="第一次退回", now=at(1))
    c.submit(s, w.drafter, notice_id=returned.id, now=at(2))
    c.return_for_revision(s, w.reviewer, notice_id=returned.id, reason="第二次退回", now=at(3))
    in_review = notice_in(w, NS.IN_REVIEW, title="核稿中")
    signed = notice_in(w, NS.SIGNED, title="已签发")
    notice_in(w, NS.ISSUED, title="已印发")
    c.create_draft(s, w.drafter2, title="同事的草稿", now=at(0))

    desk = drafting_queries.drafting_desk(s, w.drafter)
    assert [r.notice.id for r in desk.returned] == [returned.id]
    assert desk.returned[0].returned.note == "第二次退回"
    assert plain.id in [r.notice.id for r in desk.drafts]
    assert [r.notice.id for r in desk.submitted] == [in_review.id]
    assert desk.submitted[0].actions == [NA.WITHDRAW]
    assert [r.notice.id for r in desk.signed] == [signed.id]
    assert NA.AMEND in desk.signed[0].actions
    titles = {r.notice.title for r in desk.drafts + desk.returned + desk.submitted + desk.signed}
    assert "已印发" not in titles and "同事的草稿" not in titles


def test_a_returned_draft_stays_returned_while_the_drafter_edits_it(world, session):
    n = notice_in(world, NS.IN_REVIEW)
    c.return_for_revision(session, world.reviewer, notice_id=n.id, reason="请修改", now=at(1))
    c.update_draft(session, world.drafter, notice_id=n.id, title="改过的标题", now=at(2))
    page = drafting_queries.draft_for_editing(session, world.drafter, n.id)
    assert page.returned.note == "请修改" and page.returned.actor_name == "reviewer"


def test_a_draft_opens_for_editing_only_for_its_drafter(world, session):
    n = draft(world)
    assert drafting_queries.draft_for_editing(session, world.drafter, n.id).notice is n
    with pytest.raises(Forbidden):
        drafting_queries.draft_for_editing(session, world.drafter2, n.id)
    with pytest.raises(NotFound):
        drafting_queries.draft_for_editing(session, world.receiver1, n.id)
    c.submit(session, world.drafter, notice_id=n.id)
    with pytest.raises(InvalidState):
        drafting_queries.draft_for_editing(session, world.drafter, n.id)


def test_a_signed_notice_opens_for_amendment_for_its_drafter_and_the_clerk(world, session):
    n = notice_in(world, NS.SIGNED)
    for actor in (world.drafter, world.clerk):
        assert drafting_queries.notice_to_amend(session, actor, n.id).notice is n
    with pytest.raises(Forbidden):
        drafting_queries.notice_to_amend(session, world.drafter2, n.id)
    with pytest.raises(InvalidState):
        drafting_queries.notice_to_amend(session, world.drafter, draft(world).id)


def test_the_choices_offer_the_issuers_groups_its_units_its_superiors_and_the_rest_of_its_tree(
        world, session):
    w, s = world, session
    province = w.cc_unit  # the city federation sits under the province
    sibling = c.create_unit(s, None, name="示范省另一市妇联", parent_id=province.id)
    elsewhere = c.create_unit(s, None, name="外省妇联")
    c.create_unit(s, None, name="外省某区妇联", parent_id=elsewhere.id)
    direct = c.create_unit(s, None, name="市妇联直属单位", parent_id=w.issuer.id)
    s.flush()

    choices = drafting_queries.addressee_choices(s, w.issuer.id)
    assert [g.name for g in choices.groups] == ["各区妇联"]
    sections = {section.label: [u.name for u in section.units] for section in choices.sections}
    assert sections["各区妇联：各单位"] == [u.name for u in w.districts]
    assert sections["其他下属单位"] == [direct.name]
    assert sections["上级单位"] == [province.name]
    assert sections[f"{province.name}系统"] == [sibling.name]
    # Another federation is never offered (nor accepted: federation.require_within).
    assert "外省妇联系统" not in sections
    assert not {"外省妇联", "外省某区妇联"} & {n for names in sections.values() for n in names}
    assert w.issuer.id not in choices.unit_ids
    assert len(choices.unit_ids) == len(set(choices.unit_ids))


def test_a_new_draft_is_written_for_a_unit_where_the_actor_drafts(world, session):
    page = drafting_queries.new_draft(session, world.drafter)
    assert page.issuer.id == world.issuer.id and page.choices.groups
    with pytest.raises(Forbidden):
        drafting_queries.new_draft(session, world.drafter, world.cc_unit.id)
    with pytest.raises(Forbidden):
        drafting_queries.new_draft(session, world.reviewer)


# ------------------------------------------------------------------------------------------------
# Signoff queries.


def test_the_signoff_desk_lists_by_role_within_the_actors_units(world, session):
    w = world
    review = notice_in(w, NS.IN_REVIEW, title="待核稿")
    sign = notice_in(w, NS.AWAITING_SIGNOFF, title="待签发")
    issued = notice_in(w, NS.ISSUED, title="已印发")
    as_reviewer = signoff_queries.signoff_desk(session, w.reviewer)
    assert [r.notice.id for r in as_reviewer.to_review] == [review.id]
    assert as_reviewer.to_sign == [] and as_reviewer.issued == [] and not as_reviewer.signs
    as_signatory = signoff_queries.signoff_desk(session, w.signatory)
    assert [r.notice.id for r in as_signatory.to_sign] == [sign.id]
    assert [r.notice.id for r in as_signatory.issued] == [issued.id]
    assert set(as_signatory.issued[0].actions) == {NA.REVOKE, NA.ABOLISH}


def test_the_sheet_shows_the_current_rounds_review_and_signoff(world, session):
    w, s = world, session
    n = notice_in(w, NS.IN_REVIEW)
    c.pass_review(s, w.reviewer, notice_id=n.id, opinion="初核", now=at(1))
    c.return_for_revision(s, w.signatory, notice_id=n.id, reason="重写第二段", now=at(2))
    c.submit(s, w.drafter, notice_id=n.id, now=at(3))
    sheet = signoff_queries.approval_sheet(s, w.reviewer, n.id)
    assert sheet.review is None and sheet.signoff is None  # a new round
    assert [e.note for e in sheet.history if e.note] == ["初核", "重写第二段"]
    c.pass_review(s, w.reviewer, notice_id=n.id, opinion="复核通过", now=at(4))
    c.sign(s, w.signatory, notice_id=n.id, opinion="同意印发", now=at(5))
    sheet = signoff_queries.approval_sheet(s, w.signatory, n.id)
    assert (sheet.review.note, sheet.signoff.note) == ("复核通过", "同意印发")
    c.amend(s, w.drafter, notice_id=n.id, reason="改错字", title="新标题", now=at(6))
    sheet = signoff_queries.approval_sheet(s, w.signatory, n.id)
    assert sheet.review.note == "复核通过" and sheet.signoff is None
    assert sheet.actions == [NA.RETURN, NA.SIGN]


def test_only_the_issuing_units_reviewers_and_signatories_may_open_a_sheet(world, session):
    n = notice_in(world, NS.IN_REVIEW)
    for actor in (world.drafter, world.clerk, world.receiver1):
        with pytest.raises(NotFound):
            signoff_queries.approval_sheet(session, actor, n.id)
    with pytest.raises(NotFound):
        signoff_queries.approval_sheet(session, world.reviewer, 999_999)


# ------------------------------------------------------------------------------------------------
# Dispatch queries.


def test_the_dispatch_desk_lists_what_to_issue_and_what_to_archive(world, session):
    w = world
    signed = notice_in(w, NS.SIGNED)
    closed = notice_in(w, NS.CLOSED)
    revoked = notice_in(w, NS.REVOKED)
    notice_in(w, NS.ISSUED)
    desk = dispatch_queries.dispatch_desk(session, w.clerk)
    assert [r.notice.id for r in desk.to_issue] == [signed.id]
    assert {r.notice.id for r in desk.to_archive} == {closed.id, revoked.id}
    assert dispatch_queries.dispatch_desk(session, w.drafter).to_issue == []


def test_the_issue_preview_names_the_number_and_the_units_and_reserves_nothing(world, session):
    w, s = world, session
    n = notice_in(w, NS.SIGNED)
    c.void_number(s, w.clerk, issuer_unit_id=w.issuer.id, code="示妇发", year=2016, serial=1,
                  reason="作废", now=at(0.5))
    preview = dispatch_queries.issue_preview(s, w.clerk, n.id, now=at(1))
    assert (preview.code, preview.year, preview.next_serial, preview.next_number) == (
        "示妇发", 2016, 2, "示妇发〔2016〕2号")
    assert [u.id for u in preview.main] == [u.id for u in w.districts]
    assert [u.id for u in preview.cc] == [w.cc_unit.id] and preview.count == 4
    assert [(r.request.what, r.units) for r in preview.reach] == [("调研报告", 3)]
    assert preview.problems == [] and preview.actions == [NA.AMEND, NA.ISSUE]
    issued = c.issue(s, w.clerk, notice_id=n.id, now=at(1))
    assert issued.doc_number == preview.next_number


def test_the_issue_preview_says_why_issuing_would_be_refused(world, session):
    w, s = world, session
    n = notice_in(w, NS.SIGNED, requests=[{"what": "总结", "due_date": dt.date(2016, 3, 1)}])
    preview = dispatch_queries.issue_preview(s, w.clerk, n.id, now=at(1))
    assert preview.problems == ["报送要求“总结”的截止日期2016年3月1日早于印发日期2016年3月8日"]
    with pytest.raises(InvalidInput, match="早于印发日期"):
        c.issue(s, w.clerk, notice_id=n.id, now=at(1))


def test_the_issue_preview_is_the_issuing_units_clerks_only(world, session):
    n = notice_in(world, NS.SIGNED)
    for actor in (world.drafter, world.signatory, world.receiver1):
        with pytest.raises(NotFound):
            dispatch_queries.issue_preview(session, actor, n.id)


def test_the_register_lists_each_series_with_its_next_number_and_void_numbers(world, session):
    w, s = world, session
    notice_in(w, NS.ISSUED)
    c.open_series(s, w.clerk, issuer_unit_id=w.issuer.id, code="示妇发", year=2017,
                  start_serial=5, now=at(2))
    c.void_number(s, w.clerk, issuer_unit_id=w.issuer.id, code="示妇发", year=2017, serial=5,
                  reason="印错", now=at(3))
    register = dispatch_queries.number_register(s, w.clerk)
    assert [u.id for u in register.units] == [w.issuer.id]
    rows = [(r.series.year, r.next_number, [(v.number, v.reason, v.by) for v in r.voided])
            for r in register.series]
    assert rows == [(2017, "示妇发〔2017〕6号", [("示妇发〔2017〕5号", "印错", "clerk")]),
                    (2016, "示妇发〔2016〕2号", [])]
    assert dispatch_queries.number_register(s, w.drafter).series == []


def test_the_clerk_units_are_where_the_actor_holds_the_clerk_role(world, session):
    assert [u.id for u in dispatch_queries.clerk_units(session, world.clerk)] == [world.issuer.id]
    assert dispatch_queries.clerk_units(session, world.drafter) == []


def test_the_register_names_this_years_series_that_is_not_open_yet(world, session):
    register = dispatch_queries.number_register(session, world.clerk, now=at(0))
    assert (register.year, register.unopened) == (2016, ["示妇发〔2016〕"])
    notice_in(world, NS.ISSUED)
    assert dispatch_queries.number_register(session, world.clerk, now=at(2)).unopened == []
