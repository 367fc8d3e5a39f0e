"""The 拟稿 desk through the browser's eyes: my drafts, the draft form with every element of a
notice, save, submit, withdraw, cancel, attachments, and the change after sign-off (签发后修改)."""

from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from tests import archives
from tests.webui import outgoing_fixtures
from tests.webui.conftest import csrf_token
from tests.webui.outgoing_fixtures import (
    flashes,
    notice_row,
    post_form,
    text,
    trail_actions,
)
from webui.extensions import db
from workflow.models import Autosave, Notice
from workflow.states import NoticeState, RecipientKind, Urgency

desks = outgoing_fixtures.desks


def _count_notices(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notice))


def _draft_fields(desks, **extra) -> dict:
    fields = {
        "kind": "通知", "title": "关于开展巾帼志愿服务的通知", "urgency": "URGENT",
        "secrecy": "无", "direction": "DOWNWARD", "series_code": "",
        "main_group_ids": str(desks.group_id), "cc_unit_ids": str(desks.cc_unit_id),
        "body": "请各区妇联组织开展巾帼志愿服务活动。\n活动情况请及时报送。",
        "report_requests-0-what": "活动总结", "report_requests-0-due_date": "2099-06-30",
        "report_requests-0-to_whom": "市妇联宣传部",
        "report_requests-0-from_group_ids": str(desks.group_id),
        "report_requests-1-what": "", "report_requests-1-due_date": "",
        "report_requests-1-to_whom": "",
    }
    fields.update(extra)
    return fields


# ------------------------------------------------------------------------------------------------
# The desk.


def test_the_desk_lists_my_drafts_returned_ones_with_the_reason_and_submitted_ones(
        client, log_in, desks):
    log_in("drafter")
    html = text(client.get("/drafting/"))
    for title in ("关于草拟中的通知", "关于被退回的通知", "关于核稿中的通知", "关于待签发的通知",
                  "关于已签发的通知"):
        assert title in html
    assert "请补充数据来源" in html and "退回理由" in html
    assert "关于已印发的通知" not in html  # issued: off the drafting desk
    assert "同事的草稿" not in html and "他市的核稿中稿件" not in html


def test_a_submitted_draft_offers_withdraw_only_while_nobody_has_acted(client, log_in, desks):
    log_in("drafter")
    html = text(client.get("/drafting/"))
    assert f'action="/drafting/{desks.in_review}/withdraw"' in html
    assert f'action="/drafting/{desks.awaiting}/withdraw"' not in html  # the reviewer passed it
    assert f'href="/drafting/{desks.signed}/amend"' in html


def test_someone_without_the_drafter_role_may_not_open_the_drafting_desk(client, log_in, desks):
    log_in("reviewer")
    assert client.get("/drafting/").status_code == 403
    assert client.get("/drafting/new").status_code == 403


def test_the_drafting_desk_asks_a_visitor_to_log_in(client, desks):
    response = client.get("/drafting/")
    assert response.status_code == 302 and "/login" in response.location


# ------------------------------------------------------------------------------------------------
# A new draft.


def test_the_new_draft_form_offers_the_issuers_groups_and_the_units_of_its_own_federation_only(
        client, log_in, desks):
    log_in("drafter")
    html = text(client.get("/drafting/new"))
    assert "各区妇联（3个单位）" in html
    assert f'name="main_group_ids" value="{desks.group_id}"' in html
    assert f'name="cc_unit_ids" value="{desks.cc_unit_id}"' in html
    assert "示范市第1区妇联" in html and "示范省妇女联合会" in html
    assert "他市妇女联合会" not in html  # another federation's root
    for label in ("文种", "标题", "紧急程度", "密级", "正文", "报送要求", "附件"):
        assert label in html
    assert html.count('name="report_requests-') >= 3 * 3  # three blank rows
    for level in ("秘密", "机密", "绝密"):
        assert f'<option value="{level}">' in html


