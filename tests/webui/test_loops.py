"""Pages that close a loop: 退文处理 for the issuing clerk, "已办结，免报" on a waived report, a
second 催办 of the day asked before it is sent, 撤销 and 废止 confirmed with their effect named,
the page of a draft already submitted shown read-only, and a stale action told what happened."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.factories import at
from tests.webui.conftest import give_password, set_clock
from tests.webui.receiving_fixtures import (
    district,
    flashes,
    people,  # noqa: F401  (a fixture)
    post,
    receipt_of,
    report_of,
    text,
    unit_id,
)
from webui.extensions import db
from workflow import commands as c
from workflow.models import Notice, Notification, Reminder, User

pytestmark = pytest.mark.usefixtures("people")


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _returned_by_district_2(app, world) -> int:
    """District 2 returns the notice the conftest issued to the three districts."""
    with app.app_context():
        receipt = receipt_of(app, world.issued_id, district(2))
        c.reject(db.session, _user("receiver2"), receipt_id=receipt.id, reason="本区不承担该项工作",
                 now=at(1, hours=3))
        db.session.commit()
        return receipt.id


def test_the_clerks_return_notification_opens_a_page_with_the_three_answers(app, world, client,
                                                                           log_in):
    receipt_id = _returned_by_district_2(app, world)
    log_in("clerk")
    page = text(client.get(f"/dispatch/returns/{receipt_id}"))
    assert "本区不承担该项工作" in page
    for answer in ("改发", "补发", "确认退回"):
        assert f">{answer}<" in page or f">{answer}，" in page
    # It is a task in 我的待办, and its notification links here.
    inbox = text(client.get("/inbox/"))
    assert f"/dispatch/returns/{receipt_id}" in inbox and "误送退回待处理" in inbox
    with app.app_context():
        targets = set(db.session.scalars(select(Notification.target).where(
            Notification.user_id == _user("clerk").id, Notification.kind == "rejected")))
    assert targets == {f"handle_return:{receipt_id}"}


def test_redirecting_from_the_page_sends_the_notice_to_the_chosen_unit(app, world, client,
                                                                       log_in):
    receipt_id = _returned_by_district_2(app, world)
    # District 3 already has it from the issue: a unit outside the notice is made for the test.
    with app.app_context():
        issuer = unit_id(app, "示范市妇女联合会")
        fourth = c.create_unit(db.session, None, name="示范市第4区妇联", parent_id=issuer)
        db.session.commit()
        fourth_id = fourth.id
    log_in("clerk")
    page = text(client.get(f"/dispatch/returns/{receipt_id}"))
    assert f'<option value="{fourth_id}">示范市第4区妇联</option>' in page
    version = re.search(r'name="expected_version" value="(\d+)"', page).group(1)
    response = post(client, f"/dispatch/returns/{receipt_id}/redirect",
                    {"unit_id": str(fourth_id), "expected_version": version},
                    page=f"/dispatch/returns/{receipt_id}")
    assert response.status_code == 303
    assert "已改发示范市第4区妇联，该单位将收到签收和上报事项" in flashes(
        client, f"/dispatch/returns/{receipt_id}")
    assert receipt_of(app, world.issued_id, "示范市第4区妇联").state == "PENDING"
    assert report_of(app, world.issued_id, "示范市第4区妇联").state == "DUE"
    assert receipt_of(app, world.issued_id, district(2)).state == "REDIRECTED"


def test_a_report_waived_by_an_early_close_says_already_closed_nothing_to_report(app, world,
                                                                                 client, log_in):
    with app.app_context():
        c.close(db.session, _user("supervisor"), notice_id=world.issued_id, reason="工作已完成",
                now=at(2))
        db.session.commit()
    report = report_of(app, world.issued_id, district(1))
    log_in("receiver1")
    page = text(client.get(f"/receiving/reports/{report.id}"))
    assert "已办结，免报" in page
    assert "已逾期" not in page  # its 2016 due date is long past, but nothing is owed
    assert "已办结，免报" in text(client.get("/receiving/"))
    assert "已办结，免报" in text(client.get("/notifications/"))


def _reminders(app, notice_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Reminder)
                                 .where(Reminder.notice_id == notice_id))


def test_a_second_reminder_on_the_same_day_is_asked_about_before_it_is_sent(app, world, client,
                                                                           log_in):
    set_clock(app, at(3))
    log_in("supervisor")
    path = f"/tracking/{world.issued_id}/remind"
    page = f"/tracking/{world.issued_id}"
    assert post(client, path, {"channel": "app"}, page=page).status_code == 303
    sent = _reminders(app, world.issued_id)
    assert sent == 3  # district 1 owes its report, districts 2 and 3 their receipt
    for _ in range(2):  # pressed again, twice: asked, and nothing sent
        asked = post(client, path, {"channel": "app"}, page=page)
        assert asked.status_code == 200
        assert "今天已催办过，仍要发送吗？" in text(asked)
        assert 'name="again" value="1"' in text(asked)
        assert _reminders(app, world.issued_id) == sent
    confirmed = post(client, path, {"channel": "app", "again": "1"}, page=page)
    assert confirmed.status_code == 303
    assert _reminders(app, world.issued_id) == 2 * sent
    # The next day is a new day.
    set_clock(app, at(4))
    assert post(client, path, {"channel": "app"}, page=page).status_code == 303
    assert _reminders(app, world.issued_id) == 3 * sent


@pytest.mark.parametrize("action, label", [("revoke", "撤销"), ("abolish", "废止")])
def test_revoking_or_abolishing_first_names_the_effect_and_waits_for_confirmation(
        app, world, client, log_in, action, label):
    with app.app_context():
        give_password(db.session, _user("signatory").id)
        db.session.commit()
        version = db.session.get(Notice, world.issued_id).version
    log_in("signatory")
    path = f"/signoff/{world.issued_id}/{action}"
    page = f"/signoff/{world.issued_id}"
    asked = post(client, path, {"reason": "政策调整", "expected_version": str(version)},
                 page=page)
    assert asked.status_code == 200
    # District 1 signed for it and owes its report; districts 2 and 3 and the province have not
    # signed for it (the province, a 抄送 unit, only signs).
    assert "4 个单位的待办将作废" in text(asked)
    assert f"确认{label}" in text(asked)
    with app.app_context():
        assert db.session.get(Notice, world.issued_id).state.name == "ISSUED"
    done = post(client, path, {"reason": "政策调整", "expected_version": str(version),
                               "confirmed": "1"}, page=page)
    assert done.status_code == 303
    with app.app_context():
        assert db.session.get(Notice, world.issued_id).state.name == (
            "REVOKED" if action == "revoke" else "ABOLISHED")


def test_the_draft_page_after_submitting_shows_what_was_submitted_not_a_conflict(app, world,
                                                                                 client, log_in):
    log_in("drafter")
    path = f"/drafting/{world.draft_id}"
    editing = text(client.get(path))
    version = re.search(r'name="expected_version"[^>]*value="(\d+)"', editing).group(1)
    assert post(client, f"{path}/submit", {"expected_version": version},
                page=path).status_code == 303
    back = client.get(path)  # the browser's back button
    assert back.status_code == 200
    assert "以下是提交的内容" in text(back) and "409" not in text(back)
    assert "drafter已于" in text(back) and "提交该公文" in text(back)
    # The old form sent again changes nothing, and says so calmly.
    resent = post(client, path, {"expected_version": version, "title": "改过的标题",
                                 "body": "改过的正文", "kind": "通知", "urgency": "NORMAL"},
                  page=path)
    assert resent.status_code == 200
    assert "刚才发送的内容没有保存" in text(resent)
    with app.app_context():
        assert db.session.get(Notice, world.draft_id).title == world.draft_title


def test_a_stale_acknowledgement_says_the_unit_returned_it_and_when(app, world, client, log_in):
    receipt = receipt_of(app, world.issued_id, district(2))
    _returned_by_district_2(app, world)
    log_in("receiver2")
    response = post(client, f"/receiving/receipts/{receipt.id}/acknowledge",
                    {"expected_version": str(receipt.version)}, page="/receiving/")
    assert response.status_code == 303
    shown = " ".join(flashes(client, "/receiving/"))
    assert "示范市第2区妇联的receiver2已于3月8日 12:00退回（误送）该收文" in shown
