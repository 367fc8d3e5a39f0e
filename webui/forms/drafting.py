"""Forms of the drafting desk: the draft with every element a notice holds, the amendment after
sign-off, and the small action forms (submit, withdraw, cancel, remove an attachment).

Owns: the shape of what a drafter posts — lengths, dates, ids that are numbers — with Chinese
messages, and turning it into the keyword arguments of `create_draft`, `update_draft` and `amend`.
Must not: judge meaning (a 密级 other than 无, an unknown unit, a report request without its
content: the engine refuses those with its own words) or populate a model.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    FieldList,
    Form,
    FormField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from webui.forms.fields import (  # noqa: F401 (re-exported)
    VersionedForm,
    WholeNumberField,
    whole_number,
)
from workflow.models import Notice
from workflow.states import Direction, Urgency

# 文种 of 党政机关公文处理工作条例 (article 8), the most used first.
KINDS = ("通知", "通报", "意见", "决定", "报告", "请示", "批复", "函", "纪要", "通告", "公告",
         "公报", "决议", "命令（令）", "议案")
# 密级: the classified levels are offered so that choosing one meets the engine's refusal
# (涉密不上网) rather than a form that silently hides the rule.
SECRECY = ("无", "秘密", "机密", "绝密")
BLANK_REQUEST_ROWS = 3
MAX_REQUEST_ROWS = 50


class ChineseDateField(DateField):
    """A date (<input type=date>) whose parse error reads in Chinese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(f"{self.label.text}格式应为“年-月-日”，如 2016-04-30") from None