def test_a_new_draft_is_saved_with_every_element_and_its_attachments(client, log_in, app, desks):
    log_in("drafter")
    data = _draft_fields(desks)
    data["files"] = [(io.BytesIO(b"%PDF-1.4 plan"), "活动方案.pdf"),
                     (io.BytesIO(b"name,count\n"), "统计表.csv")]
    response = post_form(client, "/drafting/new", "/drafting/new", data, version=False)
    assert response.status_code == 303
    notice_id = int(response.location.rstrip("/").rsplit("/", 1)[-1])
    n = notice_row(app, notice_id)
    assert n.state == NoticeState.DRAFT and n.title == "关于开展巾帼志愿服务的通知"
    assert n.urgency == Urgency.URGENT and n.kind == "通知"
    assert n.body.startswith("请各区妇联") and "及时报送" in n.body
    assert [(a.kind, a.group_id, a.unit_id) for a in n.addressees] == [
        (RecipientKind.MAIN, desks.group_id, None), (RecipientKind.CC, None, desks.cc_unit_id)]
    [request] = n.report_requests
    assert (request.what, request.due_date.isoformat(), request.to_whom) == (
        "活动总结", "2099-06-30", "市妇联宣传部")
    assert [p.group_id for p in request.parties] == [desks.group_id]
    assert sorted(a.filename for a in n.attachments) == ["活动方案.pdf", "统计表.csv"]
    assert trail_actions(app, notice_id).count("notice.ADD_ATTACHMENT") == 2
    assert "草稿已保存" in text(client.get(response.location))


def test_a_classified_draft_meets_the_engines_refusal_and_nothing_is_saved(
        client, log_in, app, desks):
    log_in("drafter")
    before = _count_notices(app)
    response = post_form(client, "/drafting/new", "/drafting/new",
                         _draft_fields(desks, secrecy="机密"), version=False)
    assert response.status_code == 303 and response.location.endswith("/drafting/new")
    assert any("涉密不上网" in m for m in flashes(client))
    assert _count_notices(app) == before


def test_a_draft_without_a_title_comes_back_with_the_chinese_message_and_what_was_typed(
        client, log_in, app, desks):
    log_in("drafter")
    before = _count_notices(app)
    response = post_form(client, "/drafting/new", "/drafting/new",
                         _draft_fields(desks, title=" "), version=False)
    html = text(response)
    assert response.status_code == 200
    assert "请填写标题" in html
    assert "请各区妇联组织开展巾帼志愿服务活动。" in html and "活动总结" in html
    assert _count_notices(app) == before


def test_a_malformed_due_date_is_named_in_chinese(client, log_in, app, desks):
    log_in("drafter")
    response = post_form(client, "/drafting/new", "/drafting/new",
                         _draft_fields(desks, **{"report_requests-0-due_date": "四月底"}),
                         version=False)
    assert response.status_code == 200 and "截止日期格式应为" in text(response)


def test_a_report_request_without_its_content_is_refused_by_the_engine(client, log_in, app, desks):
    log_in("drafter")
    before = _count_notices(app)
    post_form(client, "/drafting/new", "/drafting/new",
              _draft_fields(desks, **{"report_requests-0-what": ""}), version=False)
    assert any("第1项报送要求缺少报送内容" in m for m in flashes(client))
    assert _count_notices(app) == before


def test_a_drafter_may_not_draft_in_the_name_of_a_unit_they_do_not_draft_for(
        client, log_in, desks):
    log_in("drafter")
    response = client.get("/drafting/new?unit=999")
    assert response.status_code == 403 and "不能以该单位名义拟稿" in text(response)


# ------------------------------------------------------------------------------------------------
# Editing a draft.


def test_the_drafter_edits_a_draft_and_the_change_is_kept(client, log_in, app, desks):
    log_in("drafter")
    page = f"/drafting/{desks.draft}"
    assert "关于草拟中的通知" in text(client.get(page))
    response = post_form(client, page, page, _draft_fields(
        desks, title="关于草拟中的通知（修改稿）", main_group_ids="",
        main_unit_ids=[str(desks.district_ids[0]), str(desks.district_ids[1])]))
    assert response.status_code == 303 and response.location.endswith(page)
    n = notice_row(app, desks.draft)
    assert n.title == "关于草拟中的通知（修改稿）"
    assert [a.unit_id for a in n.main_addressees] == list(desks.district_ids[:2])
    assert "notice.UPDATE" in trail_actions(app, desks.draft)


