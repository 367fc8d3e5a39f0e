"""`flask attachments sweep`: an unreferenced file older than a day goes, and the operator reads
in Chinese what went and how many bytes; a young orphan and every referenced file stay; the
threshold is an option, and a nonsense one is refused in Chinese."""

from __future__ import annotations

import io
import os
import time

from sqlalchemy import select

from tests import archives
from webui.extensions import attachment_store, db
from workflow import commands as c
from workflow.models import Notice, User


def _aged(path, hours: float) -> None:
    moment = time.time() - hours * 3600
    os.utime(path, (moment, moment))


def _stored(app, world):
    """A draft's referenced file (a month old) and two orphans: 25 and 23 hours old."""
    with app.app_context():
        store = attachment_store()
        drafter = db.session.scalar(select(User).where(User.username == "drafter"))
        referenced = store.save(io.BytesIO(archives.pdf()), "方案.pdf", session=db.session)
        c.add_attachment(db.session, drafter, notice_id=world.draft_id, stored=referenced)
        old = store.save(io.BytesIO(archives.tiny_png()), "图.png", session=db.session)
        young = store.save(io.BytesIO("说明".encode()), "说明.txt", session=db.session)
        db.session.commit()
        paths = {name: store.root / s.storage_key[:2] / s.storage_key
                 for name, s in (("referenced", referenced), ("old", old), ("young", young))}
    _aged(paths["referenced"], 24 * 30)
    _aged(paths["old"], 25)
    _aged(paths["young"], 23)
    return paths


def test_the_sweep_removes_an_old_orphan_and_says_so_in_chinese(app, world):
    paths = _stored(app, world)
    result = app.test_cli_runner().invoke(args=["attachments", "sweep"])
    assert result.exit_code == 0, result.output
    key = paths["old"].name
    assert f"已删除 {key[:2]}/{key}（{len(archives.tiny_png())} 字节" in result.output
    assert f"共删除 1 个无引用的文件，释放 {len(archives.tiny_png())} 字节。" in result.output
    assert not paths["old"].exists()
    assert paths["young"].exists() and paths["referenced"].exists()
    with app.app_context():  # the draft still has its file
        assert [a.filename for a in db.session.get(Notice, world.draft_id).attachments] == [
            "方案.pdf"]

    again = app.test_cli_runner().invoke(args=["attachments", "sweep"])
    assert again.exit_code == 0 and "没有需要清理的文件（无引用且超过 24 小时）" in again.output


def test_a_shorter_threshold_takes_the_young_orphan_never_a_referenced_file(app, world):
    paths = _stored(app, world)
    result = app.test_cli_runner().invoke(args=["attachments", "sweep", "--hours", "1"])
    assert result.exit_code == 0, result.output
    assert "共删除 2 个无引用的文件" in result.output
    assert not paths["old"].exists() and not paths["young"].exists()
    assert paths["referenced"].exists()


def test_a_threshold_under_an_hour_or_not_a_number_is_refused(app, world):
    paths = _stored(app, world)
    for hours in ("0", "-5", "一天"):
        result = app.test_cli_runner().invoke(args=["attachments", "sweep", "--hours", hours])
        assert result.exit_code == 1
        assert f"--hours 应为不小于 1 的整数（小时），而不是“{hours}”" in result.output
    assert all(path.exists() for path in paths.values())