class IdsField(Field):
    """The ids ticked in a checkbox list that the template renders itself; the engine checks
    that they exist and may be used."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, default=list, **kwargs)

    def process_formdata(self, valuelist):
        try:
            self.data = list(dict.fromkeys(whole_number(v, low=1) for v in valuelist if v.strip()))
        except ValueError:
            self.data = []
            raise ValueError("所选单位无效，请刷新页面后重新选择") from None


class ReportRequestForm(Form):
    """One row of report requests: what, by when, to whom, and who must report."""

    what = StringField("报送内容", [Length(max=200, message="报送内容最多200字")])
    due_date = ChineseDateField("截止日期", [Optional()])
    to_whom = StringField("报送至", [Length(max=100, message="“报送至”最多100字")])
    from_group_ids = IdsField("报送单位组")
    from_unit_ids = IdsField("报送单位")
    # In a 转发: the forwarded notice's request this row passes down (kept across edits; the
    # engine refuses one that is not the source's).
    source_request_id = WholeNumberField("来文要求", [Optional()], widget=HiddenInput(), low=1,
                                         invalid_message="来文要求的编号无效，请刷新页面后重试")

    def is_blank(self) -> bool:
        return not ((self.what.data or "").strip() or self.due_date.data
                    or (self.to_whom.data or "").strip() or self.from_group_ids.data
                    or self.from_unit_ids.data)

    def value(self) -> dict:
        return {"what": self.what.data, "due_date": self.due_date.data,
                "to_whom": self.to_whom.data, "from_group_ids": self.from_group_ids.data,
                "from_unit_ids": self.from_unit_ids.data,
                "source_request_id": self.source_request_id.data}


class _DraftFields(FlaskForm):
    kind = SelectField("文种", choices=[SelectChoice(k) for k in KINDS], default="通知",
                       validate_choice=False)
    title = StringField("标题", [DataRequired("请填写标题"), Length(max=300, message="标题最多300字")])
    urgency = SelectField("紧急程度", choices=[SelectChoice(u.name, u.label) for u in Urgency],
                          default=Urgency.NORMAL.name, validate_choice=False)
    secrecy = SelectField("密级", choices=[SelectChoice(s) for s in SECRECY], default="无",
                          validate_choice=False)
    direction = SelectField("行文方向", choices=[SelectChoice(d.name, d.label) for d in Direction],
                            default=Direction.DOWNWARD.name, validate_choice=False)
    series_code = StringField("机关代字", [Length(max=20, message="机关代字最多20字")])
    main_group_ids = IdsField("主送单位组")
    main_unit_ids = IdsField("主送单位")
    cc_group_ids = IdsField("抄送单位组")
    cc_unit_ids = IdsField("抄送单位")
    body = TextAreaField("正文", [Length(max=50_000, message="正文最多50000字")])
    report_requests = FieldList(FormField(ReportRequestForm), max_entries=MAX_REQUEST_ROWS)

    @classmethod
    def for_page(cls, notice: Notice | None = None, typed=None):
        """The form filled from `notice` (or blank), with empty report-request rows to fill in;
        or, given `typed` (the person's kept input as form data), what they typed last — on the
        version of the notice as it is now, which they are looking at."""
        form = cls()
        if not form.is_submitted():
            # Only a page being shown starts from the notice: a posted form stands on its own,
            # so that a post without its version is refused, not given the current one.
            if typed is not None:
                form.process(formdata=typed)
                if notice is not None and "expected_version" in form:
                    form.expected_version.data = notice.version
                return form
            if notice is not None:
                form.process(data=notice_data(notice))
            for _ in range(BLANK_REQUEST_ROWS):
                form.report_requests.append_entry()
        return form

    def fields(self) -> dict:
        """The draft's fields as the engine's commands take them."""
        return {
            "kind": self.kind.data, "title": self.title.data, "body": self.body.data,
            "urgency": self.urgency.data, "direction": self.direction.data,
            "secrecy": self.secrecy.data, "series_code": self.series_code.data,
            "main_group_ids": self.main_group_ids.data, "main_unit_ids": self.main_unit_ids.data,
            "cc_group_ids": self.cc_group_ids.data, "cc_unit_ids": self.cc_unit_ids.data,
            "report_requests": [entry.form.value() for entry in self.report_requests
                                if not entry.form.is_blank()],
        }


class DraftForm(_DraftFields):
    """A new draft."""

    files = MultipleFileField("附件")

    def uploads(self) -> list:
        """The files chosen for upload (an empty file input sends one nameless part)."""
        return [f for f in (self.files.data or []) if getattr(f, "filename", "")]


class EditDraftForm(DraftForm, VersionedForm):
    """A saved draft, edited by its drafter."""


class AmendForm(_DraftFields, VersionedForm):
    """签发后修改: the same fields, and the reason the signed text must change."""

    reason = TextAreaField("修改理由", [DataRequired("请说明签发后修改的理由"),
                                       Length(max=500, message="修改理由最多500字")])


class DraftActionForm(VersionedForm):
    """Submit or withdraw a draft."""


class CancelDraftForm(VersionedForm):
    """作废草稿, with an optional reason."""

    reason = TextAreaField("作废理由", [Length(max=500, message="作废理由最多500字")])


class RemoveAttachmentForm(VersionedForm):
    """Take an attachment off a draft."""


def notice_data(notice: Notice) -> dict:
    """A notice's fields as the form's initial data."""
    return {
        "kind": notice.kind, "title": notice.title, "body": notice.body,
        "urgency": notice.urgency.name, "direction": notice.direction.name, "secrecy": "无",
        "series_code": notice.series_code or "",
        "main_group_ids": [a.group_id for a in notice.main_addressees if a.group_id],
        "main_unit_ids": [a.unit_id for a in notice.main_addressees if a.unit_id],
        "cc_group_ids": [a.group_id for a in notice.cc_addressees if a.group_id],
        "cc_unit_ids": [a.unit_id for a in notice.cc_addressees if a.unit_id],
        "report_requests": [
            {"what": r.what, "due_date": r.due_date, "to_whom": r.to_whom or "",
             "from_group_ids": [p.group_id for p in r.parties if p.group_id],
             "from_unit_ids": [p.unit_id for p in r.parties if p.unit_id],
             "source_request_id": r.source_request_id}
            for r in notice.report_requests
        ],
        "expected_version": notice.version,
    }