def test_a_returned_draft_shows_why_and_who_returned_it(client, log_in, desks):
    log_in("drafter")
    html = text(client.get(f"/drafting/{desks.returned}"))
    assert "已退回修改" in html and "请补充数据来源" in html and "reviewer" in html


def test_a_colleagues_draft_cannot_be_opened_for_editing(client, log_in, desks):
    log_in("drafter")
    response = client.get(f"/drafting/{desks.colleague_draft}")
    assert response.status_code == 403
    assert "同事的草稿" not in text(response)


def test_another_units_draft_is_not_found(client, log_in, desks):
    log_in("drafter")
    response = client.get(f"/drafting/{desks.other_in_review}")
    assert response.status_code == 404 and "他市" not in text(response)


def test_a_submitted_notice_is_no_longer_editable_as_a_draft(client, log_in, desks):
    log_in("drafter")
    response = client.get(f"/drafting/{desks.in_review}")
    # Shown read-only, as submitted: no edit form, and no conflict page.
    assert response.status_code == 200 and "以下是提交的内容（只读）" in text(response)
    assert 'id="draft-form"' not in text(response)


def test_saving_a_page_someone_changed_meanwhile_is_refused_as_already_handled(
        client, log_in, app, desks):
    log_in("drafter")
    page = f"/drafting/{desks.draft}"
    html = text(client.get(page))
    stale = html[html.index('name="expected_version"'):][:80]
    post_form(client, page, page, _draft_fields(desks, title="第一次保存"))  # moves the version
    old_version = stale.split('value="')[1].split('"')[0]
    response = post_form(client, page, page, _draft_fields(
        desks, title="过时页面的保存", expected_version=old_version))
    assert response.status_code == 303
    assert any(m.startswith("drafter已于") and "修改了该公文" in m for m in flashes(client))
    assert notice_row(app, desks.draft).title == "第一次保存"


# ------------------------------------------------------------------------------------------------
# Submit, withdraw, cancel.


def test_the_drafter_submits_a_draft_to_review(client, log_in, app, desks):
    log_in("drafter")
    page = f"/drafting/{desks.draft}"
    assert f'action="/drafting/{desks.draft}/submit"' in text(client.get(page))
    response = post_form(client, page, f"/drafting/{desks.draft}/submit")
    assert response.status_code == 303 and response.location.endswith("/drafting/")
    assert notice_row(app, desks.draft).state == NoticeState.IN_REVIEW
    assert any("已提交" in m and "核稿中" in m for m in flashes(client))


def test_a_draft_without_a_main_recipient_is_not_submitted(client, log_in, app, desks):
    log_in("drafter")
    page = f"/drafting/{desks.draft}"
    post_form(client, page, page, _draft_fields(desks, main_group_ids=""))
    assert f'action="/drafting/{desks.draft}/submit"' not in text(client.get(page))
    post_form(client, page, f"/drafting/{desks.draft}/submit")
    assert any("主送机关不能为空" in m for m in flashes(client))
    assert notice_row(app, desks.draft).state == NoticeState.DRAFT


def test_the_drafter_withdraws_a_draft_nobody_has_acted_on(client, log_in, app, desks):
    log_in("drafter")
    response = post_form(client, "/drafting/", f"/drafting/{desks.in_review}/withdraw",
                         {"expected_version": notice_row(app, desks.in_review).version})
    assert response.status_code == 303
    assert notice_row(app, desks.in_review).state == NoticeState.DRAFT


def test_a_draft_the_reviewer_passed_cannot_be_withdrawn(client, log_in, app, desks):
    log_in("drafter")
    post_form(client, "/drafting/", f"/drafting/{desks.awaiting}/withdraw",
              {"expected_version": notice_row(app, desks.awaiting).version})
    assert any("已有人处理该公文，不能撤回" in m for m in flashes(client))
    assert notice_row(app, desks.awaiting).state == NoticeState.AWAITING_SIGNOFF


