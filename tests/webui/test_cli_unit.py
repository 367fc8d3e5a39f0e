"""`flask --app wsgi unit seal UNIT_ID FILE.png | --clear`: a unit's seal for its printed notices."""

from __future__ import annotations

import pytest

from tests.factories import HAN
from tests.workflow.test_printing import red_seal_png
from webui.extensions import db
from workflow.models import Unit


def seal(app, *args: str):
    return app.test_cli_runner().invoke(args=["unit", "seal", *args])


def _seal_of(app, unit_id: int) -> bytes | None:
    with app.app_context():
        return db.session.get(Unit, unit_id).seal_png


@pytest.fixture
def issuer_id(app, world) -> int:
    with app.app_context():
        return db.session.query(Unit.id).filter_by(name="示范市妇女联合会").scalar()


def test_a_png_becomes_the_units_seal_and_clear_removes_it(app, issuer_id, tmp_path):
    png = tmp_path / "seal.png"
    png.write_bytes(red_seal_png())
    result = seal(app, str(issuer_id), str(png))
    assert result.exit_code == 0, result.output
    assert "已设置示范市妇女联合会的印章" in result.output
    assert _seal_of(app, issuer_id) == png.read_bytes()

    cleared = seal(app, str(issuer_id), "--clear")
    assert cleared.exit_code == 0 and "已清除" in cleared.output
    assert _seal_of(app, issuer_id) is None


@pytest.mark.parametrize("content, words", [
    (b"GIF89a not a png at all", "PNG"),
    (b"", "空文件"),
])
def test_a_file_that_is_not_a_png_is_refused_and_nothing_is_stored(
        app, issuer_id, tmp_path, content, words):
    path = tmp_path / "seal.png"
    path.write_bytes(content)
    result = seal(app, str(issuer_id), str(path))
    assert result.exit_code == 1 and words in result.stderr
    assert _seal_of(app, issuer_id) is None


@pytest.mark.parametrize("args, words", [
    (["999999", "--clear"], "找不到该单位"),
    (["{unit}", "/nonexistent/seal.png"], "找不到文件"),
    (["{unit}"], "二者选一"),
    (["{unit}", "{png}", "--clear"], "二者选一"),
])
def test_refusals_exit_1_in_chinese(app, issuer_id, tmp_path, args, words):
    png = tmp_path / "seal.png"
    png.write_bytes(red_seal_png())
    args = [a.format(unit=issuer_id, png=png) for a in args]
    result = seal(app, *args)
    assert result.exit_code == 1 and words in result.stderr and HAN.search(result.stderr)
    assert _seal_of(app, issuer_id) is None
