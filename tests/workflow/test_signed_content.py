"""The 签发稿 is fixed: 签发 records a SHA-256 of what was signed — title, body, addressees, report
requests and each 附件 with the SHA-256 of its bytes — and a change after 签发 goes back through
签发 with a new digest. The digests' inputs are written out here by hand.
"""

from __future__ import annotations

import hashlib
import io
import json

from sqlalchemy import select

from tests.factories import at, draft
from workflow import commands as c
from workflow.attachments import AttachmentStore, StoredFile
from workflow.models import Attachment, AuditEntry

FILE_KEY = "0123456789abcdef0123456789abcdef"
# The SHA-256 of the bytes b"abc" (FIPS 180-2, appendix B.1).
ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def digest(content: dict) -> str:
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(b"gongwen-notice-content/1\n" + text.encode()).hexdigest()


def sign_digests(session, notice_id: int) -> list[str]:
    return list(session.scalars(select(AuditEntry.digest).where(
        AuditEntry.action == "notice.SIGN", AuditEntry.object_id == notice_id)
        .order_by(AuditEntry.seq)))


def signed(world, session, **fields):
    n = draft(world, **fields)
    c.add_attachment(session, world.drafter, notice_id=n.id,
                     stored=StoredFile("统计表.xlsx", FILE_KEY, 3, sha256=ABC_SHA256), now=at(0))
    c.submit(session, world.drafter, notice_id=n.id, now=at(0.1))
    c.pass_review(session, world.reviewer, notice_id=n.id, now=at(0.2))
    c.sign(session, world.signatory, notice_id=n.id, opinion="同意印发", now=at(0.3))
    session.commit()
    return n


def test_the_store_keeps_the_sha256_of_the_bytes_it_wrote(tmp_path, session):
    stored = AttachmentStore(tmp_path).save(io.BytesIO(b"abc"), "a.txt", session=session)
    assert stored.sha256 == ABC_SHA256
    session.commit()


def test_the_signing_digest_covers_title_body_addressees_requests_and_each_file_by_its_hash(
        world, session):
    n = signed(world, session)
    assert sign_digests(session, n.id) == [digest({
        "notice": n.id, "issuer": world.issuer.id, "kind": "通知",
        "title": "关于开展调研的通知", "body": "请各区妇联开展调研。",
        "urgency": "NORMAL", "direction": "DOWNWARD", "doc_number": None,
        "signatory": world.signatory.id, "signed_on": "2016-03-07", "issued_on": None,
        "addressees": [["CC", world.cc_unit.id, None], ["MAIN", None, world.group.id]],
        "report_requests": [[1, "调研报告", "2016-04-30", "市妇联", []]],
        "attachments": [["统计表.xlsx", 3, FILE_KEY, ABC_SHA256]],
        "recipients": None,
    })]


def test_a_file_stored_before_its_hash_was_kept_is_covered_as_before_by_name_size_and_key(
        world, session):
    n = draft(world)
    c.add_attachment(session, world.drafter, notice_id=n.id,
                     stored=StoredFile("旧表.xlsx", FILE_KEY, 3), now=at(0))
    c.submit(session, world.drafter, notice_id=n.id, now=at(0.1))
    c.pass_review(session, world.reviewer, notice_id=n.id, now=at(0.2))
    c.sign(session, world.signatory, notice_id=n.id, opinion="同意印发", now=at(0.3))
    session.commit()
    assert session.scalars(select(Attachment.sha256)).all() == [None]
    [recorded] = sign_digests(session, n.id)
    assert recorded == digest({
        "notice": n.id, "issuer": world.issuer.id, "kind": "通知",
        "title": "关于开展调研的通知", "body": "请各区妇联开展调研。",
        "urgency": "NORMAL", "direction": "DOWNWARD", "doc_number": None,
        "signatory": world.signatory.id, "signed_on": "2016-03-07", "issued_on": None,
        "addressees": [["CC", world.cc_unit.id, None], ["MAIN", None, world.group.id]],
        "report_requests": [[1, "调研报告", "2016-04-30", "市妇联", []]],
        "attachments": [["旧表.xlsx", 3, FILE_KEY]], "recipients": None})


def test_a_body_changed_after_signing_is_signed_again_under_a_new_digest(world, session):
    n = signed(world, session)
    c.amend(session, world.clerk, notice_id=n.id, reason="补充一句", body="请各区妇联认真开展调研。",
            now=at(0.4))
    c.sign(session, world.signatory, notice_id=n.id, opinion="同意", now=at(0.5))
    session.commit()
    first, second = sign_digests(session, n.id)
    assert first != second


def test_a_text_changed_and_changed_back_is_signed_again_under_the_same_digest(world, session):
    n = signed(world, session)
    c.amend(session, world.clerk, notice_id=n.id, reason="改标题", title="关于暂缓调研的通知",
            now=at(0.31))
    c.sign(session, world.signatory, notice_id=n.id, opinion="同意", now=at(0.32))
    c.amend(session, world.clerk, notice_id=n.id, reason="改回原标题", title="关于开展调研的通知",
            now=at(0.33))
    c.sign(session, world.signatory, notice_id=n.id, opinion="同意", now=at(0.34))
    session.commit()
    # All on 2016-03-07 (Beijing time): the 成文日期 is the same each time.
    first, changed, back = sign_digests(session, n.id)
    assert first == back
    assert changed != first
