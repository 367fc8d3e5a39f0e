"""The persistent nouns of Gongwen, as SQLAlchemy models, one module per family of nouns.

Owns: tables, columns, constraints and relationships. Must not: change a state (only
`commands._advance` does), check permissions, or know HTTP. Every row that a transition reads and
then writes carries a `version` column (optimistic locking, DESIGN.md convention 4).
Importing the models also arms the flush check of `workflow.inputs`: no control character is
written into any string column, by whatever path it came.
"""

import workflow.inputs  # noqa: F401  (registers the before_flush check on every Session)
from workflow.models._columns import enum_column
from workflow.models.autosave import Autosave  # noqa: F401
from workflow.models.calendar import CalendarDay, DeadlinePolicy  # noqa: F401
from workflow.models.distribution import (  # noqa: F401
    ForwardDue,
    ForwardTally,
    NoticeReading,
    Notification,
    Receipt,
    Reminder,
    Report,
    ReportInclusion,
)
from workflow.models.documents import (  # noqa: F401
    Addressee,
    Attachment,
    Notice,
    ReportRequest,
    ReportRequestParty,
)
from workflow.models.incoming import (  # noqa: F401
    Assignment,
    Circulation,
    Incoming,
    IncomingCounter,
    IncomingReminder,
)
from workflow.models.mail import MailMessage, MailStatus  # noqa: F401
from workflow.models.organisation import (  # noqa: F401
    LoginPolicy,
    LoginThrottle,
    RecoveryCode,
    RoleGrant,
    Unit,
    UnitGroup,
    User,
    unit_group_member,
)
from workflow.models.registers import (  # noqa: F401
    ArchiveCounter,
    AuditEntry,
    AuditHead,
    NumberSeries,
    VoidedNumber,
)
from workflow.models.signing import SigningCertificate  # noqa: F401

__all__ = [
    "Autosave",
    "SigningCertificate",
    "enum_column",
    "Unit",
    "UnitGroup",
    "User",
    "RoleGrant",
    "LoginPolicy",
    "LoginThrottle",
    "RecoveryCode",
    "unit_group_member",
    "Notice",
    "Addressee",
    "ReportRequest",
    "ReportRequestParty",
    "Attachment",
    "Receipt",
    "Report",
    "ReportInclusion",
    "ForwardTally",
    "ForwardDue",
    "Reminder",
    "Notification",
    "NoticeReading",
    "NumberSeries",
    "VoidedNumber",
    "ArchiveCounter",
    "AuditEntry",
    "AuditHead",
    "Incoming",
    "IncomingCounter",
    "IncomingReminder",
    "Assignment",
    "Circulation",
]
