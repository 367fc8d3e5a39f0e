"""`flask tick`: the reminders that fell due, in their own committed transaction, said in a line
for the operator — and nothing twice; a day off sends nothing; a year in use without holiday data
is named. Today is the app's fixed clock, a working day; the calendar is told what it is."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from tests.webui.conftest import NOW
from webui.extensions import db
from workflow.commands import calendar as calendar_commands
from workflow.deadlines import local_date
from workflow.models import AuditEntry, Notice, Reminder


def _today_is(app, *, workday: bool) -> None:
    with app.app_context():
        calendar_commands.set_calendar_day(db.session, None, day=local_date(NOW),
                                           is_workday=workday)
        db.session.commit()


def _reminders(app) -> list[tuple[int, int]]:
    with app.app_context():
        return db.session.execute(select(Reminder.notice_id, Reminder.unit_id)
                                  .order_by(Reminder.notice_id, Reminder.unit_id)).all()


def test_tick_sends_the_reminders_that_fell_due_once_and_says_how_many(app, world):
    _today_is(app, workday=True)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["tick"])
    assert first.exit_code == 0, first.output
    # Long past every deadline: districts 2 and 3 and district 1 (its report) on the notice to
    # the group, and district 1 on the notice sent to it alone.
    assert "已发送催办 4 条，涉及 3 个单位、2 件公文" in first.output
    assert len(_reminders(app)) == 4
    with app.app_context():  # committed: a new session sees them, and the 催办 in the trail
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "notice.REMIND")) == 2

    second = runner.invoke(args=["tick"])
    assert second.exit_code == 0 and "没有需要发送的催办" in second.output
    assert len(_reminders(app)) == 4


def test_tick_on_a_day_off_sends_nothing(app, world):
    _today_is(app, workday=False)
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0 and "不是工作日，不发送催办" in result.output
    assert _reminders(app) == []


def test_tick_names_a_year_in_use_without_holiday_data(app, world):
    _today_is(app, workday=True)
    with app.app_context():
        db.session.get(Notice, world.issued_id).receipt_due_on = dt.date(2030, 1, 7)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0
    assert "注意：2030年没有节假日数据，暂按周一至周五计算工作日" in result.output


def test_tick_delivers_the_reminders_by_mail_after_committing_them(app, world):
    from sqlalchemy import update

    from tests.mailbox import SmtpServer
    from workflow.models import MailMessage, MailStatus, User

    with app.app_context():
        db.session.execute(update(User).values(email=User.username + "@example.org"))
        db.session.execute(update(MailMessage).values(status=MailStatus.SENT))  # none queued yet
        db.session.commit()
    _today_is(app, workday=True)
    with SmtpServer() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port,
                          MAIL_BASE_URL="https://oa.fulian.example")
        result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "已发送催办 4 条" in result.output
    accepted = server.mailbox.accepted
    assert accepted and all("催办" in a.message.get_content() for a in accepted)
    assert all("https://oa.fulian.example/receiving/" in a.message.get_content()
               for a in accepted)
    assert f"已发送 {len(accepted)} 封" in result.output
