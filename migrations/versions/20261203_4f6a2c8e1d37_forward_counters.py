"""The counters of the 转发 tree: each issued 转发's subtree counted, kept by the commands

forward_tally (per issued 转发: its subtree's 主送 units, signed for, owing reports, reported) and
forward_due (per 转发 and earliest open deadline: its subtree's units still owing by then), filled
here from the receipts and reports of the forwards already issued.

Revision ID: 4f6a2c8e1d37
Revises: c3d5a7e9f1b2
Create Date: 2026-12-03 19:40:00

"""
from collections import Counter, defaultdict

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '4f6a2c8e1d37'
down_revision = 'c3d5a7e9f1b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('forward_tally',
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('signed', sa.Integer(), nullable=False),
    sa.Column('owing', sa.Integer(), nullable=False),
    sa.Column('reported', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notice.id'], name=op.f('fk_forward_tally_notice_id_notice')),
    sa.ForeignKeyConstraint(['parent_id'], ['forward_tally.notice_id'], name=op.f('fk_forward_tally_parent_id_forward_tally')),
    sa.PrimaryKeyConstraint('notice_id', name=op.f('pk_forward_tally'))
    )
    op.create_table('forward_due',
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['forward_tally.notice_id'], name=op.f('fk_forward_due_notice_id_forward_tally')),
    sa.PrimaryKeyConstraint('notice_id', 'due_on', name=op.f('pk_forward_due'))
    )
    _fill(op.get_bind())


def _fill(conn):
    """Count the forwards already issued, as the commands would have counted them."""
    forwards = {row.id: row.forwards_id for row in conn.execute(sa.text(
        "SELECT id, forwards_id FROM notice WHERE forwards_id IS NOT NULL AND state IN "
        "('ISSUED', 'CLOSED', 'REVOKED', 'ABOLISHED', 'ARCHIVED')"))}
    if not forwards:
        return
    units = defaultdict(lambda: [False, 0, 0, None])  # (notice, unit) → signed, owed, answered, due
    for row in conn.execute(sa.text(
            "SELECT r.notice_id, r.unit_id, r.state, n.state AS notice_state, n.receipt_due_on, "
            "p.state AS report_state, q.due_date FROM receipt r JOIN notice n ON n.id = r.notice_id "
            "LEFT JOIN report p ON p.notice_id = r.notice_id AND p.unit_id = r.unit_id "
            "LEFT JOIN report_request q ON q.id = p.request_id "
            "WHERE r.kind = 'MAIN' AND n.forwards_id IS NOT NULL")):
        if row.notice_id not in forwards:
            continue
        seen = units[(row.notice_id, row.unit_id)]
        seen[0] = row.state == 'ACKNOWLEDGED'
        dates = []
        if row.notice_state == 'ISSUED':
            if row.state == 'PENDING' and row.receipt_due_on is not None:
                dates.append(row.receipt_due_on)
            if row.report_state == 'DUE' and row.due_date is not None:
                dates.append(row.due_date)
        if row.report_state is not None:
            seen[1] += 1
            seen[2] += row.report_state in ('SUBMITTED', 'ACCEPTED')
        if dates:
            seen[3] = min(dates + ([seen[3]] if seen[3] is not None else []))
    own = {n: [0, 0, 0, 0, Counter()] for n in forwards}
    for (notice, _), (signed, owed, answered, due) in units.items():
        counts = own[notice]
        counts[0] += 1
        counts[1] += signed
        counts[2] += owed > 0
        counts[3] += owed > 0 and answered == owed
        if due is not None:
            counts[4][due] += 1
    total = {n: [0, 0, 0, 0, Counter()] for n in forwards}
    for notice, counts in own.items():  # each forward's own units, up its chain of forwards
        node = notice
        while node in forwards:
            for i in range(4):
                total[node][i] += counts[i]
            total[node][4].update(counts[4])
            node = forwards[node]
    for notice in _top_down(forwards):
        units_, signed, owing, reported, due = total[notice]
        parent = forwards[notice] if forwards[notice] in forwards else None
        conn.execute(sa.text(
            "INSERT INTO forward_tally (notice_id, parent_id, units, signed, owing, reported) "
            "VALUES (:n, :p, :u, :s, :o, :r)"),
            {"n": notice, "p": parent, "u": units_, "s": signed, "o": owing, "r": reported})
        for day, count in due.items():
            conn.execute(sa.text("INSERT INTO forward_due (notice_id, due_on, units) "
                                 "VALUES (:n, :d, :u)"), {"n": notice, "d": day, "u": count})


def _top_down(forwards):
    """The forwards, each after the forward it forwards (its row refers to that one's)."""
    done, order = set(), []
    for notice in forwards:
        chain = []
        while notice in forwards and notice not in done:
            chain.append(notice)
            notice = forwards[notice]
        for node in reversed(chain):
            done.add(node)
            order.append(node)
    return order


def downgrade():
    op.drop_table('forward_due')
    op.drop_table('forward_tally')
