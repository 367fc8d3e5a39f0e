"""规范检查: every rule with its level and place, the seeds and the factories' drafts free of
errors, and the lifecycle guard that lets errors (and only errors) stop 提交 and 送签."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.factories import HAN, at, draft, notice_in, refused
from workflow import checks, demo, permissions
from workflow import commands as c
from workflow.checks import ERROR, WARNING, check_fields, check_notice, has_errors
from workflow.errors import InvalidState
from workflow.models import Notice, Unit
from workflow.states import Direction, NoticeAction, NoticeState, Urgency

GOOD = dict(title="哈尔滨市妇联关于开展调研的通知", body="请各区妇联开展调研。",
            issuer_names=["哈尔滨市妇女联合会", "哈尔滨市妇联"], main_recipients=["各区妇联"])


def found(**fields) -> list[checks.Finding]:
    return check_fields(**{**GOOD, **fields})


# ------------------------------------------------------------------------------------------------
# The shape of a finding.


def test_a_well_formed_notice_has_no_findings():
    assert found() == []


def test_every_finding_names_its_level_rule_place_and_fix_in_chinese():
    findings = found(title="关于开展调研的报告", body="秘密★1年\n请于2016年03月05日前报送。",
                     main_recipients=[], doc_number="哈妇发[2015]09号")
    assert {f.level for f in findings} == {ERROR, WARNING}
    for f in findings:
        assert f.level in (ERROR, WARNING)
        assert HAN.search(f.rule) and HAN.search(f.field) and HAN.search(f.message), f
    levels = [f.level for f in findings]
    assert levels == sorted(levels, key=lambda level: level != ERROR)  # errors first


# ------------------------------------------------------------------------------------------------
# 发文字号.


def test_a_number_of_this_notice_in_a_variant_form_is_an_error_with_the_right_form():
    [finding] = found(doc_number="哈妇发[2015]09号")
    assert (finding.level, finding.rule, finding.field) == (ERROR, checks.RULE_NUMBER, "发文字号")
    assert "哈妇发〔2015〕9号" in finding.message


def test_an_unreadable_number_and_a_bad_series_code_are_errors():
    assert [f.field for f in found(doc_number="哈妇发2015年9号")] == ["发文字号"]
    [finding] = found(series_code="哈妇发〔2015〕")
    assert (finding.level, finding.field) == (ERROR, "机关代字")
    assert found(series_code="哈妇发", doc_number="哈妇发〔2015〕9号") == []


def test_a_number_line_pasted_into_the_body_is_taken_as_this_notices_own():
    [finding] = found(body="长妇通字[2016]4号\n请各区妇联开展调研。")
    assert (finding.level, finding.field) == (ERROR, "正文 第1段")
    assert "长妇通字〔2016〕4号" in finding.message


def test_another_documents_number_cited_in_a_variant_form_is_a_warning():
    [finding] = found(body="请各区妇联开展调研。\n根据中办发[2012]14号文件精神，现通知如下。")
    assert (finding.level, finding.field) == (WARNING, "正文 第2段")
    assert "中办发〔2012〕14号" in finding.message
    assert found(body="根据中办发〔2012〕14号文件精神，现通知如下。") == []


def test_citing_this_notices_own_number_in_a_variant_form_is_an_error():
    [finding] = found(doc_number="哈妇发〔2015〕9号", body="本文编号：哈妇发(2015)9号。")
    assert finding.level == ERROR and finding.field == "正文 第1段"


# ------------------------------------------------------------------------------------------------
# Dates, headings.


def test_a_date_with_leading_zeros_is_a_warning_naming_the_paragraph_and_the_right_form():
    [finding] = found(body="请各区妇联开展调研。\n请于2016年03月05日前报送。")
    assert (finding.level, finding.rule, finding.field) == (WARNING, checks.RULE_DATE,
                                                           "正文 第2段")
    assert "2016年03月05日" in finding.message and "2016年3月5日" in finding.message


def test_dates_without_a_year_and_in_full_width_digits_are_checked_too():
    [finding] = found(body="请于０３月５日前报送。")
    assert "“０３月５日”应写作“3月5日”" in finding.message
    assert found(body="请于3月5日前报送，7月6日至7日召开。") == []
    [finding] = found(body="请于2015年2月29日前报送。")
    assert finding.level == WARNING and "不存在" in finding.message


def test_a_third_level_heading_with_a_pause_mark_is_a_warning():
    [finding] = found(body="一、总体要求\n1、认真组织学习。")
    assert (finding.level, finding.rule, finding.field) == (WARNING, checks.RULE_HEADING,
                                                           "正文 第2段")


# ------------------------------------------------------------------------------------------------
# 标题.


def test_a_title_without_the_organs_name_is_only_a_warning_that_suggests_it():
    [finding] = found(title="关于开展调研的通知")
    assert (finding.level, finding.field) == (WARNING, "标题")
    assert "哈尔滨市妇女联合会关于开展调研的通知" in finding.message


def test_the_title_hint_cites_a_title_with_quotes_in_it_with_single_quotes_inside():
    [finding] = found(title="关于评选“五好家庭”的通知")
    assert "如“哈尔滨市妇女联合会关于评选‘五好家庭’的通知”" in finding.message
    [finding] = found(title="关于学习《关于“三八”红旗手的决定》的通知")
    assert "如“哈尔滨市妇女联合会关于学习《关于‘三八’红旗手的决定》的通知”" in finding.message
    [finding] = found(title='关于评选"最美家庭"的通知')
    assert "如“哈尔滨市妇女联合会关于评选‘最美家庭’的通知”" in finding.message


def test_a_title_ending_in_another_kind_or_without_about_of_is_a_warning():
    [finding] = found(title="哈尔滨市妇联关于开展调研的报告")
    assert finding.level == WARNING and "通知" in finding.message and "报告" in finding.message
    [finding] = found(title="哈尔滨市妇联开展调研通知")
    assert finding.level == WARNING and "关于" in finding.message
    assert found(title="哈尔滨市妇联关于开展调研的请示", kind="请示") == []


# ------------------------------------------------------------------------------------------------
# 主送, 抄送, 上行文.


def test_a_notice_without_main_recipients_is_an_error_other_kinds_are_left_to_the_guard():
    [finding] = found(main_recipients=[])
    assert (finding.level, finding.field) == (ERROR, "主送")
    assert found(main_recipients=[], kind="函", title="哈尔滨市妇联关于开展调研的函") == []


def test_an_urgent_downward_notice_not_copied_to_the_superior_is_a_warning():
    superior = "黑龙江省妇女联合会"
    [finding] = found(urgency=Urgency.VERY_URGENT, superior=superior, cc_recipients=["甲"])
    assert (finding.level, finding.field) == (WARNING, "抄送") and superior in finding.message
    assert found(urgency=Urgency.URGENT, superior=superior, cc_recipients=[superior]) == []
    assert found(urgency=Urgency.NORMAL, superior=superior) == []  # not an important one
    assert found(urgency=Urgency.URGENT, superior=None) == []  # no superior to copy


def test_an_upward_document_shows_its_signatory_and_has_one_main_recipient():
    upward = dict(direction=Direction.UPWARD, kind="报告",
                  title="哈尔滨市妇联关于学习贯彻情况的报告", main_recipients=["省妇联", "市委"])
    findings = found(**upward)
    assert {f.field for f in findings} == {"签发人", "主送"}
    assert all(f.level == WARNING for f in findings)
    assert found(**{**upward, "main_recipients": ["省妇联"]}, signatory="杨杰") == []


# ------------------------------------------------------------------------------------------------
# 密级, 附件说明.


@pytest.mark.parametrize("marking", ["秘密★1年", "机密", "密级：绝密", "绝 密 ★ 长期"])
def test_a_secrecy_marking_in_the_body_is_an_error(marking):
    [finding] = found(body=f"{marking}\n请各区妇联开展调研。")
    assert (finding.level, finding.rule, finding.field) == (ERROR, checks.RULE_SECRECY,
                                                           "正文 第1段")


def test_a_secrecy_marking_in_the_title_is_an_error_but_secrets_as_a_subject_are_not():
    assert [f.level for f in found(title="秘密★哈尔滨市妇联关于开展调研的通知")] == [ERROR]
    assert found(title="哈尔滨市妇联关于保守国家秘密的通知",
                 body="机密文件不得上网。\n请各区妇联开展保密教育。") == []


def test_attachments_want_a_note_after_the_body_without_punctuation_after_names():
    files = ["活动方案.pdf", "统计表.xlsx"]
    [missing] = found(attachments=files)
    assert (missing.level, missing.field) == (WARNING, "附件说明")
    assert "附件：1.活动方案2.统计表" in missing.message
    assert found(attachments=files, body="请开展活动。\n附件：1.活动方案\n2.统计表") == []
    findings = found(attachments=files, body="请开展活动。\n附件：1、活动方案。\n2.统计表")
    assert {f.level for f in findings} == {WARNING}
    assert [f.field for f in findings] == ["附件说明（正文 第2段）"] * 2
    assert found(attachments=["方案.pdf"], body="请开展活动。\n附件：活动方案") == []
    [orphan] = found(body="请开展活动。\n附件：活动方案")
    assert "没有上传附件" in orphan.message


# ------------------------------------------------------------------------------------------------
# On real notices, and the guard.


def test_neither_seed_nor_any_demo_notice_has_an_error(session):
    demo.build(session, today=dt.date(2026, 12, 3))  # seed 000 issued in 2026, its text as it is
    notices = list(session.scalars(select(Notice)))
    assert len(notices) >= 5
    for notice in notices:
        assert not has_errors(check_notice(notice)), (notice.title, check_notice(notice))
    seed_000 = next(n for n in notices if n.doc_number == "长妇通字〔2026〕4号")
    assert [f.field for f in check_notice(seed_000) if f.rule == checks.RULE_TITLE] == ["标题"]


def test_the_factories_draft_has_no_error(world):
    assert not has_errors(check_notice(draft(world)))


def test_a_draft_with_an_error_is_not_submitted_and_nothing_changes(
        world, session, session_factory):
    notice = draft(world, body="秘密★1年\n请各区妇联开展调研。")
    assert NoticeAction.SUBMIT not in permissions.available_actions(world.drafter, notice)
    message = refused(session, session_factory,
                      lambda: c.submit(session, world.drafter, notice_id=notice.id, now=at(0.1)),
                      InvalidState, containing="规范检查发现错误")
    assert "修改" in message


def test_a_draft_with_warnings_only_is_submitted(world, session):
    notice = draft(world, title="开展调研", body="请于2016年04月30日前报送调研报告。")
    assert check_notice(notice) and not has_errors(check_notice(notice))
    c.submit(session, world.drafter, notice_id=notice.id, now=at(0.1))
    assert notice.state == NoticeState.IN_REVIEW


def test_the_guard_stands_on_the_direct_route_too(direct_world, session, session_factory):
    w = direct_world
    notice = draft(w, body="长妇通字[2016]4号\n请各区妇联开展调研。")
    refused(session, session_factory,
            lambda: c.submit(session, w.drafter, notice_id=notice.id, now=at(0.1)),
            InvalidState, containing="规范检查")


def test_an_amendment_that_brings_in_an_error_is_refused_and_changes_nothing(
        world, session, session_factory):
    # The guards judge the notice as amended, not as it was before the amendment.
    notice = notice_in(world, NoticeState.SIGNED)
    refused(session, session_factory,
            lambda: c.amend(session, world.clerk, notice_id=notice.id, reason="补充",
                            body="机密\n请各区妇联开展调研。", now=at(0.5)),
            InvalidState, containing="规范检查")
    assert notice.state == NoticeState.SIGNED


def test_a_clean_amendment_goes_back_to_the_signatory(world, session):
    notice = notice_in(world, NoticeState.SIGNED)
    c.amend(session, world.clerk, notice_id=notice.id, reason="补充",
            body="请各区妇联开展调研，并于月底前报送。", now=at(0.5))
    assert notice.state == NoticeState.AWAITING_SIGNOFF
    assert not [f for f in check_notice(notice) if f.is_error]


def test_an_urgent_notice_of_a_unit_with_a_superior_is_warned_on_a_loaded_notice(world, session):
    province = session.scalar(select(Unit).where(Unit.id == world.cc_unit.id))
    world.issuer.parent_id = province.id
    session.flush()
    session.expire(world.issuer, ["parent"])
    notice = draft(world, urgency="URGENT", cc_unit_ids=[])
    assert [f.field for f in check_notice(notice)] == ["标题", "抄送"]
    assert [f.field for f in check_notice(draft(world, urgency="URGENT"))] == ["标题"]  # cc 省妇联


def test_warnings_come_in_the_order_of_the_paper():
    findings = found(title="关于开展调研的通知",
                     body="1、请于2016年03月05日前报送。\n请于2016年04月05日前报送。")
    assert [f.field for f in findings] == ["标题", "正文 第1段", "正文 第1段", "正文 第2段"]
