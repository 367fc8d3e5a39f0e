"""Rules of the genre the reader follows (GB/T 9704 shapes, the 条例's elements), each shown on a
sentence written for it — never on a corpus text. One test per rule, named as the rule reads."""

from __future__ import annotations

from workflow.notice_text import parse_notice


def read(text: str) -> dict:
    return parse_notice(text).to_json_dict()


# --- 文种 without a title ---------------------------------------------------------------------------


def test_a_copy_without_its_title_takes_its_kind_from_the_formula_notice_as_follows():
    fields = read("各科室：\n为做好年底检查，现将有关安排通知\n如下：\n一、自查。\n")
    assert (fields["title"], fields["kind"]) == (None, "通知")


def test_a_copy_without_its_title_that_forwards_a_document_is_a_notice():
    fields = read("各社区：\n现将《区里的安排》转发给你们，请认真贯彻执行。\n")
    assert fields["kind"] == "通知"


def test_the_closing_formula_names_a_bulletin_or_a_letter():
    assert read("各单位：\n某某单位在检查中表现突出。\n特此通报。\n")["kind"] == "通报"
    assert read("市卫生局：\n你局来函收悉，同意所请。\n特此函复。\n")["kind"] == "函"


def test_to_be_notified_later_names_no_kind():
    assert read("各学院：\n会议时间另行通知。请做好准备。\n")["kind"] is None


def test_a_printed_title_gives_the_kind_whatever_the_body_says():
    fields = read("关于开会的通报\n各单位：\n现将有关事项通知如下。\n")
    assert fields["kind"] == "通报"
