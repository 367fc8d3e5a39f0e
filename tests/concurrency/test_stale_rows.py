"""A session kept across transactions — a script issuing a batch, a command line run that reads
before it writes — holds rows from its earlier transactions. When it locks a counter row again
(the series counter, the audit chain's head), it must count from what is in the database now,
not from its own older copy: else, after another process has written, it would hand out a
serial or an audit sequence number already taken, and be refused for it.
"""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import at, build_world, notice_in
from workflow import audit
from workflow import commands as c
from workflow.models import AuditHead, NumberSeries
from workflow.states import NoticeState as NS


def test_a_session_kept_across_transactions_issues_with_the_serial_after_another_processes(
        session_factory):
    with session_factory() as s:
        world = build_world(s, review_required=False)
        notices = [notice_in(world, NS.SIGNED, title=f"关于第{i + 1}项工作的通知").id
                   for i in range(3)]
        s.commit()
        clerk = world.clerk.id
    with session_factory() as kept, session_factory() as other:
        c.issue(kept, clerk, notice_id=notices[0], now=at(1))
        kept.commit()
        # The script looks at the register, as a clerk's batch would before going on.
        series, head = kept.scalar(select(NumberSeries)), kept.get(AuditHead, 1)
        assert (series.next_serial, head.seq) == (2, kept.scalar(select(AuditHead.seq)))
        kept.commit()

        c.issue(other, clerk, notice_id=notices[1], now=at(1))  # another process, meanwhile
        other.commit()

        third = c.issue(kept, clerk, notice_id=notices[2], now=at(1))
        kept.commit()
        assert third.doc_number == "示妇发〔2016〕3号"
        assert (series.next_serial, head.seq) == (4, kept.scalar(select(AuditHead.seq)))
        assert audit.verify(kept).ok
