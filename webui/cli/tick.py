"""`tick`: the scheduled work, safe to run every minute from cron on one host or on several.

Each step runs in its own transaction and commits before the next begins: first the reminders
(`workflow.tick.run`: before, on and after each deadline, each sent once and only once, however
many ticks run at once), then — after that commit, so that nothing leaves the process for a
change that was not kept — the delivery of what was written to the outbox. Prints what each
step did and any year in use without holiday data; exit 0 (1 when the engine refused a step,
with its reason on stderr).
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from webui import clock
from webui.cli.mail import deliver_due_mail
from webui.extensions import db
from workflow import tick as scheduled
from workflow.errors import WorkflowError


def remind() -> scheduled.TickReport:
    """Step 1: the reminders that fell due, in their own transaction, committed."""
    try:
        report = scheduled.run(db.session, now=clock.now())
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return report


def describe(report: scheduled.TickReport) -> list[str]:
    """What the reminder step did, in lines for the operator."""
    if report.day_off:
        lines = [f"{report.today.isoformat()} 不是工作日，不发送催办。"]
    elif report.reminders:
        lines = [f"已发送催办 {report.reminders} 条，涉及 {report.units} 个单位、"
                 f"{report.notices} 件公文。"]
    else:
        lines = ["没有需要发送的催办。"]
    if report.inside:
        lines.append(f"单位内部催办（承办、传阅）{len(report.inside)} 条，涉及 "
                     f"{len({r.incoming_id for r in report.inside})} 件收文。")
    lines += [f"注意：{year}年没有节假日数据，暂按周一至周五计算工作日；"
              f"请系统管理员在“工作日历与期限”中录入该年的放假和调休安排。"
              for year in report.years_without_data]
    return lines


@click.command("tick")
@with_appcontext
def tick() -> None:
    """Run the scheduled work: send the reminders (催办) that fell due, then the mail."""
    refused = False
    try:
        reminders = remind()
    except WorkflowError as error:  # e.g. a calendar without a working day for 400 days
        click.echo(f"催办未能完成：{error}", err=True)
        refused = True
    else:
        for line in describe(reminders):
            click.echo(line)

    # Step 2, the mail: deliver the outbox, after the commit above (a refusal of the reminders
    # must not hold up the mail of everything else). Without a mail server configured, the
    # notifications stay in the app and nothing is said.
    delivered = deliver_due_mail(now=clock.fixed())
    if delivered is not None:
        click.echo(str(delivered))

    if refused:
        click.get_current_context().exit(1)


COMMANDS = [tick]
