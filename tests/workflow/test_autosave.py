"""The autosave of typed forms in the engine: a person's kept input is theirs alone, replaced by
the next keeping, forgotten on request, refused when it carries a control character or is too
long — and keeping it changes nothing else (no state, no audit entry)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import at, notice_in
from workflow import commands as c
from workflow.errors import Forbidden, InvalidInput
from workflow.models import AuditEntry, Autosave, Notice
from workflow.queries.autosave import typed_work
from workflow.states import NoticeState


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_kept_input_is_read_back_by_the_person_who_typed_it(session, world):
    c.keep_typed(session, world.drafter, key="draft:new:1",
                 fields={"title": "关于开展调研的通知", "body": ["第一段\n第二段\t缩进"],
                         "main_unit_ids": ["2", "3"]}, now=at(1))
    session.commit()
    kept = typed_work(session, world.drafter, "draft:new:1")
    assert kept.fields == {"title": ["关于开展调研的通知"], "body": ["第一段\n第二段\t缩进"],
                           "main_unit_ids": ["2", "3"]}
    assert kept.updated_at == at(1)


def test_keeping_again_replaces_the_last_input_of_that_form_only(session, world):
    c.keep_typed(session, world.drafter, key="draft:new:1", fields={"title": "初稿"}, now=at(1))
    c.keep_typed(session, world.drafter, key="report:7", fields={"text": "报告"}, now=at(1))
    c.keep_typed(session, world.drafter, key="draft:new:1", fields={"title": "二稿"}, now=at(2))
    session.commit()
    assert typed_work(session, world.drafter, "draft:new:1").fields == {"title": ["二稿"]}
    assert typed_work(session, world.drafter, "report:7").fields == {"text": ["报告"]}
    assert _count(session, Autosave) == 2


@pytest.mark.parametrize("other", ["drafter2", "reviewer", "receiver1", "admin", "auditor"])
def test_nobody_else_reads_a_persons_kept_input(session, world, other):
    """Not a colleague of the same unit, not another unit, not an administrator."""
    other_user = world.users[other]
    if other == "drafter2":
        assert other_user.unit_id == world.drafter.unit_id  # a colleague of the same unit
    c.keep_typed(session, world.drafter, key="draft:new:1", fields={"title": "只给本人看"})
    session.commit()
    assert typed_work(session, other_user, "draft:new:1") is None


def test_forgetting_drops_only_the_actors_own_input(session, world):
    c.keep_typed(session, world.drafter, key="report:7", fields={"text": "拟稿人的"})
    c.keep_typed(session, world.receiver1, key="report:7", fields={"text": "收文员的"})
    assert c.drop_typed(session, world.receiver1, key="report:7") is True
    assert c.drop_typed(session, world.receiver1, key="report:7") is False
    session.commit()
    assert typed_work(session, world.receiver1, "report:7") is None
    assert typed_work(session, world.drafter, "report:7").fields == {"text": ["拟稿人的"]}


@pytest.mark.parametrize("value, message", [
    ("标题\x00", "标题中含有不可见的控制字符（U+0000）"),
    ("正文\x1b[31m", "标题中含有不可见的控制字符（U+001B）"),
    ("名称\u202e", "标题中含有不可见的控制字符（U+202E RIGHT-TO-LEFT OVERRIDE）"),
])
def test_a_control_character_is_refused_naming_the_field(session, world, value, message):
    with pytest.raises(InvalidInput) as refused:
        c.keep_typed(session, world.drafter, key="draft:3", fields={"title": value})
    assert message in refused.value.message
    assert _count(session, Autosave) == 0


def test_a_field_of_a_request_row_is_named_by_its_own_label(session, world):
    with pytest.raises(InvalidInput, match="报送内容中含有不可见的控制字符"):
        c.keep_typed(session, world.drafter, key="draft:3",
                     fields={"report_requests-0-what": "调研\x07报告"})


def test_input_longer_than_the_longest_form_is_refused(session, world):
    with pytest.raises(InvalidInput, match="输入的内容过长，无法自动保存（最多 120000 字）"):
        c.keep_typed(session, world.drafter, key="draft:3", fields={"body": "字" * 120_001})
    c.keep_typed(session, world.drafter, key="draft:3", fields={"body": "字" * 50_000})
    assert len(typed_work(session, world.drafter, "draft:3").fields["body"][0]) == 50_000


@pytest.mark.parametrize("key", ["", "DRAFT:1", "draft:1:2:3", "draft/../x", "a" * 61,
                                 "draft:1 ", 12, None])
def test_a_form_key_not_named_as_the_web_layer_names_forms_is_refused(session, world, key):
    with pytest.raises(InvalidInput, match="要自动保存的表单无效"):
        c.keep_typed(session, world.drafter, key=key, fields={"title": "x"})


@pytest.mark.parametrize("fields", [["title"], {"title": [1]}, {"bad name": "x"},
                                    {"title": {"nested": "x"}}, {f"f{i}": "" for i in range(1001)}])
def test_fields_not_shaped_as_a_posted_form_are_refused(session, world, fields):
    with pytest.raises(InvalidInput, match="自动保存的内容格式不正确"):
        c.keep_typed(session, world.drafter, key="draft:3", fields=fields)


def test_a_stopped_account_and_the_engine_itself_keep_nothing(session, world):
    c.deactivate_user(session, world.admin, user_id=world.receiver2.id, now=at(1))
    with pytest.raises(Forbidden, match="该账号已停用"):
        c.keep_typed(session, world.receiver2, key="report:1", fields={"text": "x"})
    with pytest.raises(Forbidden):
        c.keep_typed(session, None, key="report:1", fields={"text": "x"})
    assert _count(session, Autosave) == 0


def test_keeping_a_drafts_input_changes_neither_the_draft_nor_the_trail(session, world):
    draft = notice_in(world, NoticeState.DRAFT, title="原标题")
    session.commit()
    version, entries = draft.version, _count(session, AuditEntry)
    c.keep_typed(session, world.drafter, key=f"draft:{draft.id}", fields={"title": "新标题"})
    session.commit()
    row = session.get(Notice, draft.id)
    assert (row.title, row.version) == ("原标题", version)
    assert _count(session, AuditEntry) == entries
