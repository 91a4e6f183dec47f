"""Item codes: 基本编码 and 实施编码, as structured and checked in this platform.

GB/T 39046 fixes only their lengths (基本编码 an..10, 实施编码 an..24); the layout of GB/T 39554.1
was not available to us, so we document our own, stable structure:

基本编码 (10 digits) = item type (2, GB/T 39046 A.1) + main item serial (5) + sub item serial (3)
    e.g. ``0700001000``: 行政确认 07, main item 00001, sub item 000.

实施编码 (21 characters) = region code (6, GB/T 2260) + exercise level (1, A.2) + 基本编码 (10)
    + business-handling serial (3: 000 for the item itself, 001… for 新设/变更/延续/注销 variants)
    + check character (ISO 7064 MOD 37,36 over the first 20 characters, as for 证照标识).
    e.g. ``44120030700001000000X`` (肇庆市, 市级, 0700001000, serial 000, check X).

一件事 code (12 characters) = ``YJS`` + region code (6) + serial (3), e.g. ``YJS441200001``.
"""

from __future__ import annotations

import re

from stdnum.iso7064 import mod_37_36

BASIC_RE = re.compile(r"^(0[0-9]|1[0-9]|2[0-9])[0-9]{8}$")
IMPL_RE = re.compile(r"^[0-9]{6}[1-7][0-9]{10}[0-9]{3}[0-9A-Z]$")
BUNDLE_RE = re.compile(r"^YJS[0-9]{6}[0-9]{3}$")


class ItemCodeError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_char(body: str) -> str:
    return str(mod_37_36.calc_check_digit(body))


def implementation_code(region_code: str, level: int, basic_code: str, serial: int = 0) -> str:
    if not re.fullmatch(r"[0-9]{6}", region_code):
        raise ItemCodeError("行政区划代码应为6位数字")
    if not 1 <= level <= 7:
        raise ItemCodeError("行使层级代码应为1到7")
    if not BASIC_RE.match(basic_code):
        raise ItemCodeError("基本编码应为10位数字，前2位为事项类型代码")
    if not 0 <= serial <= 999:
        raise ItemCodeError("业务办理项序号应为0到999")
    body = f"{region_code}{level}{basic_code}{serial:03d}"
    return body + check_char(body)


def validate_implementation_code(code: str) -> None:
    if not IMPL_RE.match(code or ""):
        raise ItemCodeError("实施编码应为21位：区划6位+层级1位+基本编码10位+序号3位+校验位1位")
    if not BASIC_RE.match(code[7:17]):
        raise ItemCodeError("实施编码中的基本编码无效")
    if check_char(code[:20]) != code[20]:
        raise ItemCodeError("实施编码校验位错误")


def validate_basic_code(code: str) -> None:
    if not BASIC_RE.match(code or ""):
        raise ItemCodeError("基本编码应为10位数字，前2位为事项类型代码（GB/T 39046 附录A.1）")


def validate_bundle_code(code: str) -> None:
    if not BUNDLE_RE.match(code or ""):
        raise ItemCodeError("一件事编码应为 YJS+6位区划代码+3位序号，例如 YJS441200001")
