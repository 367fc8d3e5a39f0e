"""The write side of the engine: one function per use case, grouped by desk.

Every command looks alike — `verb(session, actor, *, ids and plain values, now=None)` — flushes and
never commits (the caller owns the transaction), runs in a SAVEPOINT so that a refusal leaves the
session as it was, and changes a state only through `_advance` (DESIGN.md conventions 1 and 2).
"""

from workflow.commands.accounts import (
    change_password,
    confirm_enrolment,
    generate_password,
    log_in,
    log_out,
    pass_second_factor,
)
from workflow.commands.admin import (
    create_user,
    deactivate_user,
    grant_role,
    install,
    reactivate_user,
    reset_password,
    reset_second_factor,
    revoke_role,
    set_email,
    set_login_policy,
    set_password,
)
from workflow.commands.archive import abolish, archive, revoke
from workflow.commands.autosave import drop_typed, keep_typed
from workflow.commands.calendar import remove_calendar_day, set_calendar_day, set_deadline_policy
from workflow.commands.circulation import (
    circulate,
    mark_read_copy,
    recall,
    remind_readers,
    waive,
)
from workflow.commands.dispatch import expand_recipients, issue, open_series, void_number
from workflow.commands.drafting import (
    add_attachment,
    cancel,
    create_draft,
    remove_attachment,
    submit,
    update_draft,
    withdraw,
)
from workflow.commands.forwarding import forward
from workflow.commands.incoming import (
    archive_incoming,
    finish,
    instruct,
    propose,
    register_external,
    return_to_proposer,
)
from workflow.commands.notifications import mark_all_read, mark_read
from workflow.commands.reading import record_reading
from workflow.commands.receiving import (
    StoredFile,
    acknowledge,
    reject,
    remove_report_attachment,
    submit_report,
)
from workflow.commands.returns import confirm_return, redirect_return, resend_return
from workflow.commands.signoff import amend, pass_review, return_for_revision, sign
from workflow.commands.tracking import (
    accept_report,
    close,
    close_if_complete,
    outstanding_units,
    remind,
    return_report,
    set_remind_interval,
)
from workflow.commands.units import create_group, create_unit, update_group_members, update_unit

__all__ = [
    "create_unit", "create_group", "create_user", "grant_role", "set_password",
    "update_unit", "update_group_members", "deactivate_user", "reactivate_user", "revoke_role",
    "set_login_policy", "set_email", "install", "log_in", "log_out", "change_password", "generate_password",
    "pass_second_factor", "confirm_enrolment", "reset_password", "reset_second_factor",
    "create_draft", "update_draft", "submit", "withdraw", "cancel",
    "add_attachment", "remove_attachment",
    "pass_review", "return_for_revision", "sign", "amend",
    "redirect_return", "resend_return", "confirm_return",
    "issue", "open_series", "void_number", "expand_recipients",
    "acknowledge", "reject", "submit_report", "remove_report_attachment", "StoredFile",
    "accept_report", "return_report", "close", "remind", "close_if_complete", "outstanding_units",
    "set_remind_interval",
    "archive", "revoke", "abolish",
    "set_calendar_day", "remove_calendar_day", "set_deadline_policy",
    "mark_read", "mark_all_read",
    "register_external", "propose", "instruct", "return_to_proposer", "finish",
    "archive_incoming", "forward", "circulate", "mark_read_copy", "recall", "waive", "remind_readers",
    "record_reading", "keep_typed", "drop_typed",
]
