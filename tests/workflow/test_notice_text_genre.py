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


# --- 附件说明, 署名 and 成文日期 as pages damage them ----------------------------------------------------


def test_an_attachment_labelled_with_its_number_and_a_comma_is_named_without_either():
    fields = read("关于填表的通知\n各科室：\n请填表。\n附件1、人员统计表\n附件2、经费统计表\n"
                  "某某局办公室\n2020年5月6日\n")
    assert fields["attachments"] == ["人员统计表", "经费统计表"]


def test_an_attachment_given_as_a_file_is_named_without_its_extension():
    fields = read("关于填表的通知\n各科室：\n请填表。\n附件：1.人员统计表.xlsx\n2.填表说明.docx\n"
                  "某某局办公室\n2020年5月6日\n")
    assert fields["attachments"] == ["人员统计表", "填表说明"]


def test_a_contact_line_named_person_and_telephone_ends_the_list_of_attachments():
    fields = read("关于填表的通知\n各科室：\n请填表。\n附件：1.人员统计表\n2.经费统计表\n"
                  "联系人及电话：\n办公室 张某 12345678\n某某局办公室\n2020年5月6日\n")
    assert fields["attachments"] == ["人员统计表", "经费统计表"]


def test_a_signature_glued_to_its_date_is_both_the_issuer_and_the_date():
    fields = read("各科室：\n现将有关文件转发给你们，请遵照执行。\n某某县卫生局2016年4月20日\n")
    assert (fields["issuer"], fields["date"]) == ("某某县卫生局", "2016-04-20")


def test_a_date_that_lost_its_year_and_month_marks_is_read_by_the_page_date_after_it():
    # "2022129" is 2022-01-29 or 2022-12-09; the page printed it on 2022/12/12.
    fields = read("更新时间:2022/12/12 15:48:29\n关于开会的通知\n各科室：\n请参会。\n"
                  "某某县妇联\n2022129\n")
    assert fields["date"] == "2022-12-09"
    assert "date" in fields["uncertain"]
