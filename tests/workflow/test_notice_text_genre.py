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


# --- 主送: how a careful reader splits a list ---------------------------------------------------------


def recipients(line: str) -> list[str]:
    return read(f"关于开会的通知\n{line}\n请参会。\n某某局\n2020年5月6日\n")["main_recipients"]


def test_single_places_in_a_list_each_take_the_organ_word_at_its_end():
    assert recipients("各市、州、林区卫生局：") == ["各市卫生局", "州卫生局", "林区卫生局"]


def test_a_place_joined_by_ji_takes_the_organ_word_of_the_name_after_it():
    assert recipients("各市、州及有关县（市）农业局：") == ["各市农业局", "州农业局", "有关县（市）农业局"]


def test_a_kind_of_body_after_a_qualified_first_name_shares_its_leading_words():
    assert recipients("区属各中学、幼儿园：") == ["区属各中学、幼儿园"]
    assert recipients("各县市区委、人民政府：") == ["各县市区委、人民政府"]


def test_a_name_with_its_own_ge_is_a_name_of_its_own():
    assert recipients("市政府各部门、各直属机构：") == ["市政府各部门", "各直属机构"]


def test_the_short_names_of_mass_organisations_are_names_of_units():
    assert recipients("各市团委、学联，各高校学生会：") == ["各市团委、学联", "各高校学生会"]


def test_a_page_label_above_the_recipients_line_is_not_part_of_it():
    fields = read("关于开会的通知\n护眼模式:\n各科室、各中心：\n请参会。\n某某局\n2020年5月6日\n")
    assert fields["main_recipients"] == ["各科室", "各中心"]


# --- page furniture before the title ------------------------------------------------------------------


def test_a_date_with_the_time_of_day_is_the_page_stamp_not_the_notice():
    fields = read("2020年5月7日 09:12\n关于开会的通知\n各科室：\n请参会。\n某某局\n2020年5月6日\n")
    assert fields["main_recipients"] == ["各科室"]
    assert fields["body"] == "请参会。"


def test_a_column_name_above_a_whole_title_is_no_part_of_it():
    fields = read("公告栏\n关于开会的通知\n各科室：\n请参会。\n某某局\n2020年5月6日\n")
    assert fields["title"] == "关于开会的通知"


def test_labels_of_the_page_before_the_title_are_no_part_of_it():
    fields = read("主题:\n某某局关于开会的通知\n时限:\n截止:2020-05-10\n"
                  "某某局关于开会的通知\n各科室：\n请参会。\n")
    assert fields["title"] == "某某局关于开会的通知"
    assert fields["main_recipients"] == ["各科室"]


def test_a_number_in_square_brackets_after_the_title_is_the_notices_number():
    fields = read("某某厅办公室关于报送情况的通知(某农办函[2011]38号)\n各市农业局：\n请报送。\n")
    assert fields["title"] == "某某厅办公室关于报送情况的通知"
    assert fields["doc_number"]["normalized"] == "某农办函〔2011〕38号"


def test_a_summary_the_page_prints_before_the_notice_is_not_read():
    fields = read("某某局关于开会的通知\n核心提示: 各科室: 为做好工作\n各科室：\n为做好工作，请参会。\n")
    assert fields["main_recipients"] == ["各科室"]
    assert fields["body"] == "为做好工作，请参会。"


# --- 发文机关 ---------------------------------------------------------------------------------------


def test_a_breadcrumb_ending_in_documents_is_not_the_issuers_mark():
    fields = read(">首页 >政务公开 >本局文件\n某某局关于开会的通知\n各科室：\n请参会。\n"
                  "某某市某某局\n2020年5月6日\n")
    assert fields["issuer"] == "某某市某某局"


def test_an_issuers_mark_set_over_two_lines_is_one_mark():
    fields = read("共青团某某\n市委文件\n某团发〔2020〕3号\n关于开会的通知\n各团委：\n请参会。\n")
    assert fields["issuer"] == "共青团某某市委"


def test_the_title_gives_the_issuers_name_in_full_where_the_signature_shortens_it():
    fields = read("某某市某某区区委组织部办公室关于开会的通知\n各单位：\n请参会。\n"
                  "区委组织部办公室\n2020年5月6日\n")
    assert fields["issuer"] == "某某市某某区区委组织部办公室"
    assert "issuer" not in fields["uncertain"]


# --- 报送要求 ---------------------------------------------------------------------------------------


