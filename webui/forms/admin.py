"""The administration desk's forms, by the three duties: units, groups and users (系统管理员); role
grants, password resets and the login policy with its second-factor roles (安全管理员); the audit
trail's filter (审计管理员).

Owns: the shape of each form (present, not too long, a whole number, a date) with Chinese
messages. The choices of the select fields are set by the view from the engine's queries. Must
not: decide what the engine decides (unique names, the tree, 三员分立, the policy's bounds).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from webui.forms.fields import WholeNumberField, version_field, whole_number
from workflow.settings import OPTIONAL_SECOND_FACTOR
from workflow.states import BUSINESS_ROLES, Role


def optional_id(value) -> int | None:
    """A select's value as a unit id; the empty choice (rendered as "" or "None") is None."""
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value
    return whole_number(str(value), low=1)


INTEGER = "请输入整数"


def _id(value) -> int:
    return value if isinstance(value, int) else whole_number(str(value), low=1)


class ChineseDateField(DateField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("日期格式应为 2016-03-07") from error


class ChoiceField(SelectField):
    """A select of ids: the choices are set by the view for display; whether the chosen unit or
    user exists is the engine's to say (a forged id is its NotFound), so only the shape is checked.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("coerce", optional_id)
        super().__init__(label, validators, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("选项无效") from error


class CheckboxListField(SelectMultipleField):
    """A multiple choice of ids shown as check boxes (usable on a phone, unlike <select multiple>).
    """

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=_id, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("选项无效") from error


# ---- 系统管理员 ---------------------------------------------------------------------------------


class UnitForm(FlaskForm):
    name = StringField("单位名称", validators=[
        DataRequired("请填写单位名称"), Length(max=100, message="单位名称最多100个字")])
    short_name = StringField("简称", validators=[Length(max=50, message="简称最多50个字")])
    parent_id = ChoiceField("上级单位")
    doc_code = StringField("机关代字", validators=[Length(max=20, message="机关代字最多20个字")],
                           description="发文字号的前缀，如“哈妇发”；不发文的单位留空")
    org_code = StringField("机构代码", validators=[Length(max=20, message="机构代码最多20个字符")],
                           description="档号中的机构代码，如 HEBFL")
    review_required = BooleanField("发文须经办公室核稿", default=True)
    reading_needs_instruction = BooleanField("阅件须经领导批办", default=True)
    internal = BooleanField("内设部门（承办和传阅上级单位的收文，不收文、不发文）", default=False)
    version = version_field(Optional())


class GroupForm(FlaskForm):
    name = StringField("单位组名称", validators=[
        DataRequired("请填写单位组名称"), Length(max=100, message="单位组名称最多100个字")],
        description="主送栏中代表这些单位的统称，如“各县（市）区妇联”")
    owner_unit_id = ChoiceField("所属单位", validators=[DataRequired("请选择所属单位")],
                                description="使用这一统称发文的单位")
    member_ids = CheckboxListField("成员单位", validators=[DataRequired("请至少选择一个成员单位")])


class GroupMembersForm(FlaskForm):
    member_ids = CheckboxListField("成员单位", validators=[DataRequired("请至少选择一个成员单位")])
    version = version_field(Optional())


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[
        DataRequired("请填写用户名"), Length(max=50, message="用户名最多50个字符"),
        Regexp(r"^[A-Za-z0-9_.-]+$", message="用户名只能由字母、数字、下划线、点和短横线组成")],
        description="登录时使用，如 zhangsan")
    display_name = StringField("姓名", validators=[
        DataRequired("请填写姓名"), Length(max=50, message="姓名最多50个字")])
    unit_id = ChoiceField("所在单位", validators=[DataRequired("请选择所在单位")])
    email = StringField("电子邮箱", validators=[
        Optional(), Length(max=200, message="电子邮箱最多200个字符"),
        Regexp(r"^[^@\s]+@[^@\s]+$", message="电子邮箱格式不正确")])
    password = PasswordField("初始密码", validators=[
        Optional(), Length(max=200, message="密码过长")],
        description="留空则由系统生成，创建后仅显示一次")


class EmailForm(FlaskForm):
    """A user's address for mail notifications; empty clears it (the engine checks the form)."""
    email = StringField("电子邮箱", validators=[
        Optional(), Length(max=200, message="电子邮箱最多200个字符")])


# ---- 安全管理员 ---------------------------------------------------------------------------------

ROLE_NAMES = [role.name for role in Role]


class RoleGrantForm(FlaskForm):
    """Grant one business role within one unit (the administrator roles are the server's)."""

    user_id = ChoiceField("用户", validators=[DataRequired("请选择用户")])
    role = SelectField("角色", choices=[SelectChoice(r.name, r.label) for r in Role
                                        if r in BUSINESS_ROLES],
                       validate_choice=False,
                       validators=[AnyOf(ROLE_NAMES, message="角色无效")])
    unit_id = ChoiceField("单位", validators=[DataRequired("请选择单位")])

    @property
    def chosen_role(self) -> Role:
        return Role[self.role.data]


class RoleRevokeForm(FlaskForm):
    user_id = WholeNumberField(widget=HiddenInput(), validators=[InputRequired("缺少用户")], invalid_message=INTEGER)
    role = StringField(widget=HiddenInput(),
                       validators=[AnyOf(ROLE_NAMES, message="角色无效")])
    unit_id = WholeNumberField(widget=HiddenInput(), validators=[InputRequired("缺少单位")], invalid_message=INTEGER)

    @property
    def chosen_role(self) -> Role:
        return Role[self.role.data]


class PasswordResetForm(FlaskForm):
    user_id = ChoiceField("用户", validators=[DataRequired("请选择用户")])
    password = PasswordField("新密码", validators=[
        Optional(), Length(max=200, message="密码过长")],
        description="留空则由系统生成，仅显示一次")


def _known_roles(_form, field) -> None:
    if any(name not in OPTIONAL_ROLE_NAMES for name in field.data or ()):
        raise StopValidation("角色无效")


OPTIONAL_ROLE_NAMES = {r.name for r in OPTIONAL_SECOND_FACTOR}


class PolicyForm(FlaskForm):
    max_failures = WholeNumberField("登录失败几次后开始延时", validators=[
        InputRequired("请填写失败次数")], invalid_message=INTEGER)
    lock_minutes = WholeNumberField("最长等待时间（分钟）", validators=[
        InputRequired("请填写最长等待时间")], invalid_message=INTEGER)
    idle_minutes = WholeNumberField("无操作多少分钟后自动退出", validators=[
        InputRequired("请填写自动退出时间")], invalid_message=INTEGER)
    second_factor_roles = SelectMultipleField(
        "以下角色也须两步验证", choices=[SelectChoice(r.name, r.label)
                                         for r in OPTIONAL_SECOND_FACTOR],
        validate_choice=False, validators=[Optional(), _known_roles],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    version = version_field(Optional())

    @property
    def chosen_roles(self) -> list[Role]:
        return [Role[name] for name in self.second_factor_roles.data or ()]


# ---- 审计管理员 ---------------------------------------------------------------------------------


class AuditFilterForm(FlaskForm):
    """The trail's filter: a GET form (it changes nothing, so it carries no CSRF token)."""

    class Meta:
        csrf = False

    date_from = ChineseDateField("起始日期", validators=[Optional()])
    date_to = ChineseDateField("截止日期", validators=[Optional()])
    actor = StringField("操作人", validators=[Length(max=50, message="操作人最多50个字")])
    action = SelectField("操作", validate_choice=False, default="")
    notice = StringField("公文编号或发文字号", validators=[
        Length(max=40, message="公文编号或发文字号最多40个字符")])
    page = WholeNumberField(widget=HiddenInput(), validators=[Optional()], invalid_message=INTEGER)
