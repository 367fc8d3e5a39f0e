"""The audit page reads in Chinese for a history like the demo's: every transition of every
lifecycle (公文, 收文 copies, 报告, a unit's 收文 and its 传阅) shows its action and its states by
their Chinese labels, never as the stored `incoming.PROPOSE` or `REGISTERED`."""

from __future__ import annotations

import re

from tests.factories import at
from tests.webui.admin_fixtures import give_passwords, text
from webui.extensions import db
from workflow import audit
from workflow.lifecycle import CIRCULATION, INCOMING, NOTICE, RECEIPT, REPORT

LIFECYCLES = (NOTICE, RECEIPT, REPORT, INCOMING, CIRCULATION)
STORED_ACTION = re.compile(r"\b[a-z_]+\.[A-Z][A-Z_]+\b")
STORED_STATE = re.compile(r"\b[A-Z][A-Z_]{2,}\b")


def _history(app) -> int:
    """One audit entry per rule of every lifecycle, as the engine writes them; how many."""
    with app.app_context():
        count = 0
        for lc in LIFECYCLES:
            for rule in lc.rules:
                audit.append(db.session, actor=None, action=f"{lc.name}.{rule.action.name}",
                             object_type=lc.name, object_id=None, at=at(1),
                             state_before=rule.source.name, state_after=rule.dest.name)
                count += 1
        for action in ("incoming.REGISTER", "circulation.SEND", "circulation.REMIND"):
            audit.append(db.session, actor=None, action=action, object_type="incoming",
                         object_id=None, at=at(1))
            count += 1
        db.session.commit()
    return count


def _table(html: str) -> str:
    return html[html.index('<table class="table table-stack audit">'):html.index("</table>")]


def test_the_audit_page_shows_no_stored_action_or_state_name(app, world, log_in, client):
    give_passwords(app, "auditor")
    written = _history(app)
    log_in("auditor")
    tables, page = [], 1
    while True:
        html = text(client.get(f"/admin/audit?page={page}"))
        tables.append(_table(html))
        if 'rel="next"' not in html:
            break
        page += 1
    shown = "".join(tables)
    assert shown.count("<tr>") - len(tables) >= written  # every entry's row, beside the heads
    assert STORED_ACTION.findall(shown) == []
    assert STORED_STATE.findall(shown) == []
    assert "拟办" in shown and "待拟办 → 待批办" in shown  # a 收文's 拟办, in Chinese
    assert "已阅" in shown and "待阅 → 已阅" in shown  # a reader's 传阅 copy, in Chinese
