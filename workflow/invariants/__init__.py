"""What must hold in every committed state of the database, whatever raced or crashed before.

Owns: `check(session) -> list[str]`, the problems found, each a sentence in Chinese for the
operator (empty: everything holds). It is what `flask --app wsgi check` runs after a crash or a
restore, and what the tests of concurrency and crashes assert. It checks, one module per family:

- `notices`: every notice's state against what it carries (numbers, receipts, reports) and the
  states of its receipts and reports against its own;
- `registers`: the document-number series and the archive codes against their counters;
- the audit trail: the keyed hash chain verifies, against the anchors when an anchor file is
  given (`workflow.anchors.check`), and replaying it (`trail`) gives every notice, receipt and
  report the state it has now and every receipt's and report's version its count of changes;
- `content`: what 签发, 印发 and 上报 fixed (the digest in their entries) is what is stored now.

What they read is loaded once (`facts`). Must not: write or repair anything (it reads in one
snapshot, `db.read_snapshot`, so that it can run beside live writers); a problem is reported for
people to look into.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from workflow import anchors
from workflow.db import read_snapshot
from workflow.invariants.content import contents
from workflow.invariants.facts import Facts
from workflow.invariants.notices import notices
from workflow.invariants.registers import archive_codes, series
from workflow.invariants.trail import trail


def check(session: Session, *, anchor_file: str | None = None) -> list[str]:
    """Every problem found in the database, in Chinese; an empty list when everything holds.

    `anchor_file`: the audit chain is also compared with the anchors written there."""
    read_snapshot(session)
    facts = Facts(session)
    problems: list[str] = []
    report = anchors.check(session, anchor_file)
    if not report.ok:
        problems.append(str(report))
    problems += notices(facts)
    problems += series(session, facts)
    problems += archive_codes(session, facts)
    problems += trail(facts)
    problems += contents(facts)
    return problems
