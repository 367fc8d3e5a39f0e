"""`flask --app wsgi notice render ID --format html|pdf|docx -o FILE`: any notice in any form."""

from __future__ import annotations

import io

import pytest

from tests.factories import HAN
from tests.system_parts import require


def render(app, *args: str):
    return app.test_cli_runner().invoke(args=["notice", "render", *args])


def test_render_writes_the_html_print_view(app, world, tmp_path):
    out = tmp_path / "notice.html"
    result = render(app, str(world.issued_id), "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and world.issued_title in html
    assert world.issued_number in html and "已写入" in result.output


def test_render_writes_a_pdf(app, world, tmp_path):
    from workflow.printing.pdf import fonts_installed

    require(fonts_installed(), "no Chinese font installed (apt-get install fonts-noto-cjk)")
    out = tmp_path / "notice.pdf"
    result = render(app, str(world.issued_id), "--format", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-") and out.stat().st_size > 10_000


def test_render_writes_a_docx_that_opens(app, world, tmp_path):
    import docx

    out = tmp_path / "notice.docx"
    result = render(app, str(world.issued_id), "--format", "DOCX", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = "".join(p.text for p in docx.Document(io.BytesIO(out.read_bytes())).paragraphs)
    assert world.issued_title in text


def test_render_of_an_unknown_notice_exits_1_in_chinese(app, world, tmp_path):
    out = tmp_path / "x.pdf"
    result = render(app, "999999", "--format", "pdf", "-o", str(out))
    assert result.exit_code == 1
    assert "找不到该公文" in result.stderr and not out.exists()


def test_render_in_an_unknown_format_exits_1_naming_the_formats(app, world, tmp_path):
    out = tmp_path / "x.odt"
    result = render(app, str(world.issued_id), "--format", "odt", "-o", str(out))
    assert result.exit_code == 1
    assert "不支持的格式：odt" in result.stderr and "docx" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("where, words", [
    ("missing/notice.html", "目录不存在"),
    (".", "是目录"),
    ("a-file.txt/notice.html", "不是目录"),
])
def test_render_to_a_path_it_cannot_write_exits_1_in_chinese(app, world, tmp_path, where, words):
    (tmp_path / "a-file.txt").write_text("x")
    result = render(app, str(world.issued_id), "--format", "html", "-o", str(tmp_path / where))
    assert result.exit_code == 1
    assert words in result.stderr and HAN.search(result.stderr)
