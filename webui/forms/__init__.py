"""The web forms: they check shape (present, not too long); the engine checks meaning.

Owns: WTForms classes with Chinese messages. Must not: populate a model (no populate_obj) or
decide anything the engine decides (DESIGN.md convention 7). CSRF comes with every FlaskForm.
"""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[
        DataRequired("请输入用户名"), Length(max=50, message="用户名最多50个字符")])
    password = PasswordField("密码", validators=[
        DataRequired("请输入密码"), Length(max=200, message="密码过长")])
