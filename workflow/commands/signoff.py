"""Review and sign-off desk commands: pass review, return with a reason, sign, amend after sign-off.

Must not: commit. 成文日期 is set here from `now` (the sign-off day), never typed in.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from workflow.commands._advance import _advance
from workflow.commands.drafting import apply_fields
from workflow.commands.savepoint import command
from workflow.db import as_utc
from workflow.deadlines import local_date
from workflow.digests import notice_digest
from workflow.errors import InvalidInput
from workflow.inputs import clean_text
from workflow.loading import get_actor, get_or_404
from workflow.models import Notice, User
from workflow.notifications import notify, tell_role
from workflow.states import NoticeAction, Role


def _notice(session: Session, notice_id: int) -> Notice:
    return get_or_404(session, Notice, notice_id, lock=True, label="公文")


@command
def pass_review(session: Session, actor: User, *, notice_id: int, opinion: str | None = None,
                expected_version: int | None = None, now: dt.datetime | None = None) -> Notice:
    """The office's reviewer finds the draft fit and passes it to sign-off (核稿通过)."""
    now, actor = as_utc(now), get_actor(session, actor)
    notice = _notice(session, notice_id)
    _advance(session, actor, notice, NoticeAction.PASS_REVIEW, now=now, note=opinion,
             expected_version=expected_version, on_behalf_of=notice.issuer.name)
    tell_role(session, Role.SIGNATORY, [notice.issuer_unit_id], notice_id=notice.id, kind="task",
              message=f"待签发：{notice.title}", now=now, actor=actor)
    return notice


@command
def return_for_revision(session: Session, actor: User, *, notice_id: int, reason: str,
                        expected_version: int | None = None,
                        now: dt.datetime | None = None) -> Notice:
    """Send a draft back to its drafter with the reason (退回修改)."""
    now, actor = as_utc(now), get_actor(session, actor)
    notice = _notice(session, notice_id)
    _advance(session, actor, notice, NoticeAction.RETURN, now=now, note=reason,
             expected_version=expected_version, on_behalf_of=notice.issuer.name)
    notify(session, [notice.drafter_id], actor=actor, notice_id=notice.id, kind="returned",
           message=f"稿件被退回：{notice.title}。理由：{clean_text(reason)}", now=now)
    return notice


@command
def sign(session: Session, actor: User, *, notice_id: int, opinion: str,
         expected_version: int | None = None, now: dt.datetime | None = None) -> Notice:
    """The signatory signs off with an opinion; that day becomes the 成文日期."""
    now, actor = as_utc(now), get_actor(session, actor)
    opinion = clean_text(opinion)
    if not opinion:
        raise InvalidInput("签发意见不能为空（如“同意印发”）")
    notice = _notice(session, notice_id)

    def record(n: Notice) -> None:
        n.signatory_id, n.sign_opinion = actor.id, opinion
        n.signed_at, n.signed_on = now, local_date(now)

    _advance(session, actor, notice, NoticeAction.SIGN, now=now, note=opinion, apply=record,
             expected_version=expected_version, on_behalf_of=notice.issuer.name,
             digest=notice_digest)
    tell_role(session, Role.CLERK, [notice.issuer_unit_id], notice_id=notice.id, kind="task",
              message=f"待登记印发：{notice.title}", now=now, actor=actor)
    return notice


@command
def amend(session: Session, actor: User, *, notice_id: int, reason: str,
          expected_version: int | None = None, now: dt.datetime | None = None,
          **fields) -> Notice:
    """A substantive edit after sign-off: the notice goes back to its signatory (复核)."""
    now, actor = as_utc(now), get_actor(session, actor)
    notice = _notice(session, notice_id)
    if not fields:
        raise InvalidInput("签发后修改必须有实际修改的内容")
    previous_signatory = notice.signatory_id
    changed: list[str] = []

    def edit(n: Notice) -> None:
        changed.extend(apply_fields(session, n, fields))
        if not changed:
            raise InvalidInput("没有修改任何内容")
        # The sign-off no longer covers the text: it must be signed again.
        n.signatory_id = n.sign_opinion = n.signed_at = n.signed_on = None

    _advance(session, actor, notice, NoticeAction.AMEND, now=now, note=reason, apply=edit,
             expected_version=expected_version, on_behalf_of=notice.issuer.name,
             details={"changed": changed})
    if previous_signatory is not None:
        notify(session, [previous_signatory], notice_id=notice.id, kind="task",
               message=f"签发后有实质修改，请复核：{notice.title}", now=now, actor=actor)
    return notice
