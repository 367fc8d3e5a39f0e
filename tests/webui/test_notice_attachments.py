"""The notice page says its 附件说明 once: a note the drafter typed at the body's end (as 规范检查
asks) is not followed by a second one made from the files, and the same 附件 uploaded as PDF and
as Word is one 附件 (issue 15)."""

from __future__ import annotations

import io
import re

import docx

from tests.factories import at
from tests.webui.receiving_fixtures import text, world_of
from webui.extensions import db
from workflow import checks
from workflow import commands as c
from workflow.attachments import AttachmentStore
from workflow.printing import layout
from workflow.states import NoticeState

BODY = "请各区妇联按提纲开展调研。"


def _word() -> bytes:
    document, out = docx.Document(), io.BytesIO()
    document.add_paragraph("调研提纲")
    document.save(out)
    return out.getvalue()


def _notice(app, tmp_path, *, body: str) -> int:
    """A notice issued with 调研提纲 attached twice: as PDF and as Word."""
    from tests.factories import notice_in

    with app.app_context():
        s = db.session
        w = world_of(s)
        draft = notice_in(w, NoticeState.DRAFT, title="关于开展专题调研的通知", body=body)
        store = AttachmentStore(tmp_path / "files")
        for name, content in (("调研提纲.pdf", b"%PDF-1.4\n%%EOF\n"), ("调研提纲.docx", _word())):
            c.add_attachment(s, w.drafter, notice_id=draft.id,
                             stored=store.save(io.BytesIO(content), name, session=s))
        c.submit(s, w.drafter, notice_id=draft.id, now=at(0.1))
        c.pass_review(s, w.reviewer, notice_id=draft.id, now=at(0.2))
        c.sign(s, w.signatory, notice_id=draft.id, opinion="同意", now=at(0.3))
        c.issue(s, w.clerk, notice_id=draft.id, now=at(1))
        s.commit()
        return draft.id


def _paper(html: str) -> str:
    article = re.search(r'<article class="paper".*?</article>', html, re.S).group(0)
    return re.sub(r'<span class="paper-attachments-indent">[^<]*</span>', "",
                  re.sub(r'<p class="paper-files">.*?</p>', "", article, flags=re.S))


def test_a_typed_attachment_note_is_shown_once_with_both_files_to_download(app, world, client,
                                                                           log_in, tmp_path):
    notice_id = _notice(app, tmp_path, body=f"{BODY}\n附件：调研提纲")
    log_in("receiver1")
    html = text(client.get(f"/notices/{notice_id}"))
    assert _paper(html).count("附件：") == 1 and _paper(html).count("调研提纲") == 1
    assert "调研提纲.pdf</a>" in html and "调研提纲.docx</a>" in html


def test_without_a_typed_note_the_same_document_in_two_formats_is_one_attachment(
        app, world, client, log_in, tmp_path):
    notice_id = _notice(app, tmp_path, body=BODY)
    log_in("receiver1")
    paper = _paper(text(client.get(f"/notices/{notice_id}")))
    assert paper.count("附件：调研提纲") == 1 and "1.调研提纲" not in paper
    with app.app_context():
        from workflow.models import Notice
        assert layout(db.session.get(Notice, notice_id)).attachment_lines == ("附件：调研提纲",)


def test_the_checks_hint_counts_a_document_in_two_formats_once():
    findings = checks.check_fields(
        title="示范市妇联关于开展专题调研的通知", body=BODY, kind="通知",
        main_recipients=["示范市第1区妇联"], attachments=["调研提纲.pdf", "调研提纲.docx"])
    [hint] = [f for f in findings if f.field == "附件说明"]
    assert "有1个附件" in hint.message and "如“附件：调研提纲”" in hint.message
    followed = checks.check_fields(
        title="示范市妇联关于开展专题调研的通知", body=f"{BODY}\n附件：调研提纲", kind="通知",
        main_recipients=["示范市第1区妇联"], attachments=["调研提纲.pdf", "调研提纲.docx"])
    assert [f for f in followed if f.field.startswith("附件说明")] == []
