"""B8: downloading an issued notice's PDF — the stored 正式文件 against rendering it again.

Each repetition is one whole request in the web application (Flask's test client, a logged-in
receiver, the session and the visibility check included): GET /notices/<id>/print.pdf of an issued
notice whose 正式文件 is stored (what every download does now), against the same request for a
draft of the same text (seed 000's body, three pages), which is rendered by WeasyPrint on every download (what every download of
an issued notice did before the file was kept). The two take turns. Target: the stored file
≤ 50 ms (median).

    .venv/bin/python bench/b8_download.py            # SQLite
    .venv/bin/python bench/b8_download.py --postgres # and PostgreSQL
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import Database, Ratio, Section, interleaved, main_on_sqlite  # noqa: E402
from tests.factories import AUDIT_KEY, at, build_world, notice_in  # noqa: E402
from workflow import commands as c  # noqa: E402
from workflow import passwords  # noqa: E402
from workflow.states import NoticeState  # noqa: E402

RUNS, WARMUP = 15, 2
TARGET_MS = 50.0
TITLE = "B8 — downloading the 正式文件"
PASSWORD = "bench-password-8"
# The text of seed 000 (长妇通字〔2016〕4号): three pages, a real notice's length.
SEED_BODY = (Path(__file__).resolve().parents[1] / "workflow" / "demo" /
             "seed_000_body.txt").read_text(encoding="utf-8")


def _app(db: Database, files: str):
    from webui import create_app

    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": db.url, "SECRET_KEY": "bench",
                       "AUDIT_KEY": AUDIT_KEY, "WTF_CSRF_ENABLED": False,
                       "ATTACHMENT_DIR": files}, instance_path=files + "/instance")


def run(db: Database) -> Section:
    from webui.extensions import attachment_store
    from webui.extensions import db as web_db
    from workflow.official import make_official

    passwords.use_profile("CHEAPEST")  # the set-up makes an account; no password is timed
    with tempfile.TemporaryDirectory(prefix="gongwen-b8-") as files:
        app = _app(db, files)
        with app.app_context():
            s = web_db.session
            w = build_world(s)
            issued = notice_in(w, NoticeState.ISSUED, body=SEED_BODY)
            draft = notice_in(w, NoticeState.DRAFT, body=SEED_BODY)
            c.set_password(s, None, user_id=w.drafter.id, password=PASSWORD)
            s.commit()
            make_official(s, None, notice_id=issued.id, store=attachment_store(), now=at(1))
            s.commit()
            ids = issued.id, draft.id
        client = app.test_client()
        client.post("/login", data={"username": "drafter", "password": PASSWORD})
        sizes = {}

        def download(notice_id: int) -> None:
            response = client.get(f"/notices/{notice_id}/print.pdf")
            assert response.status_code == 200, response.status_code
            sizes[notice_id] = len(response.data)

        stored, rendered = interleaved(
            [("GET print.pdf: the stored 正式文件", lambda: download(ids[0])),
             ("GET print.pdf: rendered by WeasyPrint on the spot", lambda: download(ids[1]))],
            runs=RUNS, warmup=WARMUP)
        with app.app_context():
            for engine in web_db.engines.values():
                engine.dispose()
    section = Section(title=f"{TITLE} — {db.name}", unit="ms")
    section.figures += [stored, rendered]
    section.ratios.append(Ratio("stored file, median (ms)", stored.median * 1000,
                                f"≤ {TARGET_MS:g} ms", stored.median * 1000 <= TARGET_MS))
    section.ratios.append(Ratio("re-rendering / stored file", rendered.median / stored.median,
                                "—", None))
    section.notes.append(f"file sizes: stored {sizes[ids[0]]:,} bytes, rendered "
                         f"{sizes[ids[1]]:,} bytes (seed 000's text, three pages)")
    return section


def main() -> int:
    return main_on_sqlite(run, sys.argv)


if __name__ == "__main__":
    sys.exit(main())
