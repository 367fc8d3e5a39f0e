"""`flask --app wsgi check`: the invariants of the database, for an operator after a crash."""

from __future__ import annotations

from sqlalchemy import update

from webui.extensions import db
from workflow.models import NumberSeries


def test_check_on_a_sound_database_says_so_and_exits_0(app, world):
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK：数据一致")


def test_check_lists_each_problem_in_chinese_and_exits_1(app, world):
    with app.app_context():
        db.session.execute(update(NumberSeries).values(next_serial=NumberSeries.next_serial + 2))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "发现 1 个问题："
    assert lines[1].startswith("1. 示妇发〔2016〕系列断号：顺序号 3、4 既未使用，也未登记作废")