def test_the_drafter_cancels_a_draft(client, log_in, app, desks):
    log_in("drafter")
    page = f"/drafting/{desks.draft}"
    response = post_form(client, page, f"/drafting/{desks.draft}/cancel", {"reason": "活动取消"})
    assert response.status_code == 303
    assert notice_row(app, desks.draft).state == NoticeState.CANCELLED


def test_a_colleague_may_not_submit_my_draft(client, log_in, app, desks):
    log_in("drafter2")
    response = post_form(client, "/drafting/", f"/drafting/{desks.draft}/submit",
                         {"expected_version": notice_row(app, desks.draft).version})
    assert response.status_code == 403
    assert notice_row(app, desks.draft).state == NoticeState.DRAFT


def test_an_action_form_without_its_version_is_turned_back(client, log_in, app, desks):
    log_in("drafter")
    post_form(client, "/drafting/", f"/drafting/{desks.draft}/submit", version=False)
    assert any("缺少版本信息" in m for m in flashes(client))
    assert notice_row(app, desks.draft).state == NoticeState.DRAFT


# ------------------------------------------------------------------------------------------------
# Attachments.


def _attach(client, desks, name="方案.docx", content=None):
    page = f"/drafting/{desks.draft}"
    data = _draft_fields(desks, title="关于草拟中的通知")
    data["files"] = [(io.BytesIO(archives.word_docx() if content is None else content), name)]
    return post_form(client, page, page, data)


def test_an_attachment_is_removed_from_the_draft(client, log_in, app, desks):
    log_in("drafter")
    _attach(client, desks)
    [attachment] = notice_row(app, desks.draft).attachments
    page = f"/drafting/{desks.draft}"
    action = f"/drafting/{desks.draft}/attachments/{attachment.id}/remove"
    assert f'action="{action}"' in text(client.get(page))
    response = post_form(client, page, action)
    assert response.status_code == 303
    assert notice_row(app, desks.draft).attachments == []
    assert "notice.REMOVE_ATTACHMENT" in trail_actions(app, desks.draft)


def test_an_empty_file_is_refused_and_the_draft_is_not_changed(client, log_in, app, desks):
    log_in("drafter")
    _attach(client, desks, name="空.txt", content=b"")
    assert any("是空文件" in m for m in flashes(client))
    assert notice_row(app, desks.draft).attachments == []


def test_a_colleague_may_not_remove_my_attachment(client, log_in, app, desks):
    log_in("drafter")
    _attach(client, desks)
    [attachment] = notice_row(app, desks.draft).attachments
    colleague = log_in("drafter2", on=app.test_client())
    response = post_form(colleague, "/drafting/",
                         f"/drafting/{desks.draft}/attachments/{attachment.id}/remove",
                         {"expected_version": notice_row(app, desks.draft).version})
    assert response.status_code == 403
    assert len(notice_row(app, desks.draft).attachments) == 1


# ------------------------------------------------------------------------------------------------
# 签发后修改.


def test_the_drafter_amends_a_signed_notice_and_it_goes_back_to_the_signatory(
        client, log_in, app, desks):
    log_in("drafter")
    page = f"/drafting/{desks.signed}/amend"
    html = text(client.get(page))
    assert "签发后修改" in html and "关于已签发的通知" in html
    response = post_form(client, page, page, _draft_fields(
        desks, title="关于已签发的通知（更正）", reason="更正活动日期",
        **{"report_requests-0-due_date": "2099-12-31"}))
    assert response.status_code == 303
    assert response.location.endswith(f"/notices/{desks.signed}")
    n = notice_row(app, desks.signed)
    assert n.state == NoticeState.AWAITING_SIGNOFF and n.title == "关于已签发的通知（更正）"
    assert n.signatory_id is None


