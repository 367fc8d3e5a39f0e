"""The notice page's timeline names the unit a supervisor's step was about: whose report was
accepted or returned, which units a 催办 went to (issue 15)."""

from __future__ import annotations

import re

import pytest

from tests.factories import at
from tests.webui.receiving_fixtures import (
    district,
    people,  # noqa: F401  (a fixture)
    report_of,
    text,
)
from webui.extensions import db
from workflow import commands as c
from workflow.models import User

pytestmark = pytest.mark.usefixtures("people")


def _user(name: str) -> User:
    return db.session.query(User).filter_by(username=name).one()


def _entries(html: str) -> list[str]:
    """Each timeline entry's head as plain words."""
    heads = re.findall(r'<p class="timeline-head">(.*?)</p>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", head)).strip() for head in heads]


def test_accepting_returning_and_reminding_name_the_unit_in_the_timeline(app, world, client,
                                                                          log_in):
    report = report_of(app, world.issued_id, district(1))
    with app.app_context():
        s = db.session
        receiver, supervisor = _user("receiver1"), _user("supervisor")
        c.submit_report(s, receiver, report_id=report.id, text="初稿", now=at(2))
        c.return_report(s, supervisor, report_id=report.id, reason="缺数据", now=at(3))
        c.submit_report(s, receiver, report_id=report.id, text="定稿", now=at(4))
        c.accept_report(s, supervisor, report_id=report.id, now=at(5))
        second = _user("receiver2").unit_id
        c.remind(s, supervisor, notice_id=world.issued_id, unit_ids=[second], now=at(6))
        s.commit()
    log_in("supervisor")
    entries = _entries(text(client.get(f"/notices/{world.issued_id}")))
    assert any("退回修改" in e and "（示范市第1区妇联·调研报告）" in e for e in entries), entries
    assert any("采纳" in e and "（示范市第1区妇联·调研报告）" in e for e in entries), entries
    assert any("催办" in e and "（示范市第2区妇联）" in e for e in entries), entries
