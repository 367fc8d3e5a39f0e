"""规范检查 on the pages: the drafting editor and the 发文稿纸 list errors and warnings with rule
and place; an error takes the 提交 button away and the engine refuses a submit posted anyway."""

from __future__ import annotations

from tests.factories import at
from tests.webui import outgoing_fixtures
from tests.webui.outgoing_fixtures import flashes, notice_row, post_form, text
from webui.extensions import db
from workflow import commands as c
from workflow.models import User
from workflow.states import NoticeState

desks = outgoing_fixtures.desks


def _fields(desks, **extra) -> dict:
    fields = {
        "kind": "通知", "title": "示范市妇联关于开展巾帼志愿服务的通知", "urgency": "NORMAL",
        "secrecy": "无", "direction": "DOWNWARD", "series_code": "",
        "main_group_ids": str(desks.group_id), "cc_unit_ids": str(desks.cc_unit_id),
        "body": "请各区妇联组织开展巾帼志愿服务活动。",
        "report_requests-0-what": "", "report_requests-0-due_date": "",
        "report_requests-0-to_whom": "",
    }
    fields.update(extra)
    return fields


def _panel(html: str) -> str:
    start = html.index('id="checks-title"')
    return html[start:html.index("</section>", start)]


def _user(username: str) -> User:
    return db.session.query(User).filter_by(username=username).one()


# ------------------------------------------------------------------------------------------------
# The editor.


def test_the_editor_shows_a_warning_with_its_rule_and_place_and_still_offers_submit(
        client, log_in, desks):
    log_in("drafter")
    html = text(client.get(f"/drafting/{desks.draft}"))
    panel = _panel(html)
    assert "规范检查" in panel and "0 个错误 · 1 个提示" in panel
    assert "标题" in panel and "条例第九条 标题" in panel and "示范市妇女联合会关于草拟中的通知" in panel
    assert f'action="/drafting/{desks.draft}/submit"' in html


def test_a_clean_draft_says_nothing_was_found(client, log_in, desks):
    log_in("drafter")
    page = f"/drafting/{desks.draft}"
    post_form(client, page, page, _fields(desks))
    assert "未发现不合规范之处" in _panel(text(client.get(page)))


def test_errors_take_the_submit_button_away_and_name_the_paragraph(client, log_in, app, desks):
    log_in("drafter")
    page = f"/drafting/{desks.draft}"
    post_form(client, page, page, _fields(
        desks, body="秘密★1年\n请于2016年04月30日前报送。"))
    html = text(client.get(page))
    panel = _panel(html)
    assert "1 个错误 · 1 个提示" in panel
    assert "正文 第1段" in panel and "秘密" in panel and "涉密不上网" in panel
    assert "正文 第2段" in panel and "2016年4月30日" in panel
    assert panel.index("fw-check-error") < panel.index("fw-check-warning")
    assert f'action="/drafting/{desks.draft}/submit"' not in html
    assert "规范检查发现错误" in html


def test_a_submit_posted_despite_errors_is_refused_with_the_message_and_nothing_changes(
        client, log_in, app, desks):
    log_in("drafter")
    page = f"/drafting/{desks.draft}"
    post_form(client, page, page, _fields(desks, body="长妇通字[2016]4号\n请各区妇联开展调研。"))
    response = post_form(client, page, f"/drafting/{desks.draft}/submit")
    assert response.status_code == 303
    assert any("规范检查发现错误" in m for m in flashes(client))
    assert notice_row(app, desks.draft).state == NoticeState.DRAFT


def test_another_units_draft_shows_no_findings(client, log_in, desks):
    log_in("drafter")
    response = client.get(f"/drafting/{desks.other_in_review}")
    assert response.status_code == 404 and "规范检查" not in text(response)


# ------------------------------------------------------------------------------------------------
# The approval sheet.


def test_the_sheet_shows_the_findings_to_the_reviewer(client, log_in, desks):
    log_in("reviewer")
    panel = _panel(text(client.get(f"/signoff/{desks.in_review}")))
    assert "0 个错误 · 1 个提示" in panel and "条例第九条 标题" in panel


def test_an_upward_notice_waiting_for_signature_warns_that_it_shows_its_signatory(
        client, log_in, app, desks):
    with app.app_context():
        drafter, reviewer = _user("drafter"), _user("reviewer")
        c.update_draft(db.session, drafter, notice_id=desks.draft, direction="UPWARD",
                       kind="报告", title="示范市妇联关于调研情况的报告",
                       main_group_ids=[], main_unit_ids=[desks.cc_unit_id], cc_unit_ids=[],
                       now=at(0.5))
        c.submit(db.session, drafter, notice_id=desks.draft, now=at(0.6))
        c.pass_review(db.session, reviewer, notice_id=desks.draft, now=at(0.7))
        db.session.commit()
    log_in("signatory")
    panel = _panel(text(client.get(f"/signoff/{desks.draft}")))
    assert "签发人" in panel and "条例第九条 签发人" in panel and "上行文" in panel


def test_another_units_sheet_is_not_found_and_shows_no_findings(client, log_in, desks):
    log_in("reviewer")
    response = client.get(f"/signoff/{desks.other_in_review}")
    assert response.status_code == 404 and "规范检查" not in text(response)