def test_an_amendment_without_a_reason_is_shown_again(client, log_in, app, desks):
    log_in("drafter")
    page = f"/drafting/{desks.signed}/amend"
    response = post_form(client, page, page, _draft_fields(desks, reason=""))
    assert response.status_code == 200 and "请说明签发后修改的理由" in text(response)
    assert notice_row(app, desks.signed).state == NoticeState.SIGNED


def _kept_amendments(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(row.form_key, json.loads(row.fields)["reason"][0])
                for row in db.session.scalars(select(Autosave))]


def _keep_amendment(client, desks, **fields):
    page = f"/drafting/{desks.signed}/amend"
    return client.post(f"/autosave/amend/{desks.signed}",
                       data={"csrf_token": csrf_token(client, page), **fields},
                       headers={"Accept": "application/json"})


def test_an_amendment_typed_and_left_comes_back_on_its_page_until_it_is_submitted(
        client, log_in, app, desks):
    log_in("drafter")
    page = f"/drafting/{desks.signed}/amend"
    response = _keep_amendment(client, desks, reason="活动日期写错了",
                               title="关于已签发的通知（更正稿）")
    assert response.status_code == 200 and response.json == {"key": f"amend:{desks.signed}"}
    html = text(client.get(page))
    assert "活动日期写错了" in html and 'value="关于已签发的通知（更正稿）"' in html
    assert "自动保存、尚未提交的内容，请核对后提交。" in html
    response = post_form(client, page, page, _draft_fields(
        desks, title="关于已签发的通知（更正稿）", reason="活动日期写错了",
        **{"report_requests-0-due_date": "2099-12-31"}))
    assert response.status_code == 303
    assert _kept_amendments(app) == []
    assert "活动日期写错了" not in text(client.get(f"/drafting/{desks.signed}/amend"))


def test_an_amendment_is_kept_for_nobody_outside_the_units_drafters_and_clerks(
        client, log_in, app, desks):
    log_in("other_clerk")
    assert _keep_amendment(client, desks, reason="别的单位").status_code == 404
    reviewer = log_in("reviewer", on=app.test_client())
    assert _keep_amendment(reviewer, desks, reason="核稿人").status_code == 403
    clerk = log_in("clerk", on=app.test_client())
    assert _keep_amendment(clerk, desks, reason="本单位文书").status_code == 200
    assert _kept_amendments(app) == [(f"amend:{desks.signed}", "本单位文书")]


def test_a_clerk_of_the_unit_may_amend_but_a_reviewer_may_not(client, log_in, app, desks):
    log_in("clerk")
    assert client.get(f"/drafting/{desks.signed}/amend").status_code == 200
    reviewer = log_in("reviewer", on=app.test_client())
    assert reviewer.get(f"/drafting/{desks.signed}/amend").status_code == 403


def test_only_a_signed_notice_can_be_amended(client, log_in, desks):
    log_in("drafter")
    response = client.get(f"/drafting/{desks.draft}/amend")
    assert response.status_code == 409 and "只有已签发" in text(response)


def test_another_units_clerk_cannot_open_an_amendment(client, log_in, desks):
    log_in("other_clerk")
    assert client.get(f"/drafting/{desks.signed}/amend").status_code == 404


def test_a_draft_posted_without_its_version_is_not_saved(client, log_in, app, desks):
    log_in("drafter")
    page = f"/drafting/{desks.draft}"
    response = post_form(client, page, page, _draft_fields(desks, title="无版本的保存"),
                         version=False)
    assert response.status_code == 200 and "缺少版本信息" in text(response)
    assert notice_row(app, desks.draft).title == "关于草拟中的通知"


def test_a_refused_draft_says_the_title_error_as_an_alert_beside_the_title(
        client, log_in, app, desks):
    log_in("drafter")
    response = post_form(client, "/drafting/new", "/drafting/new",
                         _draft_fields(desks, title=" "), version=False)
    html = response.get_data(as_text=True)
    assert '<p class="field-error" role="alert">请填写标题</p>' in html
    assert html.index('name="title"') < html.index("请填写标题") < html.index('name="body"')
    assert "请按提示修改后再保存。" in html
