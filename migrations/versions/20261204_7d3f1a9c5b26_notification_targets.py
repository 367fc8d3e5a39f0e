"""notification targets: a notification (and its mail) names the place of its task, not a path

`notification.link` and `mail_message.link_path` held paths of the web application
(/signoff/12, /receiving/#sign-3); they become `target`, a place of work and its object
(signoff:12, sign_for:3), which the web layer maps to a page. Existing rows are converted; a path
of no known place becomes NULL (the notification then opens the list of notifications).

Revision ID: 7d3f1a9c5b26
Revises: 0b844418b5de
Create Date: 2026-12-04 12:00:00

"""
import re

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '7d3f1a9c5b26'
down_revision = '0b844418b5de'
branch_labels = None
depends_on = None

# (the path as it was written, the target it becomes); {} is the object's id. Written out here,
# not imported, so that the migration keeps meaning what it meant when the code moves on.
_PLACES = [
    ("/notices/{}", "notice:{}"),
    ("/drafting/{}", "draft:{}"),
    ("/drafting/{}/amend", "amend:{}"),
    ("/signoff/{}", "signoff:{}"),
    ("/dispatch/{}/issue", "issue:{}"),
    ("/dispatch/", "archive"),
    ("/tracking/{}", "track:{}"),
    ("/dispatch/returns/{}", "handle_return:{}"),
    ("/tracking/reports/{}", "check_report:{}"),
    ("/receiving/reports/{}", "write_report:{}"),
    ("/receiving/#sign-{}", "sign_for:{}"),
    ("/receiving/#due-{}", "report_due:{}"),
    ("/incoming/{}", "incoming:{}"),
    ("/admin/audit", "audit"),
    ("/password", "password"),
]
_TABLES = [("notification", "link"), ("mail_message", "link_path")]
_BATCH = 1000


def _pattern(template: str) -> re.Pattern:
    return re.compile("^" + re.escape(template).replace(r"\{\}", r"(\d+)") + "$")


def _converter(pairs):
    compiled = [(_pattern(source), result) for source, result in pairs]

    def convert(text):
        if text is None:
            return None
        for pattern, result in compiled:
            found = pattern.match(text)
            if found:
                return result.format(*found.groups())
        return None
    return convert


def _move(table: str, source: str, target: str, convert, length: int) -> None:
    """Add `target`, fill it from `source` row by row in batches, drop `source`."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.add_column(sa.Column(target, sa.String(length=length), nullable=True))
    bind = op.get_bind()
    rows = sa.table(table, sa.column("id", sa.Integer), sa.column(source, sa.String),
                    sa.column(target, sa.String))
    last = 0
    while True:
        chunk = bind.execute(
            sa.select(rows.c.id, rows.c[source]).where(rows.c.id > last, rows.c[source].is_not(None))
            .order_by(rows.c.id).limit(_BATCH)).all()
        if not chunk:
            break
        values = [{"row_id": row_id, "value": convert(text)} for row_id, text in chunk]
        bind.execute(rows.update().where(rows.c.id == sa.bindparam("row_id"))
                     .values({target: sa.bindparam("value")}), values)
        last = chunk[-1][0]
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_column(source)


def upgrade():
    convert = _converter(_PLACES)
    for table, column in _TABLES:
        _move(table, column, "target", convert, 40)


def downgrade():
    convert = _converter([(result, source) for source, result in _PLACES])
    for table, column in _TABLES:
        _move(table, "target", column, convert, 300)
