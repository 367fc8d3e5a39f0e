"""No control character enters the engine: refused in Chinese, naming the field, whatever the path.

Newline, carriage return and tab pass where text may have several lines (a body, a reason); a
single-line field (a title, a name) takes none of them. A NUL, an escape or a bell accepted once
used to make every export and print of the notice fail for everybody.
"""

from __future__ import annotations

from functools import partial

import pytest

from tests import factories
from tests.factories import at, notice_in
from workflow import commands as c
from workflow.errors import InvalidInput
from workflow.inputs import clean_text
from workflow.states import NoticeState as NS

refused = partial(factories.refused, kind=InvalidInput)
HOSTILE = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\u202e"]


@pytest.mark.parametrize("char", HOSTILE)
def test_a_control_character_in_a_title_is_refused_naming_the_title(world, session,
                                                                      session_factory, char):
    refused(session, session_factory, lambda: c.create_draft(
        session, world.drafter, title=f"关于开展调研{char}的通知", body="正文",
        main_unit_ids=[world.districts[0].id]), containing="标题")


@pytest.mark.parametrize("char", HOSTILE)
def test_a_control_character_in_a_body_is_refused_naming_the_body(world, session,
                                                                    session_factory, char):
    draft = notice_in(world, NS.DRAFT)
    refused(session, session_factory, lambda: c.update_draft(
        session, world.drafter, notice_id=draft.id, body=f"第一段{char}"), containing="正文")


@pytest.mark.parametrize("char", HOSTILE)
def test_a_control_character_in_a_reason_is_refused(world, session, session_factory, char):
    notice = notice_in(world, NS.IN_REVIEW)
    refused(session, session_factory, lambda: c.return_for_revision(
        session, world.reviewer, notice_id=notice.id, reason=f"请修改{char}", now=at(1)),
        containing="理由")


@pytest.mark.parametrize("char", HOSTILE)
def test_a_control_character_in_a_receipts_reject_reason_is_refused(world, session,
                                                                      session_factory, char):
    notice = notice_in(world, NS.ISSUED)
    receipt = factories.receipts_of(world, notice)[0]
    refused(session, session_factory, lambda: c.reject(
        session, world.receiver1, receipt_id=receipt.id, reason=f"=HYPERLINK{char}", now=at(2)),
        containing="控制字符")


@pytest.mark.parametrize("char", HOSTILE)
def test_a_control_character_in_a_unit_or_user_name_is_refused(world, session, session_factory,
                                                                 char):
    refused(session, session_factory, lambda: c.create_unit(
        session, world.admin, name=f"示范市第9区{char}妇联", parent_id=world.issuer.id),
        containing="控制字符")
    refused(session, session_factory, lambda: c.create_user(
        session, world.admin, username="newbie", display_name=f"张{char}三",
        unit_id=world.issuer.id), containing="控制字符")


@pytest.mark.parametrize("char", HOSTILE)
def test_a_control_character_in_a_reminder_is_refused(world, session, session_factory, char):
    notice = notice_in(world, NS.ISSUED)
    refused(session, session_factory, lambda: c.remind(
        session, world.supervisor, notice_id=notice.id, message=f"请尽快{char}上报", now=at(2)),
        containing="控制字符")


def test_newlines_and_tabs_pass_where_text_has_several_lines(world, session):
    draft = notice_in(world, NS.DRAFT)
    c.update_draft(session, world.drafter, notice_id=draft.id,
                   body="第一段。\r\n\t第二段。\n第三段。")
    notice = notice_in(world, NS.IN_REVIEW)
    c.return_for_revision(session, world.reviewer, notice_id=notice.id,
                          reason="一、标题不准确；\n二、\t请补充时间。", now=at(1))
    assert "\t第二段" in draft.body


@pytest.mark.parametrize("char", ["\n", "\r", "\t"])
def test_a_single_line_field_takes_no_newline_or_tab(world, session, session_factory, char):
    message = refused(session, session_factory, lambda: c.create_draft(
        session, world.drafter, title=f"关于开展{char}调研的通知", body="正文",
        main_unit_ids=[world.districts[0].id]))
    assert "标题" in message


def test_ordinary_chinese_text_and_punctuation_pass_unchanged():
    text = "关于印发《哈尔滨市妇联2015年工作要点》的通知（附件1）——“巾帼建功”，100%！"
    assert clean_text(f"  {text}  ") == text
