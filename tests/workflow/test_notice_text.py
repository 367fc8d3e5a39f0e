"""Reading a notice's text into its fields (workflow.notice_text): the two seeds as a careful reader
reads them, and each of the quirks real notices have."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.errors import InvalidInput
from workflow.notice_text import EXTRA_KEYS, JSON_KEYS, ParsedNotice, ReportRequest, parse_notice
from workflow.notice_text.dates import parse_date
from workflow.notice_text.recipients import split_recipients

CORPUS = Path(__file__).parent / "notice_corpus"


def seed(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


def notice(*, header="哈尔滨市妇女联合会文件\n\n哈妇发〔2015〕9号\n\n",
           title="关于做好有关工作的通知", recipients="各区县（市）妇联：",
           body="现将有关事项通知如下。", closing="哈尔滨市妇女联合会\n\n2015年8月11日\n") -> str:
    """A small notice in the layout of the seeds, any part replaceable."""
    return f"{header}{title}\n\n{recipients}\n\n{body}\n\n{closing}"


def requests_in(body: str, **parts) -> list[dict]:
    return parse_notice(notice(body=body, **parts)).to_json_dict()["report_requests"]


# --- the seeds, as a careful reader reads them ----------------------------------------------------


def test_seed_000_is_read_field_by_field_as_a_careful_reader_reads_it():
    fields = parse_notice(seed("seed_000_changchun_fulian.txt")).to_json_dict()
    body = fields.pop("body")
    assert (fields.pop("issuers"), fields.pop("uncertain")) == (["长春市妇女联合会"], [])
    assert fields == {
        "issuer": "长春市妇女联合会",
        "doc_number": {"printed": "长妇通字[2016]4号", "code": "长妇通字", "year": 2016, "serial": 4,
                       "normalized": "长妇通字〔2016〕4号"},
        "signatory": None,
        "title": "关于认真学习宣传贯彻落实市委党的群团工作会议精神的通知",
        "kind": "通知",
        "main_recipients": ["各县（市）区妇联", "开发区妇联", "市直机关妇委会", "大专院校妇委会"],
        "cc_recipients": [],
        "date": None,  # the extracted text has no 成文日期
        "print_date": None,
        "printed_by": None,
        "attachments": [],
        "report_requests": [
            {"what": "学习贯彻落实会议精神情况", "who": "各县（市）区、开发区妇联", "to": "市妇联",
             "deadline_text": "3月31日前", "due_date": "2016-03-31"},
            {"what": "调研报告", "who": "各县（市）区、开发区妇联", "to": "市妇联",
             "deadline_text": "4月30日前", "due_date": "2016-04-30"},
        ],
    }
    assert body.startswith("为深入学习贯彻中央、省委加强和改进党的群团工作会议精神，3月2日，市委召开了")
    assert body.endswith("请各县（市）区、开发区妇联于4月30日前将调研报告上报市妇联。")
    # The page break inside "上\n\n报" is mended; the heading broken after its comma is one line.
    assert "会议精神情况上报市妇联。" in body
    assert "一、深刻领会市委党的群团工作会议的精神实质和深刻内涵，切实把思想和行动统一到会议精神上来\n" in body
    assert len(body.splitlines()) == 21
    for header in ("长春市妇女联合会文件", "长妇通字", "各县（市）区、开发区妇联，市直机关、大专院校妇委会"):
        assert header not in body


def test_seed_001_is_read_field_by_field_as_a_careful_reader_reads_it():
    fields = parse_notice(seed("seed_001_harbin_fulian.txt")).to_json_dict()
    body = fields.pop("body")
    # The request says 及时, not a day: the import page asks the drafter to check it.
    assert (fields.pop("issuers"), fields.pop("uncertain")) == (["哈尔滨市妇女联合会"],
                                                               ["report_requests"])
    assert fields == {
        "issuer": "哈尔滨市妇女联合会",
        "doc_number": {"printed": "哈妇发〔2015〕9号", "code": "哈妇发", "year": 2015, "serial": 9,
                       "normalized": "哈妇发〔2015〕9号"},
        "signatory": "杨杰",
        "title": "哈尔滨市妇联关于认真学习贯彻中央党的群团工作会议精神的通知",
        "kind": "通知",
        "main_recipients": ["各区县（市）妇联", "市直妇委会", "市妇联团体会员"],
        "cc_recipients": [],
        "date": "2015-08-11",
        "print_date": "2015-08-11",
        "printed_by": "哈尔滨市妇女联合会",
        "attachments": [],
        "report_requests": [
            {"what": "学习贯彻情况", "who": "各地妇联", "to": "市妇联宣传部", "deadline_text": "及时",
             "due_date": None},
        ],
    }
    assert body.startswith("7月6日至7日，中央召开党的群团工作会议，习近平总书记发表重要讲话，对于深入")
    assert body.endswith("让基层妇联组织真正地成为群众工作的活力之源和战斗堡垒。\n"
                         "请各地妇联将学习贯彻情况及时报市妇联宣传部。")
    # Hard-wrapped at the printed width: joined back into its seven paragraphs, page breaks too.
    assert len(body.splitlines()) == 7
    assert "是指导新形势下党的群团工作的纲领性文献" in body
    for header in ("哈尔滨市妇女联合会", "哈妇发", "签发人", "2015 年", "印发"):
        assert header not in body


def test_the_json_form_has_exactly_the_documented_keys_in_order():
    fields = parse_notice(seed("seed_001_harbin_fulian.txt")).to_json_dict()
    assert tuple(fields) == JSON_KEYS + EXTRA_KEYS == (
        "issuer", "doc_number", "signatory", "title", "kind", "main_recipients", "cc_recipients",
        "date", "print_date", "printed_by", "attachments", "report_requests", "body", "issuers",
        "uncertain")
    assert set(fields["report_requests"][0]) == {"what", "who", "to", "deadline_text", "due_date"}


def test_the_parsed_notice_is_a_frozen_value_with_dates_as_dates():
    parsed = parse_notice(seed("seed_001_harbin_fulian.txt"))
    assert isinstance(parsed, ParsedNotice)
    assert parsed.date == dt.date(2015, 8, 11)
    assert isinstance(parsed.report_requests[0], ReportRequest)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.title = "改过的标题"  # type: ignore[misc]


def test_something_other_than_text_is_refused_in_chinese():
    with pytest.raises(InvalidInput, match="文本"):
        parse_notice(b"bytes")  # type: ignore[arg-type]


# --- absent is null, never a guess ----------------------------------------------------------------


def test_an_empty_text_gives_every_field_empty():
    fields = parse_notice("").to_json_dict()
    assert fields == {"issuer": None, "doc_number": None, "signatory": None, "title": None,
                      "kind": None, "main_recipients": [], "cc_recipients": [], "date": None,
                      "print_date": None, "printed_by": None, "attachments": [],
                      "report_requests": [], "body": "", "issuers": [], "uncertain": []}


def test_a_notice_without_header_number_or_date_has_them_null_not_taken_from_the_body():
    fields = parse_notice(notice(
        header="", body="根据《党政机关公文处理工作条例》（中办发〔2012〕14号），2016年3月2日召开了会议。",
        closing="")).to_json_dict()
    assert fields["doc_number"] is None
    assert fields["date"] is None and fields["print_date"] is None
    assert fields["issuer"] is None  # no 标志 and no 署名
    assert fields["title"] == "关于做好有关工作的通知"


def test_a_text_without_title_or_recipients_keeps_its_header_out_of_the_body():
    parsed = parse_notice("哈尔滨市妇女联合会文件\n哈妇发〔2015〕9号\n请各地做好工作。\n")
    assert (parsed.issuer, parsed.title, parsed.main_recipients) == ("哈尔滨市妇女联合会", None, ())
    assert parsed.body == "请各地做好工作。"


def test_an_impossible_date_is_null():
    assert parse_notice(notice(closing="哈尔滨市妇女联合会\n2015年2月30日\n")).date is None


# --- full- and half-width punctuation, brackets of the year ---------------------------------------


@pytest.mark.parametrize("printed", [
    "哈妇发〔2015〕9号", "哈妇发[2015]9号", "哈妇发（2015）9号", "哈妇发(2015)9号", "哈妇发【2015】9号",
    "哈妇发〔 2015 〕 9 号", "哈妇发 [ 2015 ] 9 号", "哈妇发【2015】9 号", "哈妇发［2015］９号",
])
def test_the_year_may_stand_in_any_bracket_with_or_without_spaces(printed):
    number = parse_notice(notice(header=f"哈尔滨市妇女联合会文件\n{printed}\n")).to_json_dict()[
        "doc_number"]
    assert number["normalized"] == "哈妇发〔2015〕9号"
    assert (number["code"], number["year"], number["serial"]) == ("哈妇发", 2015, 9)
    assert number["printed"] == "".join(printed.split())  # as printed, extraction spaces removed


def test_half_width_punctuation_is_read_like_full_width():
    text = ("江州市文明办文件\n江文明办[2017]8号\n关于开展主题活动的通知\n各县(市)区文明办,市文明委各成员单位:\n"
            "请各县(市)区文明办于5月31日17:00前将活动情况报送市文明办。\n附件: 1.活动安排表  2.统计表\n"
            "江州市文明办\n2017年5月15日\n抄送:省文明办,市委宣传部。\n")
    fields = parse_notice(text).to_json_dict()
    assert fields["main_recipients"] == ["各县(市)区文明办", "市文明委各成员单位"]
    assert fields["cc_recipients"] == ["省文明办", "市委宣传部"]
    assert fields["attachments"] == ["活动安排表", "统计表"]
    assert fields["report_requests"] == [{"what": "活动情况", "who": "各县(市)区文明办",
                                          "to": "市文明办", "deadline_text": "5月31日17:00前",
                                          "due_date": "2017-05-31"}]


# --- 标志, 署名 and 签发人 -------------------------------------------------------------------------------


def test_a_letter_spaced_red_header_gives_the_issuer_without_spaces():
    parsed = parse_notice(notice(header="哈 尔 滨 市 妇 女 联 合 会 文 件\n\n哈妇发〔2015〕9号\n"))
    assert parsed.issuer == "哈尔滨市妇女联合会"


def test_without_a_header_the_issuer_comes_from_a_letter_spaced_signature():
    parsed = parse_notice(notice(header="", closing="哈 尔 滨 市 妇 女 联 合 会\n2015年8月11日\n"))
    assert parsed.issuer == "哈尔滨市妇女联合会"
    assert "哈尔滨" not in parsed.body


def test_joint_issuers_in_the_signature_are_listed_with_a_pause_mark():
    parsed = parse_notice(notice(header="", closing="财政部 国家税务总局\n2016年3月23日\n"))
    assert parsed.issuer == "财政部、国家税务总局"


def test_the_signatory_beside_the_number_has_its_spaces_removed():
    parsed = parse_notice(notice(header="哈妇发〔2015〕9 号 签发人：杨 杰\n"))
    assert parsed.signatory == "杨杰"
    assert parsed.doc_number.number.normalized == "哈妇发〔2015〕9号"


def test_two_signatories_of_a_joint_report_are_two_names():
    parsed = parse_notice(notice(header="江民呈〔2020〕6号    签发人：王建国 李明\n"))
    assert parsed.signatory == "王建国、李明"


def test_a_notice_without_signatory_has_none():
    assert parse_notice(notice()).signatory is None


# --- titles ---------------------------------------------------------------------------------------


def test_a_title_over_several_lines_is_joined_whole():
    parsed = parse_notice(notice(title="青山县人民政府办公室\n关于进一步规范公文处理工作的\n通知"))
    assert parsed.title == "青山县人民政府办公室关于进一步规范公文处理工作的通知"
    assert parsed.kind == "通知"


def test_stray_spaces_inside_a_title_are_removed():
    parsed = parse_notice(notice(title="关于认真学习宣传贯彻落实市委党的群团 工作会议精神的通知"))
    assert parsed.title == "关于认真学习宣传贯彻落实市委党的群团工作会议精神的通知"


def test_the_space_between_joint_issuers_in_a_title_is_kept():
    parsed = parse_notice(notice(title="财政部 国家税务总局关于全面推开营业税改征增值税试点的通知"))
    assert parsed.title == "财政部 国家税务总局关于全面推开营业税改征增值税试点的通知"


def test_a_title_printed_above_the_number_as_web_pages_do_is_found():
    parsed = parse_notice("国务院办公厅关于2016年部分节假日安排的通知\n国办发明电〔2015〕18号\n"
                          "各省、自治区、直辖市人民政府：\n经国务院批准，现将安排通知如下。\n"
                          "国务院办公厅\n2015年12月10日\n")
    assert parsed.title == "国务院办公厅关于2016年部分节假日安排的通知"
    assert parsed.doc_number.number.normalized == "国办发明电〔2015〕18号"
    assert parsed.main_recipients == ("各省、自治区、直辖市人民政府",)
    assert parsed.issuer == "国务院办公厅"


@pytest.mark.parametrize(("title", "kind"), [
    ("关于同意建立联席会议制度的函", "函"), ("关于表彰先进单位的通报", "通报"),
    ("关于申请临时救助资金的请示", "请示"), ("关于做好春节期间工作的紧急通知", "通知"),
    ("关于印发《管理办法（试行）》的通知", "通知"), ("关于2015年工作情况的报告", "报告"),
])
def test_the_kind_is_the_word_the_title_ends_with(title, kind):
    assert parse_notice(notice(title=title)).kind == kind


# --- 主送 and 抄送 ------------------------------------------------------------------------------------


def test_recipients_separated_by_commas_are_one_entry_each():
    parsed = parse_notice(notice(recipients="各区县（市）妇联，市直妇委会，市妇联团体会员："))
    assert parsed.main_recipients == ("各区县（市）妇联", "市直妇委会", "市妇联团体会员")


def test_a_shared_unit_word_distributes_over_names_joined_with_a_pause_mark():
    parsed = parse_notice(notice(recipients="各县（市）区、开发区妇联，市直机关、大专院校妇委会："))
    assert parsed.main_recipients == ("各县（市）区妇联", "开发区妇联", "市直机关妇委会", "大专院校妇委会")


def test_a_pause_mark_inside_brackets_does_not_separate_recipients():
    parsed = parse_notice(notice(recipients="各县（市、区）教育局，市直各学校："))
    assert parsed.main_recipients == ("各县（市、区）教育局", "市直各学校")


def test_names_that_are_whole_units_are_not_given_a_shared_word():
    parsed = parse_notice(notice(recipients="市发展改革委、市财政局、市住房城乡建设局："))
    assert parsed.main_recipients == ("市发展改革委", "市财政局", "市住房城乡建设局")


def test_the_provinces_regions_and_municipalities_are_one_collective():
    parsed = parse_notice(notice(recipients="各省、自治区、直辖市人民政府，国务院各部委、各直属机构："))
    assert parsed.main_recipients == ("各省、自治区、直辖市人民政府", "国务院各部委", "各直属机构")


def test_a_recipients_line_without_its_colon_is_still_read():
    parsed = parse_notice(notice(recipients="各县（市、区）教育局，市直各学校"))
    assert parsed.main_recipients == ("各县（市、区）教育局", "市直各学校")
    assert parsed.body == "现将有关事项通知如下。"


def test_a_recipients_line_wrapped_onto_a_second_line_is_joined():
    parsed = parse_notice(notice(recipients="各县（市、区）卫生健康局，委直属各单位，各二级以上医疗机\n构："))
    assert parsed.main_recipients == ("各县（市、区）卫生健康局", "委直属各单位", "各二级以上医疗机构")


def test_copies_over_two_lines_are_read_from_the_imprint():
    parsed = parse_notice(notice(closing="江州市教育局\n2019年1月10日\n抄送：市委教育工委，市政府办公室，\n"
                                         "      省教育厅办公室。\n江州市教育局办公室    2019年1月10日印发\n"))
    assert parsed.cc_recipients == ("市委教育工委", "市政府办公室", "省教育厅办公室")
    assert parsed.printed_by == "江州市教育局办公室"
    assert parsed.print_date == dt.date(2019, 1, 10)


def test_the_printing_organ_on_its_own_line_above_the_print_date_is_read():
    parsed = parse_notice(notice(closing="江州市人社局\n2019年12月20日\n江州市人社局办公室\n2019年12月20日印发\n"))
    assert parsed.printed_by == "江州市人社局办公室"
    assert parsed.print_date == dt.date(2019, 12, 20)


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "day"), [
    ("2015年8月11日", dt.date(2015, 8, 11)),
    ("2015 年 8 月 11 日", dt.date(2015, 8, 11)),
    ("２０１５年８月１１日", dt.date(2015, 8, 11)),
    ("二〇一五年八月十一日", dt.date(2015, 8, 11)),
    ("二○一八年三月十二日", dt.date(2018, 3, 12)),
    ("二O一九年一月十日", dt.date(2019, 1, 10)),
    ("二零二零年十二月三十一日", dt.date(2020, 12, 31)),
    ("二〇二一年十月二十日", dt.date(2021, 10, 20)),
])
def test_dates_are_read_in_arabic_or_chinese_numerals_with_any_nought(written, day):
    assert parse_date(written) == day
    assert parse_notice(notice(closing=f"哈尔滨市妇女联合会\n{written}\n")).date == day


# --- the body -------------------------------------------------------------------------------------


def test_page_numbers_and_a_page_break_inside_a_sentence_are_tidied_away():
    parsed = parse_notice(notice(body="请各地将学习贯彻情况上\n\n- 2 -\n\f\n报市妇联。\n\n特此通知。"))
    assert parsed.body == "请各地将学习贯彻情况上报市妇联。\n特此通知。"


def test_attachments_are_listed_and_left_out_of_the_body():
    parsed = parse_notice(notice(body="现印发给你们，请遵照执行。\n\n附件：1.营业税改征增值税试点实施办法\n"
                                      "      2.营业税改征增值税试点有关\n        事项的规定"))
    assert parsed.attachments == ("营业税改征增值税试点实施办法", "营业税改征增值税试点有关事项的规定")
    assert parsed.body == "现印发给你们，请遵照执行。"


def test_the_note_and_attached_pages_after_the_date_are_not_body():
    parsed = parse_notice(notice(closing="哈尔滨市妇女联合会\n2015年8月11日\n（此件公开发布）\n附件\n活动方案\n"))
    assert parsed.body == "现将有关事项通知如下。"


# --- report requests ------------------------------------------------------------------------------


def test_a_request_names_what_who_to_whom_and_by_when():
    assert requests_in("请各县（市）区、开发区妇联于4月30日前将调研报告上报市妇联。",
                       header="长妇通字[2016]4号\n", closing="") == [
        {"what": "调研报告", "who": "各县（市）区、开发区妇联", "to": "市妇联",
         "deadline_text": "4月30日前", "due_date": "2016-04-30"}]


def test_a_deadline_with_weekday_and_time_falls_on_that_day_and_keeps_its_words():
    assert requests_in("请各单位于11月10日（星期三）中午12:00前将自查报告报送县妇联办公室。",
                       closing="哈尔滨市妇女联合会\n2021年10月20日\n") == [
        {"what": "自查报告", "who": "各单位", "to": "县妇联办公室",
         "deadline_text": "11月10日（星期三）中午12:00前", "due_date": "2021-11-10"}]


def test_a_deadline_without_a_year_takes_the_year_of_the_document_date():
    (request,) = requests_in("请各单位于3月31日前将情况报市妇联。",
                             closing="哈尔滨市妇女联合会\n2016年3月7日\n")
    assert request["due_date"] == "2016-03-31"


def test_a_deadline_in_a_month_already_past_falls_in_the_next_year():
    (request,) = requests_in("请各单位于1月10日前将工作总结报送团市委办公室。",
                             closing="共青团江州市委员会\n2018年12月20日\n")
    assert request["due_date"] == "2019-01-10"


def test_without_a_date_the_deadline_takes_the_year_of_the_number():
    (request,) = requests_in("请各单位于4月30日前将调研报告上报市妇联。", closing="")
    assert request["due_date"] == "2015-04-30"


def test_a_deadline_at_a_month_end_is_its_last_day():
    (request,) = requests_in("自查报告请于2月底前报送县政府办公室。",
                             closing="哈尔滨市妇女联合会\n2016年1月8日\n")
    assert (request["deadline_text"], request["due_date"]) == ("2月底前", "2016-02-29")


@pytest.mark.parametrize("vague", ["及时", "随后"])
def test_a_vague_request_has_no_due_date(vague):
    assert requests_in(f"请各地妇联将学习贯彻情况{vague}报市妇联宣传部。") == [
        {"what": "学习贯彻情况", "who": "各地妇联", "to": "市妇联宣传部", "deadline_text": vague,
         "due_date": None}]


def test_a_request_to_an_email_address_names_the_address():
    (request,) = requests_in("请各校于9月15日前将报名表发送至邮箱abc2018@163.com。")
    assert (request["what"], request["to"]) == ("报名表", "abc2018@163.com")


def test_a_request_that_names_no_receiver_has_none():
    assert requests_in("请各高校团委于12月28日前报送2019年工作计划。",
                       closing="共青团江州市委员会\n2018年12月20日\n") == [
        {"what": "2019年工作计划", "who": "各高校团委", "to": None,
         "deadline_text": "12月28日前", "due_date": "2018-12-28"}]


@pytest.mark.parametrize("sentence", [
    "7月6日至7日，中央召开党的群团工作会议。",
    "区妇联定于5月8日（星期二）上午9:00在区政府三楼会议室召开表彰会，请获评家庭代表准时参加。",
    "请各街道妇联将本通知转发至所属社区妇联。",
    "请各乡镇党委将本通知精神传达到村（社区）党组织。",
    "遇有重大突发事件，要按规定及时报告并妥善处置。",
    "请于9月1日前到市妇联报到。",
    "各地要高度重视，遇到问题请及时向财政部反映。",
])
def test_event_dates_ranges_and_instructions_to_pass_on_are_not_report_requests(sentence):
    assert requests_in(sentence) == []


def test_a_number_cited_in_the_body_is_not_the_notices_number():
    parsed = parse_notice(notice(
        header="哈尔滨市妇女联合会文件\n",
        body="根据《党政机关公文处理工作条例》（中办发〔2012〕14号）的规定，现就有关事项通知如下。"))
    assert parsed.doc_number is None
    assert "中办发〔2012〕14号" in parsed.body


# --- any text ------------------------------------------------------------------------------------

NOTICE_ALPHABET = ("各县（市）区、开发区妇联，：:。；请于前将报送上报至月日年〔〕[]()【】0123456789 \n\f　"
                   "一二三〇○O十星期附件抄送印发签发人文件号关于通知函市委办公室-—")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=NOTICE_ALPHABET, max_size=400))
def test_any_text_is_read_without_error_into_the_documented_keys(text):
    fields = parse_notice(text).to_json_dict()
    assert tuple(fields) == JSON_KEYS + EXTRA_KEYS
    assert isinstance(fields["body"], str)


def test_a_recipient_line_of_nothing_but_separators_has_no_recipients():
    # Found by the property test above: a form feed between a colon and a 顿号.
    assert parse_notice("主送:\f、:\n正文。").main_recipients == ()


# --- web copies: page furniture, a 主送 line on top, glued lines ----------------------------------


def test_page_furniture_around_a_web_copy_is_not_read_as_title_recipients_or_body():
    text = ("当前位置: 首页 >> 通知公告 >> 正文\n"
            "关于开展读书月活动的通知-江州大学\n关于开展读书月活动的通知\n"
            "发布时间:2021-04-01 浏览次数: 318\n各学院:\n请各学院于4月20日前将活动总结报校团委。\n"
            "校团委\n2021年4月1日\n分享到:\n【打印】【关闭】\n")
    parsed = parse_notice(text)
    assert parsed.title == "关于开展读书月活动的通知"
    assert parsed.main_recipients == ("各学院",)
    assert parsed.body == "请各学院于4月20日前将活动总结报校团委。"
    assert (parsed.issuer, parsed.date) == ("校团委", dt.date(2021, 4, 1))


def test_a_government_metadata_block_gives_neither_title_nor_issuer():
    text = ("索引号: 0031/2019-00336 组配分类: 通知\n发布机构: 江州县人民政府办公室\n"
            "名称: 江州县人民政府关于印发工作规则的通知\n"
            "江州县人民政府关于印发工作规则的通知\n各乡镇人民政府:\n现予印发,请遵照执行。\n"
            "江州县人民政府\n2019年1月17日\n")
    parsed = parse_notice(text)
    assert parsed.title == "江州县人民政府关于印发工作规则的通知"
    assert parsed.issuer == "江州县人民政府"
    assert parsed.body == "现予印发,请遵照执行。"


def test_a_recipient_line_at_the_very_top_and_one_glued_to_the_body_are_read():
    top = parse_notice("各分工会:\n请各分工会于5月10日前将名单报校工会。\n校工会\n2021年4月29日\n")
    assert (top.title, top.main_recipients) == (None, ("各分工会",))
    glued = parse_notice("各部门: 为做好工作,请各部门于3月22日前将材料报学院工会。\n"
                         "学院工会\n2017年3月21日\n")
    assert glued.main_recipients == ("各部门",)
    assert glued.body.startswith("为做好工作")


def test_a_long_first_sentence_ending_in_a_colon_is_not_a_recipient_list():
    parsed = parse_notice("为做好疫情报告工作,对各地疫情报告进一步提出下列严格要求:\n"
                          "(一)各地要及时报告。\n卫 生 部 办 公 厅\n二○○三年四月二十日\n")
    assert parsed.main_recipients == ()
    assert parsed.issuer == "卫生部办公厅"  # letter-spaced as printed


def test_a_glued_one_line_page_gives_its_attachment_signature_and_date():
    text = ("关于推荐申报的通知\n各部门: 为深化创建活动,现将有关事项通知如下: 一、推荐条件 略。"
            "二、推荐要求 请于2017年3月22日前将材料报送学院工会。 附件:申报表 学院工会 2017年3月21日\n")
    parsed = parse_notice(text)
    assert parsed.attachments == ("申报表",)
    assert (parsed.issuer, parsed.date) == ("学院工会", dt.date(2017, 3, 21))
    assert "学院工会 2017" not in parsed.body


def test_the_last_attachment_does_not_swallow_the_signature_glued_to_it():
    text = ("关于慰问的通知\n各分会:\n请各分会9月10日前将名单报工会。\n附件: 申请表\n"
            "附件:实施办法.docx校工会\n2019年8月28日\n")
    parsed = parse_notice(text)
    assert parsed.attachments == ("申请表", "实施办法")  # the name, without the file's extension
    assert parsed.issuer == "校工会"


# --- the issuer when the 署名 does not give it --------------------------------------------------


def test_without_a_signature_the_issuer_is_the_titles_organ_and_marked_uncertain():
    parsed = parse_notice("江州市民政局关于同意设立社区的批复\n江州区民政局:\n同意。\n特此批复。\n")
    assert (parsed.issuer, parsed.kind) == ("江州市民政局", "批复")
    assert "issuer" in parsed.uncertain


def test_an_organ_alone_above_the_title_is_the_issuer_when_nothing_signs():
    parsed = parse_notice("铜冶中心校\n关于做好开学安全工作的通知\n各中小学校:\n现通知如下。\n")
    assert (parsed.issuer, parsed.title) == ("铜冶中心校", "关于做好开学安全工作的通知")


def test_a_signature_for_another_seal_a_two_character_spaced_one_and_a_joint_one():
    seal = parse_notice(notice(header="", closing="江州县妇女联合会（代章）\n2020年5月6日\n"))
    assert seal.issuer == "江州县妇女联合会"
    spaced = parse_notice(notice(header="", closing="团 委\n2007年12月19日\n"))
    assert spaced.issuer == "团委"
    joint = parse_notice(notice(header="", closing="江州区教育局基建科 安保科\n2018年6月22日\n"))
    assert joint.issuer == "江州区教育局基建科、安保科"
    assert joint.issuers == ("江州区教育局基建科", "江州区教育局安保科")


def test_a_date_that_lost_its_year_and_month_marks_is_read_when_it_has_one_reading():
    one = parse_notice(notice(header="", closing="校工会\n2021429\n"))
    assert one.date == dt.date(2021, 4, 29) and "date" in one.uncertain
    # 2021115 is 11月5日 or 1月15日: the page's own date settles it, else it stays unread.
    settled = parse_notice("日期:2021-11-05 作者:王\n" + notice(header="", closing="校工会\n2021115\n"))
    assert settled.date == dt.date(2021, 11, 5)
    unread = parse_notice(notice(header="", closing="校工会\n2021115\n"))
    assert unread.date is None and "date" in unread.uncertain


# --- report requests in the shapes notices use ----------------------------------------------------


def dated(body: str, date: str = "2024年3月1日") -> list[tuple]:
    return [(r["what"], r["to"], r["due_date"], r.get("relative", False), r.get("recurring", False))
            for r in requests_in(body, closing=f"哈尔滨市妇女联合会\n{date}\n")]


@pytest.mark.parametrize(("body", "expected"), [
    ("请于3月29日前报送活动方案至市妇联。", ("活动方案", "市妇联", "2024-03-29")),
    ("请各单位将活动方案于3月29日（星期五）前报市妇联。", ("活动方案", "市妇联", "2024-03-29")),
    ("活动方案请于3月29日下班前报市妇联办公室。", ("活动方案", "市妇联办公室", "2024-03-29")),
    ("请各单位于3月29日中午12点前将活动方案提交市妇联。", ("活动方案", "市妇联", "2024-03-29")),
    ("各单位3月29日前以单位为单位发送活动方案至邮箱fl@example.cn。",
     ("活动方案", "fl@example.cn", "2024-03-29")),
    ("请各单位填写报名表（附件），于3月29日前发送至市妇联邮箱fl@example.cn。",
     ("报名表", "fl@example.cn", "2024-03-29")),
    ("请于3月29日前报市妇联活动方案。", ("活动方案", "市妇联", "2024-03-29")),
    ("活动结束后，请及时向市妇联报送活动总结。", ("活动总结", "市妇联", None)),
])
def test_a_request_is_read_in_each_shape_notices_write_it(body, expected):
    assert dated(body) == [(*expected, False, False)]


def test_a_deadline_broken_over_two_lines_is_one_deadline():
    assert dated("请各单位于3月\n29日前将活动方案报市妇联。") == [
        ("活动方案", "市妇联", "2024-03-29", False, False)]


def test_a_stated_deadline_dates_the_request_that_refers_to_it():
    body = ("一、报送时间\n截止时间为3月29日。\n二、报送要求\n"
            "请在规定时间内将活动方案报送至市妇联办公室。")
    assert dated(body) == [("活动方案", "市妇联办公室", "2024-03-29", False, False)]


def test_a_relative_deadline_counts_from_the_notices_date_and_is_marked_relative():
    # 2024-09-27 is a Friday; the National Day holiday follows (and 9-29 is a make-up workday).
    assert dated("请于收到通知后5个工作日内将自查报告报市妇联。", "2024年9月27日") == [
        ("自查报告", "市妇联", "2024-10-10", True, False)]
    # 2024-03-04 is a Monday: 本周四 is the 7th.
    assert dated("请各单位本周四前将名单报市妇联。", "2024年3月4日") == [
        ("名单", "市妇联", "2024-03-07", True, False)]


def test_a_recurring_request_keeps_its_words_and_has_no_single_date():
    (request,) = requests_in("请各单位每季度末将工作进展报送市妇联办公室。",
                             closing="哈尔滨市妇女联合会\n2024年3月1日\n")
    assert (request["what"], request["to"], request["due_date"], request["recurring"],
            request["deadline_text"]) == ("工作进展", "市妇联办公室", None, True, "每季度末")


def test_one_sentence_asking_for_two_copies_gives_two_requests_with_one_deadline():
    assert dated("请于3月29日前将电子版发送至fl@example.cn，纸质版送至市妇联办公室。") == [
        ("电子版", "fl@example.cn", "2024-03-29", False, False),
        ("纸质版", "市妇联办公室", "2024-03-29", False, False)]


def test_a_request_inside_a_sentence_that_forwards_a_notice_is_still_read():
    assert dated("现将省妇联通知转发给你们，请于3月29日前将推荐表报市妇联。") == [
        ("推荐表", "市妇联", "2024-03-29", False, False)]


@pytest.mark.parametrize("sentence", [
    "如有特殊情况，需报大会筹备工作领导小组审批。",
    "各部门要及时向分管校领导报告。",
    "本人书面申请，说明原因，分工会签上意见报工会。",
])
def test_conditions_procedures_and_reporting_to_leaders_are_not_requests(sentence):
    assert requests_in(sentence) == []


def test_a_label_or_site_words_before_a_page_title_are_not_a_recipient_line():
    text = ("全球热恋下载:江州县统计局关于印发报送制度的通知\n摘要:江州县统计局关于印发报送制度的通知\n"
            "江州县统计局关于印发报送制度的通知\n各乡(镇)人民政府统计机构:\n现予印发。\n"
            "江州县统计局\n2011年3月20日\n")
    parsed = parse_notice(text)
    assert parsed.title == "江州县统计局关于印发报送制度的通知"
    assert parsed.main_recipients == ("各乡(镇)人民政府统计机构",)


def test_attachments_numbered_in_chinese_and_a_print_line_with_its_copies():
    text = ("关于印发制度的通知\n各乡镇:\n现予印发。\n附件一:农业统计报表制度\n附件二:工业统计报表制度\n"
            "二〇一一年三月二十日\n主题词:统计 通知\n江州县统计局办公室 2011年3月20日印发 (共印45份)\n")
    parsed = parse_notice(text)
    assert parsed.attachments == ("农业统计报表制度", "工业统计报表制度")
    assert (parsed.printed_by, parsed.print_date) == ("江州县统计局办公室", dt.date(2011, 3, 20))


def test_a_date_cut_to_its_year_leaves_the_signature_above_it_signing():
    parsed = parse_notice("关于推荐的通知\n各乡镇妇联:\n请于1月15日前将推荐表报县妇联。\n"
                          "附件:1.推荐表\n2.汇总表\n江州县妇女联合会\n2021\n")
    assert parsed.issuer == "江州县妇女联合会"
    assert parsed.attachments == ("推荐表", "汇总表")
    assert parsed.date is None and "date" in parsed.uncertain


def test_a_report_time_stated_after_what_is_reported_dates_it():
    assert dated("年报数据通过网络逐级上报，上报时间为2024年2月18日，"
                 "其中农民负担统计表（表八）上报时间调整为2024年2月10日前。") == [
        ("年报数据", None, "2024-02-18", False, False),
        ("农民负担统计表", None, "2024-02-10", False, False)]


def test_contact_lines_are_paragraphs_of_their_own_on_web_copies():
    parsed = parse_notice("关于慰问的通知\n各单位:\n请于2月27日前将登记表报校工会办公室。\n"
                          "联系人:周敏 65735039\n祝节日快乐。\n校工会\n2012年2月23日\n")
    # (A page's own spaces are kept: only a PDF's hard-wrapped lines are closed up.)
    assert parsed.body.splitlines() == ["请于2月27日前将登记表报校工会办公室。", "联系人:周敏 65735039",
                                        "祝节日快乐。"]


def test_two_organs_signing_on_one_line_one_of_them_letter_spaced():
    parsed = parse_notice(notice(header="", closing="学生工作部(处) 保 卫 处\n2005年9月23日\n"))
    assert parsed.issuers == ("学生工作部(处)", "保卫处")


def test_a_request_with_a_deadline_and_no_receiver_and_one_whose_time_follows_it():
    assert dated("各学院要于3月9日上午10:00前将学生返校情况通过系统提报。") == [
        ("学生返校情况", None, "2024-03-09", False, False)]
    assert dated("各单位要将活动计划书面报市妇联，并附照片，于3月13日以前传市妇联。") == [
        ("活动计划", "市妇联", "2024-03-13", False, False)]


def test_attachment_names_closed_by_a_stray_full_stop_are_two_names():
    parsed = parse_notice("关于订阅的通知\n各单位:\n请订阅。\n附件(下载):\n邮发代号查询 。\n《订阅登记表》 。\n"
                          "党委宣传部\n2012年11月13日\n")
    assert parsed.attachments == ("邮发代号查询", "《订阅登记表》")


def test_an_indented_line_starts_a_paragraph_and_a_publisher_line_is_the_page_s():
    parsed = parse_notice("关于评比的通知\n发布人:林同学\n各团支部:\n      评比大会地点定于院楼B103\n"
                          "      请各支部做好准备。\n学院团委\n2019年4月22日\n")
    assert parsed.main_recipients == ("各团支部",)
    assert parsed.body.splitlines() == ["评比大会地点定于院楼B103", "请各支部做好准备。"]


def test_what_an_organ_will_do_with_将_before_从_is_no_request():
    assert dated("本次评比将从参评支部中遴选出达标支部并上报校团委。") == []
    assert dated("请各支部将推荐名单上报校团委。") == [("推荐名单", "校团委", None, False, False)]


def test_a_label_before_a_request_and_a_place_before_its_receiver():
    assert dated("纸质版提交要求:3月19日中午12:00前交至行政楼1A209团委办公室。") == [
        ("纸质版", "团委办公室", "2024-03-19", False, False)]
    assert dated("电子版提交要求:3月19日前各团总支将汇总表电子版发送至邮箱:tw@example.cn。") == [
        ("汇总表",  # the form (电子版) is no part of what is sent
        "tw@example.cn", "2024-03-19", False, False)]


def test_a_contact_line_after_the_last_attachment_is_no_part_of_its_name():
    parsed = parse_notice("关于推报的通知\n各团支部:\n请认真推报。\n附件:1、申报条件\n2、申报汇总表\n"
                          "联系人:校团委 殷老师 0769-23306019\n")
    assert parsed.attachments == ("申报条件", "申报汇总表")


def test_a_number_before_the_title_on_its_line_is_the_notice_s_number():
    parsed = parse_notice("徐师大保〔2005〕3号 关于做好寒假期间安全工作的通知\n各院系:\n请做好安全工作。\n"
                          "二○○五年一月十四日\n")
    assert parsed.title == "关于做好寒假期间安全工作的通知"
    assert parsed.to_json_dict()["doc_number"]["normalized"] == "徐师大保〔2005〕3号"


def test_what_is_checked_or_found_is_not_sent_and_an_object_serves_the_next_sentence_only():
    assert dated("对办公室的安全情况进行一次自查，发现问题及时上报有关部门。") == []
    assert dated("值班要做到信息畅通，发现异常情况及时报告。宿舍不得存放现金。"
                 "大型活动要提前报告给保卫处。") == []


def test_furniture_of_school_pages_and_plain_各_names_split_at_the_pause_mark():
    parsed = parse_notice("学校logo\n您目前的位置: 首页» 通知公告» 党建工作\n关于年终结账的通知\n"
                          "各二级学院、处室:\n请合理安排报销时间。\n财务处\n2017年12月13日\n")
    assert parsed.title == "关于年终结账的通知"
    assert parsed.main_recipients == ("各二级学院", "处室")
    assert parse_notice("关于报账的通知\n全校各部门、单位:\n请报账。\n财务处\n2017年12月13日\n"
                        ).main_recipients == ("全校各部门、单位",)


def test_what_a_paper_is_made_out_as_is_what_is_sent():
    assert dated("确有特殊情况不能办理的，请出具书面说明经分管领导审批后送交财务处。") == [
        ("书面说明", "财务处", None, False, False)]


def test_a_line_ending_in_a_telephone_number_and_特此通知_are_paragraphs_of_their_own():
    parsed = parse_notice("关于归档的通知\n各部门:\n请按时移交档案。\n档案管理科:82288090\n特此通知。\n"
                          "档案馆\n2018年4月3日\n")
    assert parsed.body.splitlines() == ["请按时移交档案。", "档案管理科:82288090", "特此通知。"]


def test_a_long_place_name_shares_all_of_the_unit_words_after_the_next_place():
    assert split_recipients("十堰经济技术开发区、武当山旅游经济特区管委会普查办公室,市直各单位:") == [
        "十堰经济技术开发区管委会普查办公室", "武当山旅游经济特区管委会普查办公室", "市直各单位"]


def test_archives_and_persons_reported_to_a_hall():
    assert dated("各部门,需要移交的档案,务必在2024年5月30日以前移交到学校档案馆。") == [
        ("需要移交的档案", "学校档案馆", "2024-05-30", False, False)]
    assert dated("请各单位在3月22日前,将本部门兼职档案人员报到档案馆,以便发文公布。") == [
        ("兼职档案人员",  # the asked unit's own 本部门 is no part of it
        "档案馆", "2024-03-22", False, False)]


def test_a_list_imported_or_made_public_is_what_the_next_clause_sends():
    assert dated("各学院于2024年5月4日前将名单导入系统，主管部门于同一时间导入学生干部名单，"
                 "并发送到tw@example.cn。") == [("学生干部名单", "tw@example.cn", "2024-05-04", False, False)]
    assert dated("4、公示：各学院在本院公示人选名单，公示无异议后于2024年5月20日前报学生处。") == [
        ("人选名单", "学生处", "2024-05-20", False, False)]


def test_a_site_s_head_links_and_column_labels_are_furniture():
    parsed = parse_notice("设为首页|加入收藏\n首页\n通知通告\n首页 > 通知通告 > 正文\n关于评选十佳大学生的通知\n"
                          "各教学单位:\n请组织评选。\n学生工作处\n2022年4月8日\n")
    assert (parsed.title, parsed.kind, parsed.main_recipients) == (
        "关于评选十佳大学生的通知", "通知", ("各教学单位",))


def test_a_heading_without_a_number_is_a_paragraph_of_its_own():
    parsed = parse_notice("关于报送总结的通知\n各团委:\n现通知如下:\n报送时间和方式\n请于7月8日前报送总结。\n"
                          "团省委办公室\n2021年7月5日\n")
    assert parsed.body.splitlines() == ["现通知如下:", "报送时间和方式", "请于7月8日前报送总结。"]


def test_a_receiver_with_its_place_and_person_and_a_paper_sent_later():
    assert dated("请于3月6日前将电子版发送至督导办李霞老师办公平台邮箱，纸质版送至教师办公楼二楼"
                 "内科护理教研室李霞老师处。") == [
        ("电子版", "督导办", "2024-03-06", False, False),
        ("纸质版", "内科护理教研室", "2024-03-06", False, False)]
    assert dated("请于3月8日前将材料电子版报送至团省委办公室，纸质版随后送达。") == [
        ("材料",  # the form (电子版) is no part of what is sent
        "团省委办公室", "2024-03-08", False, False), ("纸质版", None, None, False, False)]


def test_a_signature_and_its_date_on_one_line():
    parsed = parse_notice("全校各二级单位: 请开展消防安全宣传活动。 特此通知\n校消防安全管理办公室 2013年11月7日\n")
    assert (parsed.issuer, parsed.date) == ("校消防安全管理办公室", dt.date(2013, 11, 7))
    assert parsed.body == "请开展消防安全宣传活动。 特此通知"  # the page's own space kept


def test_persons_by_their_role_receive_and_a_time_counted_from_an_event_dates_nothing():
    assert dated("请提前将学习方案、发言材料提前发给列席旁听人员。") == [
        ("学习方案、发言材料", "列席旁听人员", None, False, False)]
    assert dated("列席旁听人员参加完后，在10个工作日内将列席旁听情况小结发送至学校党委宣传部邮箱:"
                 "xcb@example.cn。") == [("列席旁听情况小结", "xcb@example.cn", None, False, False)]


def test_the_asked_unit_s_own_list_and_a_person_on_a_floor_of_the_receiver():
    assert dated("请各工会将本单位的在职女教职工名单于3月5日报送到校工会四楼谷昕老师处。") == [
        ("本单位的在职女教职工名单", "校工会", "2024-03-05", False, False)]


def test_the_issuer_s_own_step_is_no_request_and_a_paper_sent_through_a_network():
    assert dated("4. 9月30日，学校将数据网上报省教育厅。") == []
    assert dated("于2024年11月13日前将书面材料报送市政府办公厅，并将电子文档通过金宏网发送至市政府督查室。") == [
        ("书面材料", "市政府办公厅", "2024-11-13", False, False),
        ("电子文档", "市政府督查室", "2024-11-13", False, False)]


def test_a_question_mark_left_for_a_lost_character_and_a_legal_database_s_buttons():
    parsed = parse_notice("返回按钮\n详情\n厦门市人民政府办公厅关于征集材料的通知\n(厦府办〔2009〕255号)\n"
                          "各区人民政府,市直各委、办、局:?\n现就征集工作通知如下:?\n厦门市人民政府办公厅\n"
                          "二OO九年十月二十日\n")
    assert parsed.main_recipients == ("各区人民政府", "市直各委、办、局")
    assert parsed.title == "厦门市人民政府办公厅关于征集材料的通知"
    assert parsed.body == "现就征集工作通知如下:"