def requests(sentence: str, date: str = "2024年3月20日") -> list[tuple]:
    text = f"关于报送材料的通知\n各科室：\n{sentence}\n某某市某某局\n{date}\n"
    return [(r["what"], r["to"], r["due_date"], r.get("relative", False), r.get("recurring", False))
            for r in read(text)["report_requests"]]


def test_a_day_without_its_month_is_that_day_of_the_month_the_notice_is_dated_in():
    assert requests("请于29日下班前将工作总结报市某局。") == [
        ("工作总结", "市某局", "2024-03-29", False, False)]


def test_a_day_without_its_month_before_the_notices_day_is_in_the_next_month():
    assert requests("请于5日前将工作总结报市某局。") == [("工作总结", "市某局", "2024-04-05", False, False)]


def test_the_next_months_day_in_a_monthly_report_recurs():
    assert requests("月报每月报送一次，当月的数据请在次月10日前报送市某局。") == [
        ("当月的数据", "市某局", None, False, True)]


def test_every_quarters_end_recurs_and_has_no_single_date():
    assert requests("请每季度末将工作进展情况报区督查组。") == [
        ("工作进展情况", "区督查组", None, False, True)]


def test_working_days_after_the_notice_are_counted_from_its_date_and_marked_relative():
    # Dated Friday 2024-03-22: five working days on is Friday 2024-03-29.
    assert requests("请于收到通知后5个工作日内将工作总结报市某局。", "2024年3月22日") == [
        ("工作总结", "市某局", "2024-03-29", True, False)]


def test_the_form_a_thing_is_sent_in_is_no_part_of_what_is_sent():
    assert requests("请于3月29日前将推荐材料电子版和纸质版报送市某局。") == [
        ("推荐材料", "市某局", "2024-03-29", False, False)]


def test_who_signs_it_before_it_is_sent_and_how_it_goes_are_no_part_of_it():
    assert requests("请于3月29日上午下班前，将修改意见经单位负责人签字后，通过邮箱反馈至市某办。") == [
        ("修改意见", "市某办", "2024-03-29", False, False)]


def test_nominating_to_a_unit_is_a_request_and_a_range_of_items_is_no_part_of_it():
    assert requests("请于3月29日前向市某局推荐1-2件优秀案例。") == [
        ("优秀案例", "市某局", "2024-03-29", False, False)]


def test_the_asked_units_owner_words_are_no_part_of_what_is_sent():
    assert requests("请于3月29日前将本部门工作总结报市某局。") == [
        ("工作总结", "市某局", "2024-03-29", False, False)]


def test_what_the_receiver_then_does_is_not_asked_of_the_recipients():
    assert requests("请于3月29日前将工作总结报区督查组，由区督查组汇总后报区政府。") == [
        ("工作总结", "区督查组", "2024-03-29", False, False)]


def test_a_list_closed_by_deng_is_still_a_thing_sent_and_a_duty_closed_by_deng_is_not():
    assert requests("请于3月29日前将方案、材料等报市某局。") == [
        ("方案、材料等", "市某局", "2024-03-29", False, False)]
    assert requests("各科室要做好安全保卫等，有情况及时报市某局。") == []


# --- 正文 -----------------------------------------------------------------------------------------


def test_a_web_copys_body_keeps_the_spaces_the_page_gives_full_width_ones_too():
    fields = read("关于开会的通知\n各科室：\n请于“五一” 前报名。\n联系人:张 某\u3000电话:12345678\n"
                  "某某局\n2020年4月6日\n")
    assert fields["body"] == "请于“五一” 前报名。\n联系人:张 某\u3000电话:12345678"


def test_a_pdfs_hard_wrapped_lines_are_closed_up_and_joined():
    line = "为做好本年度的各项工作，现将有关事项通知如下，请各单位认真"
    text = ("关于开会的通知\n各科室：\n" + (line + "\n") * 6 + "贯彻 执行。\n某某局\n2020年4月6日\n")
    assert read(text)["body"] == line * 6 + "贯彻执行。"


def test_a_thing_named_before_please_is_what_is_sent():
    assert requests("推荐表请于10月底前以电子稿形式发送我委秘书处。") == [
        ("推荐表", "我委秘书处", "2024-10-31", False, False)]


def test_a_purpose_clause_names_nothing_sent():
    assert requests("各单位要认真核对，以免造成重复统计，并于3月29日前报送市某局。") == []


def test_a_deadline_under_its_own_heading_dates_the_items_asked_without_please():
    body = "一、时间：4月15日前\n二、要求：\n（一）根据实际填写《人员统计表》，并传真至区服务中心。"
    assert requests(body) == [("《人员统计表》", "区服务中心", "2024-04-15", False, False)]


