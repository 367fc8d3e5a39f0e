"""The web forms: they check shape (present, not too long); the engine checks meaning.

Owns: WTForms classes with Chinese messages. Must not: populate a model (no populate_obj) or
decide anything the engine decides (DESIGN.md convention 7). CSRF comes with every FlaskForm.
"""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[
        DataRequired("请输入用户名"), Length(max=50, message="用户名最多50个字符")])
    password = PasswordField("密码", validators=[
        DataRequired("请输入密码"), Length(max=200, message="密码过长")])


class PasswordChangeForm(FlaskForm):
    """One's own password: the old one proves it is you; the length rule is the engine's."""

    old_password = PasswordField("原密码", validators=[
        DataRequired("请输入原密码"), Length(max=200, message="密码过长")])
    new_password = PasswordField("新密码", validators=[
        DataRequired("请输入新密码"), Length(max=200, message="密码过长")])
    confirm = PasswordField("再次输入新密码", validators=[
        DataRequired("请再次输入新密码"), EqualTo("new_password", message="两次输入的新密码不一致")])


class CodeForm(FlaskForm):
    """The second factor: the six digits the app shows, or a recovery code (the engine tells)."""

    code = StringField("验证码", validators=[
        DataRequired("请输入验证码"), Length(max=40, message="验证码过长")])
