"""Forms of the review and sign-off desk: the opinion box of the 发文稿纸 and the reason for
revoking (撤销) or abolishing (废止) an issued notice.

Owns: the shape of an opinion — a frequent opinion (常用意见) picked from a list, or free text
that takes precedence when filled. Must not: decide whether an opinion or reason is required (the
engine does: signing needs an opinion, returning needs a reason).
"""

from __future__ import annotations

from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from webui.forms.fields import VersionedForm
from workflow.queries.signoff import FREQUENT_OPINIONS


class OpinionForm(VersionedForm):
    """Pass review, return, or sign, with an opinion."""

    frequent = RadioField("常用意见", choices=[SelectChoice(o) for o in FREQUENT_OPINIONS],
                          validators=[Optional()])
    opinion = TextAreaField("意见", [Length(max=500, message="意见最多500字")])

    def text(self) -> str:
        """The opinion given: the free text when filled, else the frequent opinion picked."""
        return (self.opinion.data or "").strip() or (self.frequent.data or "")


class EndNoticeForm(VersionedForm):
    """Revoke or abolish an issued notice, with the reason."""

    reason = TextAreaField("理由", [Length(max=500, message="理由最多500字")])
    # Set by the confirmation page that names the effect; without it nothing is ended.
    confirmed = HiddenField("已确认")

    def needs_confirmation(self) -> bool:
        """Not yet confirmed, with a reason given (without one the engine refuses at once)."""
        return self.confirmed.data != "1" and bool((self.reason.data or "").strip())