def test_a_sites_organ_line_above_a_title_that_names_its_own_organ_is_no_part_of_it():
    fields = read("某某省某某市人民政府\n某某市人民政府关于印发办法的通知\n各县区人民政府：\n现将办法印发给你们。\n")
    assert fields["title"] == "某某市人民政府关于印发办法的通知"
    assert fields["issuer"] == "某某市人民政府"


def test_a_committees_department_wrapped_onto_the_next_line_of_the_signature_is_one_organ():
    fields = read("关于开会的通知\n各科室：\n请参会。\n中共某某县委\n宣传部\n2020年5月6日\n")
    assert (fields["issuer"], fields["issuers"]) == ("中共某某县委宣传部", ["中共某某县委宣传部"])


def test_short_organs_signing_one_under_another_stay_a_joint_issue():
    fields = read("关于开会的通知\n各科室：\n请参会。\n纪委\n党委办公室\n2020年5月6日\n")
    assert fields["issuers"] == ["纪委", "党委办公室"]


def test_organs_stacked_in_a_joint_mark_are_each_an_issuer():
    fields = read("某某县妇女联合会\n某某县教育局文件\n某妇发〔2020〕3号\n关于开会的通知\n各科室：\n"
                  "请参会。\n2020年5月6日\n")
    assert (fields["issuer"], fields["issuers"]) == (
        "某某县妇女联合会、某某县教育局", ["某某县妇女联合会", "某某县教育局"])


# --- glued one-line layouts and broken closings -------------------------------------------------------


def test_a_title_recipients_and_body_run_into_one_line_are_read_apart():
    fields = read("关于开会的通知 各科室: 请于3月29日前将名单报校工会。 附件:1.报名表 2.汇总表 "
                  "校工会 2024年3月20日")
    assert (fields["title"], fields["main_recipients"]) == ("关于开会的通知", ["各科室"])
    assert (fields["issuer"], fields["date"]) == ("校工会", "2024-03-20")
    assert fields["attachments"] == ["报名表", "汇总表"]
    assert fields["body"] == "请于3月29日前将名单报校工会。"


def test_a_signature_right_after_the_last_full_stop_of_a_one_line_copy_signs_it():
    fields = read("各科室:为做好工作,请按时参会。特此通知。校工会 2024年3月20日")
    assert (fields["issuer"], fields["date"]) == ("校工会", "2024-03-20")
    assert fields["body"] == "为做好工作,请按时参会。特此通知。"


def test_the_last_attachment_does_not_swallow_the_signature_run_into_it():
    fields = read("关于开会的通知\n各科室:\n请参会。\n附件:1.报名表\n2.汇总表校工会\n2024年3月20日\n")
    assert fields["attachments"] == ["报名表", "汇总表"]
    assert fields["issuer"] == "校工会"


def test_a_date_broken_over_two_lines_is_one_date():
    fields = read("关于开会的通知\n各科室:\n请参会。\n校工会\n2024年3月\n20日\n")
    assert (fields["issuer"], fields["date"], fields["body"]) == ("校工会", "2024-03-20", "请参会。")


def test_a_copy_opening_with_its_recipients_without_colon_or_title_reads_them_and_says_so():
    fields = read("各学院、各部门\n为做好工作，请参会。\n校工会\n2024年3月20日\n")
    assert (fields["title"], fields["main_recipients"]) == (None, ["各学院", "各部门"])
    assert fields["body"] == "为做好工作，请参会。"
    assert "main_recipients" in fields["uncertain"]


def test_a_long_sentence_ending_in_a_colon_is_not_taken_for_the_recipients():
    fields = read("关于开会的通知\n根据上级有关部门、各区县妇联和社会各界的意见建议以及各有关单位的安排：\n"
                  "一、时间。\n校工会\n2024年3月20日\n")
    assert fields["main_recipients"] == []


def test_next_weeks_day_is_that_day_of_the_calendar_week_after_the_notices():
    # Dated Wednesday 2024-03-20: 下周一 is Monday 2024-03-25, 下星期五 Friday 2024-03-29.
    assert requests("请将有关材料于下周一前报送市某局。") == [
        ("有关材料", "市某局", "2024-03-25", True, False)]
    assert requests("请将有关材料于下星期五前报送市某局。") == [
        ("有关材料", "市某局", "2024-03-29", True, False)]


def test_a_teacher_named_by_surname_after_the_office_is_no_part_of_the_receiver():
    assert requests("请于3月29日前将总结交校团委办公室张老师处。") == [
        ("总结", "校团委办公室", "2024-03-29", False, False)]
