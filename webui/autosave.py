"""Which forms keep what is typed into them, and how a refused or too-late post keeps it too.

Owns: the table from a request's endpoint to the form it fills — its autosave key and the page it
is on — asking the desk's own query first, so that a form the person may not open is never kept
(another unit's report, a colleague's draft); `keep_posted`, which keeps the fields of a post that
is about to be refused (the idle logout, an engine refusal), so that the form page shows them
again; `typed` and `formdata`, with which a form page restores the person's kept input; and which
endpoints are called by the page's script in the background (they answer JSON, never a page or a
flash). The keeping itself is the engine's (`workflow.commands.autosave`).
Must not: decide anything about the notice or the report, or keep a file (only text fields).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from webui import clock
from webui.extensions import db
from webui.forms.fields import id_argument
from workflow import commands
from workflow.db import write_late
from workflow.errors import NotFound, WorkflowError
from workflow.queries import autosave as autosave_queries
from workflow.queries import drafting as drafting_queries
from workflow.queries import incoming as incoming_queries
from workflow.queries import receiving as receiving_queries

# Fields never kept: the CSRF token belongs to the session, the buttons to one press.
NOT_KEPT = frozenset({"csrf_token", "read", "discard"})


@dataclass(frozen=True)
class TypedForm:
    key: str  # the autosave's form key
    url: str  # the page the form is on (GET)


def _new_draft(actor, _args) -> TypedForm:
    unit = request.args.get("unit", type=id_argument)
    if unit is None and "unit" in request.args:  # named, but no unit could have that id
        raise NotFound("找不到该单位")
    page = drafting_queries.new_draft(db.session, actor, unit)
    return TypedForm(f"draft:new:{page.issuer.id}", url_for("drafting.new", unit=page.issuer.id))


def _draft(actor, args) -> TypedForm:
    notice_id = args["notice_id"]
    drafting_queries.draft_for_editing(db.session, actor, notice_id)
    return TypedForm(f"draft:{notice_id}", url_for("drafting.edit", notice_id=notice_id))


def _amend(actor, args) -> TypedForm:
    notice_id = args["notice_id"]
    drafting_queries.notice_to_amend(db.session, actor, notice_id)
    return TypedForm(f"amend:{notice_id}", url_for("drafting.amend", notice_id=notice_id))


def _report(actor, args) -> TypedForm:
    report_id = args["report_id"]
    receiving_queries.report_for_unit(db.session, actor, report_id, now=clock.now())
    return TypedForm(f"report:{report_id}", url_for("receiving.report", report_id=report_id))


def _register(actor, _args) -> TypedForm:
    if not incoming_queries.registering_units(db.session, actor):
        raise LookupError("no unit to register for")
    return TypedForm("incoming:register", url_for("incoming.register"))


# endpoint → the form it posts. The form's own post and its background autosave share a form.
FORMS: dict[str, Callable] = {
    "drafting.new": _new_draft, "autosave.draft_new": _new_draft,
    "drafting.edit": _draft, "autosave.draft": _draft,
    "drafting.amend": _amend, "autosave.amend": _amend,
    "receiving.report": _report, "autosave.report": _report,
    "incoming.register": _register,
}
BACKGROUND = frozenset({"autosave.draft_new", "autosave.draft", "autosave.amend", "autosave.report",
                        "auth.keep_alive"})


def is_background() -> bool:
    """Is this request the page's script (autosave, keep-alive), not the person's navigation?"""
    return request.endpoint in BACKGROUND


def form_of_request(actor=None) -> TypedForm | None:
    """The form this request posts to, if it is one that keeps typed input and `actor` (by
    default the person logged in) may open it; else None. Refusals of the desk's query
    (WorkflowError) propagate."""
    resolve = FORMS.get(request.endpoint or "")
    if resolve is None:
        return None
    return resolve(actor or current_user.account, request.view_args or {})


def posted_fields() -> dict[str, list[str]]:
    """The text fields of the post, every value of each (files are not kept)."""
    return {name: request.form.getlist(name) for name in request.form if name not in NOT_KEPT}


def keep_posted(actor) -> TypedForm | None:
    """Keep the fields of a post that will not be carried out (the session has ended, or the
    engine refused it) as `actor`'s autosave of its form, in a transaction of its own; returns
    the form (None: not a form that keeps input, or one the actor may not open). A post whose
    fields cannot be kept (a control character, too long) leaves the last autosave as it was."""
    db.session.rollback()
    write_late(db.session())
    try:
        form = form_of_request(actor)
    except (WorkflowError, LookupError):
        db.session.rollback()
        return None
    if form is None:
        return None
    try:
        commands.keep_typed(db.session, actor, key=form.key, fields=posted_fields(),
                            now=clock.now())
        db.session.commit()
    except WorkflowError:
        db.session.rollback()
    return form


def typed(key: str):
    """The person's kept input of form `key` (workflow.queries.autosave.Typed), or None."""
    return autosave_queries.typed_work(db.session, current_user.account, key)


def formdata(kept) -> MultiDict:
    """Kept input as the form data a form is built from, as if it had just been posted — but the
    version of the row, which the page gives as it is now (the person saves over what they see)."""
    return MultiDict([(name, value) for name, values in kept.fields.items() for value in values
                      if name != "expected_version"])


def drop(key: str) -> None:
    """Forget the person's kept input of `key`: the form has really been saved (in the save's
    transaction: a save that does not commit keeps it)."""
    commands.drop_typed(db.session, current_user.account, key=key)
