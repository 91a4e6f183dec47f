"""Page forms (parsing only; rules live in services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shuzheng.identity.models import Mandate

RELATIONS = Mandate.Relation.choices


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


class ResetRequestForm(forms.Form):
    username = forms.CharField(label=_("用户名或公民身份号码"), max_length=64)


class ResetForm(forms.Form):
    code = forms.CharField(label=_("短信验证码"), max_length=6)
    new_password = forms.CharField(
        label=_("新密码"), widget=forms.PasswordInput, max_length=128, strip=False
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"), widget=forms.PasswordInput, max_length=128, strip=False
    )


class MandateRequestForm(forms.Form):
    principal_name = forms.CharField(label=_("委托人姓名"), max_length=64)
    principal_id_number = forms.CharField(label=_("委托人公民身份号码"), max_length=18)
    relation = forms.ChoiceField(
        label=_("您与委托人的关系"),
        choices=[("", _("请选择"))] + [(k, v) for k, v in RELATIONS],
    )
    scope = forms.ChoiceField(
        label=_("授权范围"),
        choices=[("all", _("全部事项")), ("listed", _("指定事项"))],
        widget=forms.RadioSelect,
        initial="all",
    )
    item_codes = forms.CharField(
        label=_("指定事项编码（多个用逗号或空格分隔）"), max_length=2000, required=False
    )
    valid_until = forms.DateField(
        label=_("授权截止日期"), widget=forms.DateInput(attrs={"type": "date"})
    )


class MandateCodeForm(forms.Form):
    code = forms.CharField(label=_("委托人收到的短信验证码"), max_length=6)


class PaperMandateForm(forms.Form):
    principal_id_number = forms.CharField(label=_("委托人公民身份号码"), max_length=18)
    agent_id_number = forms.CharField(label=_("帮办员公民身份号码"), max_length=18)
    scope = forms.ChoiceField(
        label=_("授权范围"),
        choices=[("all", _("全部事项")), ("listed", _("指定事项"))],
        widget=forms.RadioSelect,
        initial="all",
    )
    item_codes = forms.CharField(
        label=_("指定事项编码（多个用逗号或空格分隔）"), max_length=2000, required=False
    )
    valid_until = forms.DateField(
        label=_("授权截止日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    paper_ref = forms.CharField(label=_("书面委托书编号"), max_length=64)
    paper_seen = forms.BooleanField(
        label=_("已核验委托人签字的书面委托书和双方身份证件"), required=False
    )
