"""Password rules (``AUTH_PASSWORD_VALIDATORS``) with Chinese messages.

Django's checks, with our own words: its Chinese catalogue misses the current "too short"
message (the English one showed through on registration, API and web alike). The words are
Chinese in the source and English through gettext, like every interface string.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("密码过于常见，容易被猜中，请换一个。")

    def get_help_text(self) -> str:
        return _("密码不能是常见密码。")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("密码不能全是数字。")

    def get_help_text(self) -> str:
        return _("密码不能全是数字。")
