"""The 核稿签发 desk: what waits for review and signature, the 发文稿纸 with its earlier opinions,
the opinion box with 常用意见, and only the buttons the engine allows now."""

from __future__ import annotations

from tests.webui import outgoing_fixtures
from tests.webui.outgoing_fixtures import flashes, notice_row, post_form, text, trail_actions
from workflow.states import NoticeState

desks = outgoing_fixtures.desks


def _buttons(html: str) -> set[str]:
    return {label for label in ("核稿通过", "退回修改", "签发", "撤销", "废止")
            if f">{label}</button>" in html}


# ------------------------------------------------------------------------------------------------
# The desk.


def test_a_reviewer_sees_the_drafts_waiting_for_review_in_their_unit(client, log_in, desks):
    log_in("reviewer")
    html = text(client.get("/signoff/"))
    assert "待核稿" in html and "关于核稿中的通知" in html
    assert "关于待签发的通知" not in html  # waiting for the signatory, not for them
    assert "他市的核稿中稿件" not in html


def test_a_signatory_sees_what_waits_for_signature_and_what_they_may_revoke(
        client, log_in, desks):
    log_in("signatory")
    html = text(client.get("/signoff/"))
    assert "待签发" in html and "关于待签发的通知" in html
    assert "关于已印发的通知" in html and "关于已办结的通知" in html
    assert "关于核稿中的通知" not in html


def test_a_drafter_may_not_open_the_signoff_desk(client, log_in, desks):
    log_in("drafter")
    assert client.get("/signoff/").status_code == 403
    assert client.get(f"/signoff/{desks.in_review}").status_code == 403


# ------------------------------------------------------------------------------------------------
# The sheet.


def test_the_sheet_shows_every_field_the_drafter_and_the_steps_so_far(client, log_in, desks):
    log_in("reviewer")
    html = text(client.get(f"/signoff/{desks.in_review}"))
    assert "示范市妇女联合会发文稿纸" in html
    for expected in ("关于核稿中的通知", "通知", "普通", "各区妇联", "示范省妇女联合会",
                     "请各区妇联开展调研。", "调研报告", "2016年4月30日", "drafter"):
        assert expected in html, expected
    history = html[html.index("办理意见 <"):]
    assert "提交" in history and "2016-03-07" in history


def test_a_reviewer_gets_pass_and_return_but_no_sign_button(client, log_in, desks):
    log_in("reviewer")
    html = text(client.get(f"/signoff/{desks.in_review}"))
    assert _buttons(html) == {"核稿通过", "退回修改"}
    for opinion in ("同意印发", "同意", "请修改后再报", "请补充材料"):
        assert f'value="{opinion}"' in html


def test_a_signatory_gets_sign_and_return_on_a_draft_awaiting_signature(client, log_in, desks):
    log_in("signatory")
    assert _buttons(text(client.get(f"/signoff/{desks.awaiting}"))) == {"签发", "退回修改"}


def test_a_signatory_gets_revoke_and_abolish_on_an_issued_notice(client, log_in, desks):
    log_in("signatory")
    assert _buttons(text(client.get(f"/signoff/{desks.issued}"))) == {"撤销", "废止"}


def test_a_reviewer_gets_no_button_on_a_draft_that_is_not_theirs_to_act_on(
        client, log_in, desks):
    log_in("reviewer")
    assert _buttons(text(client.get(f"/signoff/{desks.awaiting}"))) == set()


def test_a_reviewer_of_another_unit_gets_404_for_the_sheet(client, log_in, desks):
    log_in("other_reviewer")
    response = client.get(f"/signoff/{desks.in_review}")
    assert response.status_code == 404 and "关于核稿中的通知" not in text(response)


def test_the_sheet_of_a_passed_draft_shows_the_reviewers_opinion_name_and_time(
        client, log_in, app, desks):
    log_in("reviewer")
    page = f"/signoff/{desks.in_review}"
    post_form(client, page, f"/signoff/{desks.in_review}/pass-review",
              {"opinion": "文字已核，请领导签发"})
    signatory = log_in("signatory", on=app.test_client())
    html = text(signatory.get(page))
    sheet = html[:html.index('id="decide-title"')]
    assert "文字已核，请领导签发" in sheet and "reviewer" in sheet and "（待签发）" in sheet


# ------------------------------------------------------------------------------------------------
# Acting.


def test_passing_review_with_a_frequent_opinion_sends_the_draft_to_the_signatory(
        client, log_in, app, desks):
    log_in("reviewer")
    page = f"/signoff/{desks.in_review}"
    response = post_form(client, page, f"/signoff/{desks.in_review}/pass-review",
                         {"frequent": "同意"})
    assert response.status_code == 303 and response.location.endswith("/signoff/")
    assert notice_row(app, desks.in_review).state == NoticeState.AWAITING_SIGNOFF
    assert any("核稿通过" in m for m in flashes(client))


def test_the_free_text_opinion_takes_precedence_over_the_frequent_one(client, log_in, app,
                                                                      desks):
    log_in("signatory")
    page = f"/signoff/{desks.awaiting}"
    post_form(client, page, f"/signoff/{desks.awaiting}/sign",
              {"frequent": "同意", "opinion": "同意印发，请抓紧落实"})
    n = notice_row(app, desks.awaiting)
    assert n.state == NoticeState.SIGNED and n.sign_opinion == "同意印发，请抓紧落实"


