"""`send-mail`: deliver the mail outbox over SMTP; and `deliver_due_mail()`, which `tick` calls.

Owns: the mail settings read from the app's configuration (MAIL_* keys, defaults below, in the
usual layers: instance/config.py, then GONGWEN_MAIL_* in the environment) and handing them to
`workflow.mail.deliver`, which commits each step itself. Must not: decide what is due or how a
refusal is retried (the engine's sender does).

| key | meaning | default |
|---|---|---|
| MAIL_SERVER | SMTP host; unset means mail is not sent (it waits in the outbox) | None |
| MAIL_PORT | SMTP port | 25 (465 with MAIL_USE_SSL) |
| MAIL_USE_STARTTLS / MAIL_USE_SSL | STARTTLS after connecting / implicit TLS | False / False |
| MAIL_USERNAME / MAIL_PASSWORD | SMTP login, when the server asks for one | None |
| MAIL_FROM | the From header | 公文流转 <gongwen@localhost> |
| MAIL_BASE_URL | the site as recipients reach it, for the links in a mail (required) | None |
| MAIL_MAX_ATTEMPTS | attempts before a message is given up as failed | 8 |
| MAIL_TIMEOUT | seconds for each exchange with the server | 30 |
| MAIL_LEASE_SECONDS | how long a sender's claim on a batch holds | 600 |
| MAIL_BATCH | messages claimed at a time | 50 |
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import click
from flask import current_app
from flask.cli import with_appcontext

from webui import clock
from webui.cli._common import fail
from webui.extensions import db
from webui.pages import url_of
from workflow.db import make_session_factory
from workflow.mail import DeliveryReport, MailSettings, deliver

DEFAULTS = {
    "MAIL_SERVER": None, "MAIL_PORT": None, "MAIL_USE_STARTTLS": False, "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None, "MAIL_PASSWORD": None, "MAIL_FROM": "公文流转 <gongwen@localhost>",
    "MAIL_BASE_URL": None, "MAIL_MAX_ATTEMPTS": 8, "MAIL_TIMEOUT": 30,
    "MAIL_LEASE_SECONDS": 600, "MAIL_BATCH": 50,
}
NOT_CONFIGURED = ("未配置邮件发送：请设置 MAIL_SERVER 和 MAIL_BASE_URL"
                  "（instance/config.py，或环境变量 GONGWEN_MAIL_SERVER、GONGWEN_MAIL_BASE_URL）")


def mail_settings(config: Mapping) -> MailSettings | None:
    """The SMTP settings in `config`, or None while no server or site address is set."""
    value = {key: config.get(key, default) for key, default in DEFAULTS.items()}
    if not value["MAIL_SERVER"] or not value["MAIL_BASE_URL"]:
        return None
    use_ssl = bool(value["MAIL_USE_SSL"])
    return MailSettings(
        host=str(value["MAIL_SERVER"]), base_url=str(value["MAIL_BASE_URL"]), pages=url_of,
        port=int(value["MAIL_PORT"] or (465 if use_ssl else 25)),
        starttls=bool(value["MAIL_USE_STARTTLS"]), ssl=use_ssl,
        username=value["MAIL_USERNAME"] or None, password=value["MAIL_PASSWORD"] or None,
        sender=str(value["MAIL_FROM"]), max_attempts=int(value["MAIL_MAX_ATTEMPTS"]),
        timeout=float(value["MAIL_TIMEOUT"]),
        lease=dt.timedelta(seconds=int(value["MAIL_LEASE_SECONDS"])),
    )


def deliver_due_mail(*, now: dt.datetime | None = None) -> DeliveryReport | None:
    """Deliver what is due with the current app's settings; None when mail is not configured.

    For `tick` and `send-mail`: call inside an app context, after the caller's own commit (the
    sender opens its own sessions and commits each step).
    """
    settings = mail_settings(current_app.config)
    if settings is None:
        return None
    batch = int(current_app.config.get("MAIL_BATCH", DEFAULTS["MAIL_BATCH"]))
    return deliver(make_session_factory(db.engine), settings, now=now, batch=batch)


@click.command("send-mail")
@with_appcontext
def send_mail() -> None:
    """Deliver the mail that is due; print how many were sent, will be retried, failed."""
    report = deliver_due_mail(now=clock.fixed())
    if report is None:
        fail(NOT_CONFIGURED)
    click.echo(str(report))
    for error in report.errors[-5:]:
        click.echo(f"  {error}", err=True)


COMMANDS = [send_mail]
