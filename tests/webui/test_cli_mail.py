"""`flask send-mail`: the outbox delivered with the settings of the app's configuration layers."""

from __future__ import annotations

from sqlalchemy import select, update

from tests.factories import build_world, notice_in
from tests.mailbox import SmtpServer
from tests.webui.conftest import make_app
from webui.cli.mail import deliver_due_mail, mail_settings
from webui.extensions import db
from workflow.db import create_all
from workflow.models import MailMessage, MailStatus, User
from workflow.states import NoticeState


def _give_addresses(app) -> None:
    """Everyone in the world has an address, and the world's notifications their mail."""
    with app.app_context():
        create_all(db.engine)
        w = build_world(db.session)
        db.session.execute(update(User).values(email=User.username + "@example.org"))
        notice_in(w, NoticeState.ISSUED)
        db.session.commit()


def _statuses(app) -> list[MailStatus]:
    with app.app_context():
        return list(db.session.scalars(select(MailMessage.status)))


def test_send_mail_without_a_server_says_what_to_set_and_sends_nothing(app):
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 1
    assert "MAIL_SERVER" in result.output and "GONGWEN_MAIL_SERVER" in result.output
    with app.app_context():
        assert deliver_due_mail() is None


def test_send_mail_delivers_the_outbox_with_the_environments_settings(
        database_url, tmp_path, monkeypatch):
    with SmtpServer() as server:
        monkeypatch.setenv("GONGWEN_MAIL_SERVER", "127.0.0.1")
        monkeypatch.setenv("GONGWEN_MAIL_PORT", str(server.port))
        monkeypatch.setenv("GONGWEN_MAIL_BASE_URL", "https://oa.fulian.example")
        app = make_app(database_url, tmp_path / "instance", MAIL_FROM="妇联公文 <oa@fulian.example>")
        _give_addresses(app)
        told = len(_statuses(app))
        result = app.test_cli_runner().invoke(args=["send-mail"])
        again = app.test_cli_runner().invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert f"已发送 {told} 封" in result.output and "发送失败 0 封" in result.output
    assert "已发送 0 封" in again.output
    # reviewer, signatory and clerk on the way; the four receivers: 待签收
    assert told == 7 and len(server.mailbox.accepted) == told
    bodies = [a.message.get_content() for a in server.mailbox.accepted]
    assert sum("https://oa.fulian.example/receiving/#sign-" in b for b in bodies) == 4
    assert all(a.message_id.endswith("@fulian.example>") for a in server.mailbox.accepted)
    assert set(_statuses(app)) == {MailStatus.SENT}
    with app.app_context():
        db.engine.dispose()


def test_the_settings_come_from_the_configuration_with_their_defaults():
    assert mail_settings({}) is None
    assert mail_settings({"MAIL_SERVER": "smtp.example.org"}) is None  # no site address yet
    plain = mail_settings({"MAIL_SERVER": "smtp.example.org", "MAIL_BASE_URL": "https://x.org"})
    assert (plain.port, plain.starttls, plain.ssl, plain.max_attempts) == (25, False, False, 8)
    secure = mail_settings({"MAIL_SERVER": "smtp.example.org", "MAIL_BASE_URL": "https://x.org",
                            "MAIL_USE_SSL": True, "MAIL_USERNAME": "oa", "MAIL_PASSWORD": "pw",
                            "MAIL_MAX_ATTEMPTS": 3})
    assert (secure.port, secure.ssl, secure.username, secure.max_attempts) == (465, True, "oa", 3)