def test_signing_without_an_opinion_is_refused_with_the_engines_words(client, log_in, app, desks):
    log_in("signatory")
    page = f"/signoff/{desks.awaiting}"
    response = post_form(client, page, f"/signoff/{desks.awaiting}/sign", {"opinion": "  "})
    assert response.status_code == 303 and response.location.endswith(page)
    assert any("签发意见不能为空" in m for m in flashes(client))
    assert notice_row(app, desks.awaiting).state == NoticeState.AWAITING_SIGNOFF


def test_an_opinion_over_500_characters_is_refused_on_the_sheet_and_nothing_is_signed(
        client, log_in, app, desks):
    log_in("signatory")
    page = f"/signoff/{desks.awaiting}"
    response = post_form(client, page, f"/signoff/{desks.awaiting}/sign", {"opinion": "同" * 501})
    assert response.status_code == 303 and response.location.endswith(page)
    assert flashes(client) == ["意见最多500字"]
    assert notice_row(app, desks.awaiting).state == NoticeState.AWAITING_SIGNOFF


def test_returning_needs_a_reason_and_then_goes_back_to_the_drafter(client, log_in, app, desks):
    log_in("reviewer")
    page = f"/signoff/{desks.in_review}"
    post_form(client, page, f"/signoff/{desks.in_review}/return")
    assert any("退回修改必须说明理由" in m for m in flashes(client))
    assert notice_row(app, desks.in_review).state == NoticeState.IN_REVIEW
    post_form(client, page, f"/signoff/{desks.in_review}/return", {"frequent": "请补充材料"})
    assert notice_row(app, desks.in_review).state == NoticeState.DRAFT
    drafter = log_in("drafter", on=app.test_client())
    assert "请补充材料" in text(drafter.get("/drafting/"))


def test_signing_a_page_that_someone_changed_meanwhile_is_already_handled(
        client, log_in, app, desks):
    log_in("signatory")
    page = f"/signoff/{desks.awaiting}"
    stale = notice_row(app, desks.awaiting).version
    post_form(client, page, f"/signoff/{desks.awaiting}/return", {"opinion": "请修改后再报"})
    drafter = log_in("drafter", on=app.test_client())
    post_form(drafter, "/drafting/", f"/drafting/{desks.awaiting}/submit",
              {"expected_version": notice_row(app, desks.awaiting).version})
    reviewer = log_in("reviewer", on=app.test_client())
    post_form(reviewer, page, f"/signoff/{desks.awaiting}/pass-review", {"frequent": "同意"})
    post_form(client, page, f"/signoff/{desks.awaiting}/sign",
              {"frequent": "同意印发", "expected_version": stale})
    # Told what happened meanwhile: the reviewer passed the resubmitted draft.
    assert any(m.startswith("reviewer已于") and "核稿通过该公文" in m for m in flashes(client))
    assert notice_row(app, desks.awaiting).state == NoticeState.AWAITING_SIGNOFF


def test_a_reviewer_of_another_unit_may_not_pass_our_draft(client, log_in, app, desks):
    log_in("other_reviewer")
    response = post_form(client, "/signoff/", f"/signoff/{desks.in_review}/pass-review",
                         {"expected_version": notice_row(app, desks.in_review).version})
    assert response.status_code == 403
    assert notice_row(app, desks.in_review).state == NoticeState.IN_REVIEW


def test_a_reviewer_may_not_sign(client, log_in, app, desks):
    log_in("reviewer")
    response = post_form(client, "/signoff/", f"/signoff/{desks.awaiting}/sign",
                         {"expected_version": notice_row(app, desks.awaiting).version,
                          "frequent": "同意印发"})
    assert response.status_code == 403
    assert notice_row(app, desks.awaiting).state == NoticeState.AWAITING_SIGNOFF


def test_the_signatory_revokes_an_issued_notice_with_a_reason(client, log_in, app, desks):
    log_in("signatory")
    page = f"/signoff/{desks.issued}"
    post_form(client, page, f"/signoff/{desks.issued}/revoke")
    assert any("撤销必须说明理由" in m for m in flashes(client))
    assert notice_row(app, desks.issued).state == NoticeState.ISSUED
    asked = post_form(client, page, f"/signoff/{desks.issued}/revoke",
                      {"reason": "依据的政策已调整"})
    assert asked.status_code == 200 and "个单位的待办将作废" in text(asked)  # named first
    assert notice_row(app, desks.issued).state == NoticeState.ISSUED
    response = post_form(client, page, f"/signoff/{desks.issued}/revoke",
                         {"reason": "依据的政策已调整", "confirmed": "1"})
    assert response.location.endswith(f"/notices/{desks.issued}")
    n = notice_row(app, desks.issued)
    assert n.state == NoticeState.REVOKED and n.void_from_start


def test_the_signatory_abolishes_a_closed_notice(client, log_in, app, desks):
    log_in("signatory")
    page = f"/signoff/{desks.closed}"
    post_form(client, page, f"/signoff/{desks.closed}/abolish", {"reason": "已被新文件代替"})
    assert notice_row(app, desks.closed).state == NoticeState.CLOSED  # asked first
    post_form(client, page, f"/signoff/{desks.closed}/abolish",
              {"reason": "已被新文件代替", "confirmed": "1"})
    assert notice_row(app, desks.closed).state == NoticeState.ABOLISHED
    assert trail_actions(app, desks.closed)[-1] == "notice.ABOLISH"
