"""Page forms (parsing only; rules live in services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名或身份证号"), max_length=64)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, max_length=128)


class OtpForm(forms.Form):
    code = forms.CharField(label=_("短信验证码"), max_length=6, min_length=6)


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    id_number = forms.CharField(label=_("公民身份号码"), max_length=18)
    phone = forms.CharField(label=_("手机号码"), max_length=11)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, max_length=128)
