"""Who is told what: every event writes its notifications with a link to the page where each
person acts, and a mail in the outbox for everyone with an address — in the event's own
transaction, in bulk, and not at all when the command is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from tests.factories import (
    add_units_with_receivers,
    at,
    draft,
    notice_in,
    receipts_of,
    reports_of,
)
from tests.statements import statements_run
from workflow import commands as c
from workflow.commands import notifications as notification_commands
from workflow.commands.savepoint import command
from workflow.db import read_only
from workflow.errors import Forbidden, InvalidInput, NotFound
from workflow.models import MailMessage, MailStatus, Notice, Notification, Receipt, User
from workflow.notifications import notify, subject_of
from workflow.places import Place, Target
from workflow.queries import notifications as notification_queries
from workflow.states import NoticeState as NS


def notifications_of(session, user, notice_id: int | None = None) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id)
    if notice_id is not None:
        query = query.where(Notification.notice_id == notice_id)
    return list(session.scalars(query.order_by(Notification.id)))


def link_of(session, user, notice_id: int, kind: str | None = None) -> str:
    found = [n for n in notifications_of(session, user, notice_id) if kind in (None, n.kind)]
    assert found, f"{user.username} was told nothing of kind {kind}"
    return found[-1].target


def mails(session) -> list[MailMessage]:
    return list(session.scalars(select(MailMessage).order_by(MailMessage.id)))


def give_addresses(session, *users) -> None:
    for user in users:
        user.email = f"{user.username}@example.org"
    session.flush()


# ------------------------------------------------------------------------------------------------
# Each notification links to the page where its reader acts.


def test_each_step_of_a_draft_links_whoever_acts_next_to_their_page(world, session):
    w = world
    notice = draft(w)
    c.submit(session, w.drafter, notice_id=notice.id, now=at(0.1))
    assert link_of(session, w.reviewer, notice.id) == f"signoff:{notice.id}"
    c.return_for_revision(session, w.reviewer, notice_id=notice.id, reason="补充数据", now=at(0.2))
    assert link_of(session, w.drafter, notice.id, "returned") == f"draft:{notice.id}"
    c.submit(session, w.drafter, notice_id=notice.id, now=at(0.3))
    c.pass_review(session, w.reviewer, notice_id=notice.id, now=at(0.4))
    assert link_of(session, w.signatory, notice.id) == f"signoff:{notice.id}"
    c.sign(session, w.signatory, notice_id=notice.id, opinion="同意", now=at(0.5))
    assert link_of(session, w.clerk, notice.id) == f"issue:{notice.id}"


def test_an_amendment_after_sign_off_links_the_signatory_to_the_sign_off_sheet(world, session):
    w = world
    notice = notice_in(w, NS.SIGNED)
    c.amend(session, w.drafter, notice_id=notice.id, reason="改正错字", title="关于开展调研工作的通知",
            now=at(0.6))
    assert link_of(session, w.signatory, notice.id) == f"signoff:{notice.id}"


def test_issuing_links_each_receiver_to_signing_for_their_own_unit(world, session):
    w = world
    notice = notice_in(w, NS.ISSUED)
    for receiver, unit in ((w.receiver1, w.districts[0]), (w.receiver3, w.districts[2]),
                           (w.cc_receiver, w.cc_unit)):
        assert link_of(session, receiver, notice.id, "task") == f"sign_for:{unit.id}"


def test_a_report_links_the_supervisor_to_it_and_its_answer_links_the_receiver_back(
        world, session):
    w = world
    notice = notice_in(w, NS.ISSUED)
    d1 = w.districts[0]
    receipt = next(r for r in receipts_of(w, notice) if r.unit_id == d1.id)
    report = next(r for r in reports_of(w, notice) if r.unit_id == d1.id)
    c.acknowledge(session, w.receiver1, receipt_id=receipt.id, now=at(1.5))
    c.submit_report(session, w.receiver1, report_id=report.id, text="初稿", now=at(2))
    assert link_of(session, w.supervisor, notice.id) == f"check_report:{report.id}"
    c.return_report(session, w.supervisor, report_id=report.id, reason="缺数据", now=at(3))
    assert link_of(session, w.receiver1, notice.id, "returned") == f"report_due:{d1.id}"
    c.submit_report(session, w.receiver1, report_id=report.id, text="定稿", now=at(4))
    c.accept_report(session, w.supervisor, report_id=report.id, now=at(5))
    assert link_of(session, w.receiver1, notice.id, "accepted") == f"notice:{notice.id}"


def test_a_misdirected_notice_links_to_its_return_and_a_revocation_to_the_notice(world,
                                                                                 session):
    w = world
    notice = notice_in(w, NS.ISSUED)
    receipt = next(r for r in receipts_of(w, notice) if r.unit_id == w.districts[1].id)
    c.reject(session, w.receiver2, receipt_id=receipt.id, reason="误送", now=at(1.5))
    # The clerk answers the return there (改发, 补发 or 确认退回).
    assert link_of(session, w.clerk, notice.id, "rejected") == f"handle_return:{receipt.id}"
    c.revoke(session, w.signatory, notice_id=notice.id, reason="政策调整", now=at(2))
    assert link_of(session, w.receiver1, notice.id, "revoked") == f"notice:{notice.id}"


def test_a_reminder_links_each_unit_to_what_it_still_owes(world, session):
    w = world
    notice = notice_in(w, NS.ISSUED)
    d1, d2, _ = w.districts
    receipt = next(r for r in receipts_of(w, notice) if r.unit_id == d1.id)
    c.acknowledge(session, w.receiver1, receipt_id=receipt.id, now=at(1.5))
    c.remind(session, w.supervisor, notice_id=notice.id, now=at(3))
    assert link_of(session, w.receiver1, notice.id, "reminder") == f"report_due:{d1.id}"
    assert link_of(session, w.receiver2, notice.id, "reminder") == f"sign_for:{d2.id}"


def test_a_notification_names_a_place_of_work_which_its_text_gives_back(world, session):
    notify(session, [world.drafter.id], actor=None, notice_id=None, kind="account",
           message="密码已重置", now=at(0), target=Target(Place.PASSWORD))
    stored = session.scalars(select(Notification.target)).one()
    assert stored == "password" and Target.parse(stored) == Target(Place.PASSWORD)
    assert Target.parse("check_report:12") == Target(Place.CHECK_REPORT, 12)
    for unknown in ("https://elsewhere.example/", "/signoff/12", "elsewhere:1", "signoff:x", "",
                    "signoff:²", "signoff:١٢", "signoff:-1", "signoff:" + "9" * 30):
        assert Target.parse(unknown) is None


# ------------------------------------------------------------------------------------------------
# Mail goes to those with an address, in the same transaction.


def test_mail_is_queued_only_for_the_people_told_who_have_an_address(world, session):
    w = world
    give_addresses(session, w.receiver1, w.receiver3)
    notice = notice_in(w, NS.ISSUED)
    queued = [m for m in mails(session) if m.notification_id is not None]
    by_user = {m.user_id: m for m in queued}
    assert set(by_user) == {w.receiver1.id, w.receiver3.id}
    mail = by_user[w.receiver1.id]
    told = session.get(Notification, mail.notification_id)
    assert told.user_id == w.receiver1.id and told.notice_id == notice.id
    assert mail.to_addr == "receiver1@example.org" and mail.to_name == "receiver1"
    assert mail.body == f"{told.message}\n\n相关公文：{notice.doc_number} 《{notice.title}》"
    assert mail.subject == subject_of(told.message) and mail.subject.startswith("【公文流转】")
    assert mail.target == told.target == f"sign_for:{w.districts[0].id}"
    assert mail.status == MailStatus.PENDING and mail.attempts == 0
    assert mail.next_attempt_at == at(1) and mail.message_id is None


def test_a_deactivated_user_is_not_mailed(world, session):
    w = world
    give_addresses(session, w.drafter, w.reviewer)
    notice = draft(w)
    c.deactivate_user(session, None, user_id=w.drafter.id)
    notify(session, [w.drafter.id, w.reviewer.id], actor=None, notice_id=notice.id, kind="task",
           message="请处理", now=at(0.2))
    assert {m.user_id for m in mails(session)} == {w.reviewer.id}


def test_a_long_message_makes_a_short_subject():
    subject = subject_of("待签收：" + "关于" * 100 + "\n第二行")
    assert subject.startswith("【公文流转】待签收：关于") and subject.endswith("…")
    assert len(subject) == len("【公文流转】") + 60 and "第二行" not in subject


def test_a_command_refused_after_issuing_leaves_no_notification_and_no_mail(
        world, session, session_factory):
    w = world
    give_addresses(session, w.receiver1, w.receiver2)
    notice = notice_in(w, NS.SIGNED)
    session.commit()
    before_told = session.scalar(select(func.count()).select_from(Notification))

    @command
    def issue_then_refuse(session, actor, *, notice_id):
        c.issue(session, actor, notice_id=notice_id, now=at(1))
        assert session.scalar(select(func.count()).select_from(MailMessage)) == 2
        raise InvalidInput("印发后发现问题，整体撤回")

    with pytest.raises(InvalidInput):
        issue_then_refuse(session, w.clerk, notice_id=notice.id)
    session.commit()
    with session_factory() as fresh:
        read_only(fresh)
        assert fresh.scalar(select(func.count()).select_from(MailMessage)) == 0
        assert fresh.scalar(select(func.count()).select_from(Notification)) == before_told
        assert fresh.scalar(select(func.count()).select_from(Receipt)) == 0
        assert fresh.get(Notice, notice.id).state == NS.SIGNED


def test_a_rolled_back_transaction_takes_its_mail_with_it(world, session, session_factory):
    w = world
    give_addresses(session, w.receiver1)
    notice = notice_in(w, NS.SIGNED)
    session.commit()
    c.issue(session, w.clerk, notice_id=notice.id, now=at(1))
    assert len(mails(session)) == 1
    session.rollback()
    with session_factory() as fresh:
        read_only(fresh)
        assert fresh.scalar(select(func.count()).select_from(MailMessage)) == 0


def test_issuing_to_a_thousand_units_with_addresses_takes_as_many_statements_as_to_ten(
        world, session, session_factory, engine):
    groups = []
    for prefix, n in (("小", 10), ("大", 1000)):
        units = add_units_with_receivers(session, world, prefix, n)
        groups.append(c.create_group(session, None, owner_unit_id=world.issuer.id,
                                     name=f"{n}个单位", member_ids=units))
    session.execute(update(User).where(User.username.like("%-r%"))
                    .values(email=User.username + "@example.org"))
    few, many = (notice_in(world, NS.SIGNED, main_group_ids=[g.id], cc_unit_ids=[])
                 for g in groups)
    c.open_series(session, world.clerk, issuer_unit_id=world.issuer.id, code="示妇发",
                  year=2016, now=at(0.5))
    session.commit()

    def statements_to_issue(notice_id: int) -> int:
        with statements_run(engine) as seen, session_factory() as s:
            c.issue(s, world.clerk.id, notice_id=notice_id, now=at(1))
            s.commit()
        return len(seen)

    assert statements_to_issue(few.id) == statements_to_issue(many.id)
    with session_factory() as s:
        read_only(s)
        queued = s.execute(select(MailMessage.to_addr, MailMessage.target)
                           .join(Notification, Notification.id == MailMessage.notification_id)
                           .where(Notification.notice_id == many.id)).all()
        assert len(queued) == 1000
        assert all(path.startswith("sign_for:") for _, path in queued)


# ------------------------------------------------------------------------------------------------
# Reading: one's own, and only one's own.


def test_opening_marks_one_notification_read_once(world, session):
    w = world
    notice = notice_in(w, NS.ISSUED)
    mine = notifications_of(session, w.receiver1, notice.id)[0]
    assert notification_queries.unread_count(session, w.receiver1) == 1
    opened = notification_commands.mark_read(session, w.receiver1, notification_id=mine.id,
                                             now=at(2))
    assert opened.read_at == at(2) and opened.target == f"sign_for:{w.districts[0].id}"
    notification_commands.mark_read(session, w.receiver1, notification_id=mine.id, now=at(3))
    assert opened.read_at == at(2)  # the first reading is kept
    assert notification_queries.unread_count(session, w.receiver1) == 0


def test_another_persons_notification_is_not_found(world, session):
    w = world
    notice = notice_in(w, NS.ISSUED)
    theirs = notifications_of(session, w.receiver2, notice.id)[0]
    with pytest.raises(NotFound):
        notification_commands.mark_read(session, w.receiver1, notification_id=theirs.id)
    with pytest.raises(NotFound):
        notification_commands.mark_read(session, w.receiver1, notification_id=999_999)
    with pytest.raises(Forbidden):
        notification_commands.mark_read(session, None, notification_id=theirs.id)
    assert session.get(Notification, theirs.id).read_at is None


def test_marking_all_read_touches_only_ones_own(world, session):
    w = world
    notice_in(w, NS.ISSUED)
    notice_in(w, NS.ISSUED, title="关于第二件事的通知")
    assert notification_queries.unread_count(session, w.receiver1) == 2
    assert notification_commands.mark_all_read(session, w.receiver1, now=at(2)) == 2
    assert notification_queries.unread_count(session, w.receiver1) == 0
    assert notification_queries.unread_count(session, w.receiver2) == 2
    assert notification_commands.mark_all_read(session, w.receiver1, now=at(3)) == 0


def test_the_list_is_newest_first_in_pages_with_the_unread_counted(world, session):
    w = world
    for i in range(5):
        notify(session, [w.drafter.id], actor=None, notice_id=None, kind="task", message=f"第{i}条",
               now=at(i))
    first = notification_queries.notifications(session, w.drafter, page=1, per_page=2)
    assert [n.message for n in first.items] == ["第4条", "第3条"]
    assert (first.total, first.unread, first.pages) == (5, 5, 3)
    assert first.items[0].kind_label == "待办" and first.items[0].unread
    last = notification_queries.notifications(session, w.drafter, page=99, per_page=2)
    assert last.page == 3 and [n.message for n in last.items] == ["第0条"]
    assert not last.has_next and last.has_previous
    assert notification_queries.notifications(session, w.receiver1).total == 0
