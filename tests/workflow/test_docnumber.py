"""发文字号: the standard form, the tolerant reading of real-world variants, and finding citations."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow.docnumber import DocNumber, find_numbers, format_number, parse_number
from workflow.errors import InvalidInput

HAN = re.compile("[\u4e00-\u9fff]")

BRACKET_PAIRS = ["〔〕", "[]", "［］", "()", "（）", "【】", "﹝﹞", "〖〗"]
OPENS = [pair[0] for pair in BRACKET_PAIRS]
CLOSES = [pair[1] for pair in BRACKET_PAIRS]


def refused_in_chinese(call, *args, containing: str = "") -> str:
    """Run call(*args), require InvalidInput with a Chinese message, and return the message."""
    with pytest.raises(InvalidInput) as caught:
        call(*args)
    message = str(caught.value)
    assert HAN.search(message), message
    assert containing in message, message
    return message


# --- format_number -------------------------------------------------------------------------------


def test_a_number_is_formatted_with_hexagonal_brackets_and_no_leading_zero():
    assert format_number("哈妇发", 2015, 9) == "哈妇发〔2015〕9号"


def test_a_large_serial_is_written_in_full():
    assert format_number("国办发", 2024, 123) == "国办发〔2024〕123号"


def test_a_code_with_letters_and_digits_is_formatted_as_given():
    assert format_number("国科发SZ2", 2020, 1) == "国科发SZ2〔2020〕1号"


def test_spaces_around_the_code_are_stripped_when_formatting():
    assert format_number("  哈妇发 ", 2015, 9) == "哈妇发〔2015〕9号"


def test_the_first_and_last_allowed_years_are_formatted():
    assert format_number("政发", 1949, 1) == "政发〔1949〕1号"
    assert format_number("政发", 2999, 1) == "政发〔2999〕1号"


@pytest.mark.parametrize("code", ["", "   ", None, 42])
def test_an_empty_or_missing_code_is_refused(code):
    refused_in_chinese(format_number, code, 2015, 9, containing="机关代字")


@pytest.mark.parametrize("code", ["哈妇 发", "哈妇发〔", "哈(妇)发", "哈妇发[", "哈妇、发", "哈妇发号!"])
def test_a_code_with_brackets_spaces_or_punctuation_is_refused(code):
    refused_in_chinese(format_number, code, 2015, 9, containing="机关代字")


@pytest.mark.parametrize("year", [15, 1948, 3000, 20150, -2015, 0])
def test_a_year_outside_1949_to_2999_is_refused(year):
    refused_in_chinese(format_number, "哈妇发", year, 9, containing="年份")


@pytest.mark.parametrize("year", ["2015", 2015.0, None, True])
def test_a_year_that_is_not_an_integer_is_refused(year):
    refused_in_chinese(format_number, "哈妇发", year, 9, containing="年份")


@pytest.mark.parametrize("serial", [0, -1, "9", 9.0, None, True, 100_000, 2**63])
def test_a_serial_that_is_not_a_positive_integer_is_refused(serial):
    refused_in_chinese(format_number, "哈妇发", 2015, serial, containing="发文字号的顺序号必须是 1 至 99999 之间的整数")


# --- DocNumber -----------------------------------------------------------------------------------


def test_a_doc_number_normalizes_to_the_standard_form():
    assert DocNumber("长妇通字", 2016, 4).normalized == "长妇通字〔2016〕4号"


def test_a_doc_number_cannot_be_built_from_invalid_parts():
    refused_in_chinese(DocNumber, "长妇通字", 2016, 0)
    refused_in_chinese(DocNumber, "长妇通字", 16, 4)
    refused_in_chinese(DocNumber, "", 2016, 4)


def test_doc_numbers_with_the_same_parts_are_equal_and_hashable():
    assert DocNumber("哈妇发", 2015, 9) == DocNumber("哈妇发", 2015, 9)
    assert len({DocNumber("哈妇发", 2015, 9), DocNumber("哈妇发", 2015, 9)}) == 1


# --- parse_number: the seeds ---------------------------------------------------------------------


def test_the_seed_number_with_ascii_square_brackets_parses_and_normalizes():
    number = parse_number("长妇通字[2016]4号")
    assert number == DocNumber("长妇通字", 2016, 4)
    assert number.code == "长妇通字" and number.year == 2016 and number.serial == 4
    assert number.normalized == "长妇通字〔2016〕4号"


def test_the_seed_number_with_a_space_before_hao_parses_to_serial_nine():
    number = parse_number("哈妇发〔2015〕9 号")
    assert number == DocNumber("哈妇发", 2015, 9)
    assert number.normalized == "哈妇发〔2015〕9号"


# --- parse_number: variants ----------------------------------------------------------------------


@pytest.mark.parametrize("pair", BRACKET_PAIRS)
def test_every_bracket_variant_is_accepted(pair):
    opening, closing = pair
    assert parse_number(f"哈妇发{opening}2015{closing}9号") == DocNumber("哈妇发", 2015, 9)


@pytest.mark.parametrize("text", ["长妇通字[2016)4号", "长妇通字（2016〕4号", "长妇通字【2016]4号"])
def test_mismatched_brackets_are_accepted_as_typos(text):
    assert parse_number(text) == DocNumber("长妇通字", 2016, 4)


@pytest.mark.parametrize(
    "text",
    [
        " 哈妇发〔2015〕9号 ",
        "哈 妇 发〔2015〕9号",
        "哈妇发 〔 2015 〕 9 号",
        "哈妇发\u3000〔2015〕\u30009号",
        "哈妇发\t〔2015〕\n9号",
        "哈 妇 发 ( 2015 ) 第 9 号",
    ],
)
def test_spaces_anywhere_are_ignored(text):
    assert parse_number(text) == DocNumber("哈妇发", 2015, 9)


def test_full_width_digits_are_read_as_ordinary_digits():
    assert parse_number("哈妇发〔２０１５〕９号") == DocNumber("哈妇发", 2015, 9)


def test_full_width_letters_in_the_code_are_read_as_ordinary_letters():
    assert parse_number("国科发ＳＺ〔2020〕1号") == DocNumber("国科发SZ", 2020, 1)


def test_di_before_the_serial_is_dropped():
    assert parse_number("哈妇发〔2015〕第9号") == DocNumber("哈妇发", 2015, 9)


@pytest.mark.parametrize("serial_text", ["09", "009", "0009"])
def test_leading_zeros_in_the_serial_are_dropped(serial_text):
    assert parse_number(f"哈妇发〔2015〕{serial_text}号").normalized == "哈妇发〔2015〕9号"


def test_a_missing_hao_at_the_end_is_accepted():
    assert parse_number("哈妇发〔2015〕9") == DocNumber("哈妇发", 2015, 9)


def test_a_code_with_letters_and_digits_parses():
    assert parse_number("国科发SZ2[2020]1号") == DocNumber("国科发SZ2", 2020, 1)


# --- parse_number: refusals ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["哈妇发〔15〕9号", "长妇通字[16]4号"])
def test_a_two_digit_year_is_refused_because_the_standard_requires_the_full_year(text):
    refused_in_chinese(parse_number, text, containing="年份须写全四位")


@pytest.mark.parametrize("text", ["哈妇发〔201〕9号", "哈妇发〔20150〕9号"])
def test_a_year_of_other_than_four_digits_is_refused(text):
    refused_in_chinese(parse_number, text, containing="年份")


@pytest.mark.parametrize("text", ["哈妇发〔1900〕9号", "哈妇发〔3000〕9号"])
def test_a_four_digit_year_out_of_range_is_refused(text):
    refused_in_chinese(parse_number, text, containing="年份")


@pytest.mark.parametrize("text", ["哈妇发〔2015〕0号", "哈妇发〔2015〕000号"])
def test_a_zero_serial_is_refused(text):
    refused_in_chinese(parse_number, text, containing="顺序号必须是 1 至 99999 之间的整数")


@pytest.mark.parametrize("text", ["", "   ", None])
def test_an_empty_text_is_refused(text):
    refused_in_chinese(parse_number, text, containing="不能为空")


@pytest.mark.parametrize(
    "text",
    [
        "哈妇发2015年9号",
        "〔2015〕9号",
        "哈妇发〔2015〕",
        "哈妇发〔2015〕号",
        "哈妇发〔〕9号",
        "哈妇发〔2015〕9号文",
        "哈妇发〔2015〕9号9号",
        "哈妇发〔二〇一五〕9号",
        "哈妇发〔2015〕九号",
        "哈妇发、〔2015〕9号",
        "哈妇发<2015>9号",
        "关于开展工作的通知",
    ],
)
def test_text_that_is_not_a_number_is_refused_naming_the_text(text):
    refused_in_chinese(parse_number, text, containing=f"无法识别的发文字号：{text}")


# --- find_numbers --------------------------------------------------------------------------------


def test_find_numbers_returns_both_numbers_cited_in_a_paragraph_in_order():
    paragraph = (
        "为贯彻落实《党政机关公文处理工作条例》（中办发〔2012〕14号）和"
        "《关于进一步做好妇女工作的通知》（哈妇发[2015]09号）精神，现就有关事项通知如下。"
    )
    assert find_numbers(paragraph) == [
        DocNumber("中办发", 2012, 14),
        DocNumber("哈妇发", 2015, 9),
    ]


def test_find_numbers_tolerates_spaces_full_width_digits_and_di_around_the_year_and_serial():
    text = "详见 长妇通字 （２０１６） 第 ４ 号 文件。"
    assert find_numbers(text) == [DocNumber("长妇通字", 2016, 4)]


def test_find_numbers_drops_a_citation_word_glued_to_the_code():
    assert find_numbers("根据中办发〔2012〕14号文件要求") == [DocNumber("中办发", 2012, 14)]


def test_find_numbers_cuts_the_code_after_a_citation_word_in_the_middle_of_the_run():
    assert find_numbers("现再次重申哈妇发〔2015〕9号的要求") == [DocNumber("哈妇发", 2015, 9)]


def test_find_numbers_does_not_cut_a_single_character_that_may_begin_a_code():
    assert find_numbers("（哈经信发〔2019〕3号）") == [DocNumber("哈经信发", 2019, 3)]


def test_find_numbers_starts_the_code_after_digits_or_letters_before_it():
    assert find_numbers("见附件2哈妇发〔2015〕9号") == [DocNumber("哈妇发", 2015, 9)]


def test_find_numbers_does_not_find_a_code_that_ends_in_letters():
    assert find_numbers("（国科发SZ〔2020〕1号）") == []


def test_find_numbers_takes_only_the_last_ten_characters_of_a_long_run():
    found = find_numbers("甲乙丙丁戊己庚辛壬癸子丑〔2020〕1号")
    assert [n.code for n in found] == ["丙丁戊己庚辛壬癸子丑"]


def test_find_numbers_keeps_repeats_in_order():
    text = "哈妇发〔2015〕9号；另见长妇通字[2016]4号；再次重申哈妇发〔2015〕9号。"
    assert [n.normalized for n in find_numbers(text)] == [
        "哈妇发〔2015〕9号",
        "长妇通字〔2016〕4号",
        "哈妇发〔2015〕9号",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "本通知自印发之日起施行。",
        "会议定于（2016）年召开",  # no serial and 号
        "办法〔2016〕4",  # no 号
        "哈妇发〔16〕4号",  # short year
        "哈妇发〔1900〕4号",  # year out of range
        "哈妇发〔2016〕0号",  # serial zero
        "件〔2016〕4号",  # a single Han character before the bracket is no code
        "2015〔2016〕4号",  # digits only before the bracket
    ],
)
def test_find_numbers_finds_nothing_where_there_is_no_valid_number(text):
    assert find_numbers(text) == []


def test_find_numbers_refuses_something_that_is_not_text():
    refused_in_chinese(find_numbers, None)


# --- properties ----------------------------------------------------------------------------------

codes = st.text(alphabet="哈妇发长春通字函办沪府", min_size=1, max_size=6)
years = st.integers(min_value=1949, max_value=2999)
serials = st.integers(min_value=1, max_value=99_999)
spaces = st.sampled_from(["", "", " ", "  ", "\u3000", "\t"])

FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


@st.composite
def decorated_numbers(draw):
    """A number written the messy way people type it, with the DocNumber it stands for."""
    code, year, serial = draw(codes), draw(years), draw(serials)
    spaced_code = "".join(char + draw(spaces) for char in code)
    zeros = "0" * draw(st.integers(min_value=0, max_value=4))
    serial_text = zeros + str(serial)
    year_text = str(year)
    if draw(st.booleans()):
        serial_text = serial_text.translate(FULL_WIDTH_DIGITS)
    if draw(st.booleans()):
        year_text = year_text.translate(FULL_WIDTH_DIGITS)
    di = draw(st.sampled_from(["", "第"]))
    hao = draw(st.sampled_from(["号", "号", ""]))
    parts = [
        draw(spaces),
        spaced_code,
        draw(spaces),
        draw(st.sampled_from(OPENS)),
        draw(spaces),
        year_text,
        draw(spaces),
        draw(st.sampled_from(CLOSES)),
        draw(spaces),
        di,
        draw(spaces),
        serial_text,
        draw(spaces),
        hao,
        draw(spaces),
    ]
    return "".join(parts), DocNumber(code, year, serial)


@given(codes, years, serials)
def test_parsing_a_formatted_number_gives_back_the_same_parts(code, year, serial):
    assert parse_number(format_number(code, year, serial)) == DocNumber(code, year, serial)


@given(decorated_numbers())
def test_every_decorated_variant_parses_to_the_same_number(case):
    text, expected = case
    assert parse_number(text) == expected
    assert parse_number(text).normalized == expected.normalized


@given(codes, years, serials)
def test_the_formatted_form_has_no_leading_zero_no_di_and_no_ascii_brackets(code, year, serial):
    written = format_number(code, year, serial)
    assert "第" not in written
    assert not set("[]()") & set(written)
    assert written.endswith(f"〕{serial}号")
    assert not re.search("〕0", written)
    assert written == f"{code}〔{year}〕{serial}号"


@given(codes.filter(lambda c: len(c) >= 2), years, serials)
def test_a_formatted_number_inside_a_sentence_is_found(code, year, serial):
    sentence = f"请遵照《有关通知》（{format_number(code, year, serial)}）执行。"
    assert find_numbers(sentence) == [DocNumber(code, year, serial)]
