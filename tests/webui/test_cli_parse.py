"""`flask --app wsgi notice parse FILE [--json]`: a notice's text file in, its fields out."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED_SEEDS = ROOT / "../shared/seeds"
CORPUS = ROOT / "tests/workflow/notice_corpus"
KEYS = {"issuer", "doc_number", "signatory", "title", "kind", "main_recipients", "cc_recipients",
        "date", "print_date", "printed_by", "attachments", "report_requests", "body", "issuers",
        "uncertain"}
HAN = re.compile("[\u4e00-\u9fff]")


def parse(app, *args: str):
    return app.test_cli_runner().invoke(args=["notice", "parse", *args])


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="../shared/seeds is not beside the project")
def test_parse_json_of_the_shared_seed_prints_exactly_the_fields(bare_app):
    result = parse(bare_app, str(SHARED_SEEDS / "001_9db5362c900ad367.txt"), "--json")
    assert result.exit_code == 0, result.output
    fields = json.loads(result.stdout)
    assert set(fields) == KEYS
    assert fields["doc_number"] == {"printed": "哈妇发〔2015〕9号", "code": "哈妇发", "year": 2015,
                                    "serial": 9, "normalized": "哈妇发〔2015〕9号"}
    assert fields["signatory"] == "杨杰"
    assert fields["main_recipients"] == ["各区县（市）妇联", "市直妇委会", "市妇联团体会员"]
    assert fields["date"] == "2015-08-11"
    assert fields["report_requests"] == [{"what": "学习贯彻情况", "who": "各地妇联",
                                          "to": "市妇联宣传部", "deadline_text": "及时",
                                          "due_date": None}]
    # Chinese as it is (ensure_ascii=False) and indented by two.
    assert "\\u" not in result.stdout and '\n  "issuer": "哈尔滨市妇女联合会",' in result.stdout


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="../shared/seeds is not beside the project")
def test_parse_json_of_the_other_shared_seed_reads_its_number_and_requests(bare_app):
    result = parse(bare_app, str(SHARED_SEEDS / "000_558bd5b5a0afaf88.txt"), "--json")
    assert result.exit_code == 0, result.output
    fields = json.loads(result.stdout)
    assert set(fields) == KEYS
    assert fields["doc_number"]["normalized"] == "长妇通字〔2016〕4号"
    assert fields["date"] is None
    assert [r["due_date"] for r in fields["report_requests"]] == ["2016-03-31", "2016-04-30"]


def test_parse_json_of_the_corpus_copy_of_a_seed_works_without_shared(bare_app):
    result = parse(bare_app, str(CORPUS / "seed_000_changchun_fulian.txt"), "--json")
    assert result.exit_code == 0, result.output
    fields = json.loads(result.stdout)
    assert set(fields) == KEYS
    assert fields["issuer"] == "长春市妇女联合会"
    assert fields["main_recipients"] == ["各县（市）区妇联", "开发区妇联", "市直机关妇委会", "大专院校妇委会"]


def test_parse_without_json_prints_the_fields_for_a_person(bare_app):
    result = parse(bare_app, str(CORPUS / "seed_001_harbin_fulian.txt"))
    assert result.exit_code == 0, result.output
    assert "发文字号：哈妇发〔2015〕9号" in result.output
    assert "签发人：杨杰" in result.output
    assert "报送要求 1：各地妇联 及时 将学习贯彻情况报市妇联宣传部" in result.output


def test_parse_reads_a_file_saved_as_gb18030(bare_app, tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes((CORPUS / "seed_001_harbin_fulian.txt").read_text(encoding="utf-8")
                     .encode("gb18030"))
    result = parse(bare_app, str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["title"] == "哈尔滨市妇联关于认真学习贯彻中央党的群团工作会议精神的通知"


def test_parse_of_a_missing_file_exits_non_zero_with_a_chinese_message(bare_app, tmp_path):
    missing = tmp_path / "没有这个文件.txt"
    result = parse(bare_app, str(missing), "--json")
    assert result.exit_code != 0
    assert "找不到文件" in result.stderr and HAN.search(result.stderr)
    assert result.stdout == ""


def test_parse_of_a_directory_exits_non_zero_with_a_chinese_message(bare_app, tmp_path):
    result = parse(bare_app, str(tmp_path))
    assert result.exit_code != 0
    assert "是目录，不是文件" in result.stderr


def _docx_with(paragraphs: list[str]) -> bytes:
    import io

    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_parse_reads_a_docx_paragraph_for_paragraph(bare_app, tmp_path):
    path = tmp_path / "通知.docx"
    path.write_bytes(_docx_with([
        "江州市妇女联合会文件", "江妇发〔2024〕3号", "关于开展“巾帼心向党”主题活动的通知", "各区县妇联：",
        "一、活动主题", "巾帼心向党\u3000奋进新征程", "二、活动内容",
        "请各区县妇联于3月29日前报送活动方案。", "江州市妇女联合会", "2024年3月1日"]))
    result = parse(bare_app, str(path), "--json")
    assert result.exit_code == 0, result.output
    fields = json.loads(result.stdout)
    assert fields["issuer"] == "江州市妇女联合会"
    assert fields["body"].splitlines() == ["一、活动主题", "巾帼心向党\u3000奋进新征程", "二、活动内容",
                                           "请各区县妇联于3月29日前报送活动方案。"]
    assert [(r["what"], r["due_date"]) for r in fields["report_requests"]] == [
        ("活动方案", "2024-03-29")]


@pytest.mark.slow
def test_parse_reads_a_text_pdf_and_refuses_a_scan_in_chinese(bare_app, tmp_path):
    from weasyprint import HTML

    path = tmp_path / "通知.pdf"
    path.write_bytes(HTML(string=(
        "<html><body style=\"font-family:'Noto Serif CJK SC'\"><p>关于报送年度总结的通知</p>"
        "<p>各区县妇联：</p><p>请于1月20日前将年度总结报送市妇联。</p><p>江州市妇联</p>"
        "<p>2024年1月5日</p></body></html>")).write_pdf())
    result = parse(bare_app, str(path), "--json")
    assert result.exit_code == 0, result.output
    fields = json.loads(result.stdout)
    assert (fields["title"], fields["date"]) == ("关于报送年度总结的通知", "2024-01-05")
    scan = tmp_path / "扫描.pdf"
    scan.write_bytes(HTML(string="<div style='height:5cm;background:#000'></div>").write_pdf())
    result = parse(bare_app, str(scan), "--json")
    assert result.exit_code != 0
    assert "该PDF没有可提取的文字（可能是扫描件）" in result.stderr
