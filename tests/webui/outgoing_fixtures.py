"""Fixtures of the outgoing desks (拟稿, 核稿签发, 登记印发): the factories' world with a notice in
every state those desks handle, a second federation to be "another unit", and every person with a
password; plus a client helper that posts a page's form the way a browser does (its CSRF token,
the version the page showed, the page as the Referer).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from tests.factories import at, build_world, notice_in
from tests.webui.conftest import give_password
from webui.extensions import db
from workflow import commands as c
from workflow.models import AuditEntry, Notice, User
from workflow.states import NoticeState, Role

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="expected_version"[^>]*value="(\d+)"')
FLASH = re.compile(r'class="flash[^"]*"[^>]*>(.*?)</p>', re.S)
FAR = dt.date(2099, 12, 31)  # a due date no issue day passes (the web issues "now")


@dataclass(frozen=True)
class Desks:
    """Ids and titles of the notices the tests act on (the ORM rows are gone)."""

    draft: int
    returned: int
    in_review: int
    awaiting: int
    signed: int
    issued: int
    closed: int
    colleague_draft: int
    other_in_review: int
    other_signed: int
    issuer_id: int
    group_id: int
    district_ids: tuple[int, ...]
    cc_unit_id: int


def text(response) -> str:
    return response.get_data(as_text=True)


def flashes(client) -> list[str]:
    """The messages flashed to the next page (read from the page that shows them)."""
    return FLASH.findall(text(client.get("/notices/")))


def post_form(client, page: str, action: str, data: dict | None = None, *, version=True):
    """Post to `action` as the form on `page` would: CSRF token, expected version, Referer."""
    html = text(client.get(page))
    match = CSRF.search(html)
    assert match, f"no CSRF token on {page}"
    values = {"csrf_token": match.group(1)}
    if version and "expected_version" not in (data or {}):
        found = VERSION.search(html)
        assert found, f"no expected_version on {page}"
        values["expected_version"] = found.group(1)
    values.update(data or {})
    return client.post(action, data=values, headers={"Referer": f"http://localhost{page}"})


def notice_row(app, notice_id: int) -> Notice:
    with app.app_context():
        notice = db.session.get(Notice, notice_id)
        db.session.refresh(notice)
        for name in ("addressees", "report_requests", "attachments"):
            getattr(notice, name)
        db.session.expunge_all()
        return notice


def trail_actions(app, notice_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.notice_id == notice_id).order_by(AuditEntry.seq)))


def _other_federation(session):
    """A second issuing unit with its own office and a draft of its own."""
    unit = c.create_unit(session, None, name="他市妇女联合会", short_name="他市妇联",
                         doc_code="他妇发", org_code="TSFL")
    branch = c.create_unit(session, None, name="他市第1区妇联", parent_id=unit.id)
    people = {}
    for username, role in (("other_drafter", Role.DRAFTER), ("other_reviewer", Role.REVIEWER),
                           ("other_signatory", Role.SIGNATORY), ("other_clerk", Role.CLERK)):
        user = c.create_user(session, None, username=username, display_name=username,
                             unit_id=unit.id)
        c.grant_role(session, None, user_id=user.id, role=role, unit_id=unit.id)
        people[username] = user
    session.flush()

    def made(title):
        return c.create_draft(session, people["other_drafter"], title=title, body="正文。",
                              main_unit_ids=[branch.id], now=at(0))

    in_review = made("他市的核稿中稿件")
    c.submit(session, people["other_drafter"], notice_id=in_review.id, now=at(0.1))
    signed = made("他市的已签发稿件")
    c.submit(session, people["other_drafter"], notice_id=signed.id, now=at(0.1))
    c.pass_review(session, people["other_reviewer"], notice_id=signed.id, now=at(0.2))
    c.sign(session, people["other_signatory"], notice_id=signed.id, opinion="同意",
           now=at(0.3))
    return in_review, signed


@pytest.fixture
def desks(app) -> Desks:
    with app.app_context():
        s = db.session
        w = build_world(s)
        far = [{"what": "调研报告", "due_date": FAR, "to_whom": "市妇联"}]
        draft = notice_in(w, NoticeState.DRAFT, title="关于草拟中的通知")
        returned = notice_in(w, NoticeState.IN_REVIEW, title="关于被退回的通知")
        c.return_for_revision(s, w.reviewer, notice_id=returned.id, reason="请补充数据来源",
                              now=at(0.5))
        in_review = notice_in(w, NoticeState.IN_REVIEW, title="关于核稿中的通知")
        awaiting = notice_in(w, NoticeState.AWAITING_SIGNOFF, title="关于待签发的通知",
                             requests=far)
        signed = notice_in(w, NoticeState.SIGNED, title="关于已签发的通知", requests=far)
        issued = notice_in(w, NoticeState.ISSUED, title="关于已印发的通知")
        closed = notice_in(w, NoticeState.CLOSED, title="关于已办结的通知")
        colleague = c.create_draft(s, w.drafter2, title="同事的草稿", body="正文。",
                                   main_group_ids=[w.group.id], now=at(0))
        other_in_review, other_signed = _other_federation(s)
        for user in s.scalars(select(User)):
            give_password(s, user.id)
        s.commit()
        return Desks(draft.id, returned.id, in_review.id, awaiting.id, signed.id, issued.id,
                     closed.id, colleague.id, other_in_review.id, other_signed.id, w.issuer.id,
                     w.group.id, tuple(u.id for u in w.districts), w.cc_unit.id)
