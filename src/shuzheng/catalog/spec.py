"""The catalog exchange format (JSON and Excel), validated with Chinese messages.

One file holds ``{"items": [...], "bundles": [...]}``. See docs/catalog-format.md. Validation
collects every problem with its row (1-based position in the file, or the Excel row) and field;
an import with any problem imports nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from shuzheng.catalog.codes import (
    ItemCodeError,
    implementation_code,
    validate_basic_code,
    validate_bundle_code,
    validate_implementation_code,
)

ITEM_TYPES: dict[str, str] = {
    "00": "行政权力事项",
    "01": "行政许可",
    "02": "行政处罚",
    "03": "行政强制",
    "04": "行政征收",
    "05": "行政给付",
    "06": "行政检查",
    "07": "行政确认",
    "08": "行政奖励",
    "09": "行政裁决",
    "10": "其他类别事项",
    "11": "行政备案",
    "20": "公共服务事项",
}
EXERCISE_LEVELS: dict[int, str] = {
    1: "国家级",
    2: "省级",
    3: "市级",
    4: "县级",
    5: "镇(乡、街道)级",
    6: "村(社区)级",
    7: "分级管理",
}
PERSON_THEMES = [
    "生育",
    "教育",
    "就业",
    "婚姻",
    "养老",
    "残疾",
    "住房",
    "户籍",
    "社保",
    "医疗",
    "交通",
    "人才",
]
ENTERPRISE_THEMES = ["开办", "经营", "变更", "注销"]
THEMES = PERSON_THEMES + ENTERPRISE_THEMES
CHANNELS: dict[str, str] = {
    "online": "电脑端网上办理",
    "mobile": "移动端",
    "window": "窗口办理",
    "kiosk": "自助终端",
    "mail": "快递申请",
}
ONLINE_DEPTHS: dict[int, str] = {
    1: "一级：办事指南网上公开",
    2: "二级：表格下载、在线预约",
    3: "三级：网上申报、窗口核验",
    4: "四级：全程网办",
}
MATERIAL_FORMS: dict[str, str] = {
    "original": "原件",
    "copy": "复印件",
    "original_and_copy": "原件和复印件",
    "electronic": "电子材料",
}
PREFILL_SOURCES = {
    "person.name",
    "person.id_number",
    "person.phone",
    "person.sex",
    "person.birth_date",
    "person.hukou_region",
    "person.hukou_address",
    "person.marital_status",
    "enterprise.uscc",
    "enterprise.name",
    "enterprise.legal_representative",
    "enterprise.address",
    "enterprise.region",
    "enterprise.industry",
    "enterprise.registered_capital",
    "enterprise.founded_on",
}

FIELD_NAMES: dict[str, str] = {
    "basic_code": "基本编码",
    "implementation_code": "实施编码",
    "region_code": "行政区划代码",
    "exercise_level": "行使层级",
    "serial": "业务办理项序号",
    "name": "名称",
    "aliases": "别名",
    "item_type": "事项类型",
    "department": "实施部门",
    "legal_basis": "设定依据",
    "conditions": "受理条件",
    "applicant_types": "服务对象",
    "themes": "主题",
    "handling_type": "办件类型",
    "statutory_days": "法定办结时限",
    "promised_days": "承诺办结时限",
    "fee": "收费",
    "channels": "办理渠道",
    "online_depth": "网办深度",
    "result": "办理结果",
    "steps": "办理环节",
    "phone": "咨询电话",
    "materials": "申请材料",
    "situations": "情形",
    "questions": "导办问题",
    "form": "表单",
    "code": "编码",
    "form_kind": "材料形式",
    "required": "是否必需",
    "count": "份数",
    "license_type": "可替代的电子证照",
    "items": "包含事项",
    "options": "选项",
    "text": "问题",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Fee(_Strict):
    charged: bool = False
    basis: str = ""
    amount_yuan: Decimal | None = None


class Result(_Strict):
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["license", "document", "none"] = "document"
    license_type: str | None = None
    # a 设立登记: the kind of market entity the result registers, which decides the category
    # of the 统一社会信用代码 it is given (``core.codes.MARKET_ENTITY_CATEGORIES``)
    entity_type: Literal["企业", "个体工商户", "农民专业合作社"] | None = None


class Material(_Strict):
    code: str = Field(pattern=r"^M[0-9]{1,3}$")
    name: str = Field(min_length=1, max_length=200)
    form_kind: Literal["original", "copy", "original_and_copy", "electronic"] = "original"
    required: bool = True
    count: int = Field(default=1, ge=0, le=99)
    notes: str = ""
    source: str = "申请人自备"
    license_type: str | None = None


class Situation(_Strict):
    code: str = Field(pattern=r"^S[0-9]{1,3}$")
    name: str = Field(min_length=1)
    add_materials: list[str] = []
    remove_materials: list[str] = []


class Option(_Strict):
    value: str = Field(min_length=1)
    label: str = Field(min_length=1)
    situations: list[str] = []  # item: situation codes; bundle: "<item code>:<situation code>"
    exclude_items: list[str] = []  # bundles only: items not needed for this answer


class Question(_Strict):
    code: str = Field(pattern=r"^Q[0-9]{1,3}$")
    text: str = Field(min_length=1)
    options: list[Option] = Field(min_length=2)


class FormDef(_Strict):
    schema_: dict[str, Any] = Field(alias="schema")

    @field_validator("schema_")
    @classmethod
    def _valid_schema(cls, v: dict[str, Any]) -> dict[str, Any]:
        try:
            Draft202012Validator.check_schema(v)
        except SchemaError as exc:
            raise ValueError(f"表单 JSON Schema 无效：{exc.message}") from None
        if v.get("type") != "object" or not isinstance(v.get("properties"), dict):
            raise ValueError("表单 JSON Schema 顶层应为 object 且有 properties")
        for name, prop in v["properties"].items():
            if not prop.get("title"):
                raise ValueError(f"表单字段 {name} 缺少 title（中文标题）")
            src = prop.get("x-prefill")
            if src is not None and src not in PREFILL_SOURCES:
                raise ValueError(f"表单字段 {name} 的预填来源 {src} 未登记")
        for name in v.get("required", []):
            if name not in v["properties"]:
                raise ValueError(f"必填字段 {name} 不在 properties 中")
        return v


class ItemSpec(_Strict):
    basic_code: str
    region_code: str = Field(pattern=r"^[0-9]{6}$")
    exercise_level: int = Field(ge=1, le=7)
    serial: int = Field(default=0, ge=0, le=999)
    implementation_code: str | None = None
    name: str = Field(min_length=2, max_length=200)
    aliases: list[str] = []
    item_type: str
    department: str = Field(min_length=1)
    co_departments: list[str] = []
    legal_basis: str = Field(min_length=2, max_length=2000)
    conditions: str = Field(min_length=2)
    applicant_types: list[Literal["person", "enterprise"]] = Field(min_length=1)
    themes: list[str] = Field(min_length=1)
    handling_type: Literal["instant", "promised"]
    statutory_days: int = Field(ge=0, le=365)
    promised_days: int = Field(ge=0, le=365)
    fee: Fee = Fee()
    channels: list[str] = Field(min_length=1)
    online_depth: int = Field(ge=1, le=4)
    visits: int = Field(default=0, ge=0, le=9)
    result: Result
    steps: list[str] = Field(min_length=1)
    instant_approval: bool = False
    phone: str = Field(min_length=5, max_length=40)
    location: str = ""
    hours: str = "周一至周五 9:00-12:00，13:30-17:30（法定节假日除外）"
    materials: list[Material] = []
    situations: list[Situation] = []
    questions: list[Question] = []
    form: FormDef

    @field_validator("basic_code")
    @classmethod
    def _basic(cls, v: str) -> str:
        try:
            validate_basic_code(v)
        except ItemCodeError as exc:
            raise ValueError(exc.message) from None
        return v

    @field_validator("item_type")
    @classmethod
    def _type(cls, v: str) -> str:
        if v not in ITEM_TYPES:
            raise ValueError("事项类型代码不在 GB/T 39046 附录A.1 中")
        return v

    @field_validator("themes")
    @classmethod
    def _themes(cls, v: list[str]) -> list[str]:
        bad = [t for t in v if t not in THEMES]
        if bad:
            raise ValueError(f"未知主题：{'、'.join(bad)}")
        return v

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if c not in CHANNELS]
        if bad:
            raise ValueError(f"未知办理渠道：{'、'.join(bad)}")
        return v

    @model_validator(mode="after")
    def _consistency(self) -> ItemSpec:
        if self.basic_code[:2] != self.item_type:
            raise ValueError("基本编码前2位应与事项类型代码一致")
        code = implementation_code(
            self.region_code, self.exercise_level, self.basic_code, self.serial
        )
        if self.implementation_code is None:
            self.implementation_code = code
        elif self.implementation_code != code:
            try:
                validate_implementation_code(self.implementation_code)
            except ItemCodeError as exc:
                raise ValueError(exc.message) from None
            raise ValueError(f"实施编码与区划、层级、基本编码、序号不一致（应为 {code}）")
        if self.promised_days > self.statutory_days and self.statutory_days:
            raise ValueError("承诺办结时限不能长于法定办结时限")
        if self.handling_type == "instant" and self.promised_days != 0:
            raise ValueError("即办件的承诺办结时限应为0个工作日")
        mcodes = [m.code for m in self.materials]
        if len(set(mcodes)) != len(mcodes):
            raise ValueError("材料编码重复")
        scodes = {s.code for s in self.situations}
        for s in self.situations:
            unknown = [m for m in s.add_materials + s.remove_materials if m not in mcodes]
            if unknown:
                raise ValueError(f"情形 {s.code} 引用了不存在的材料 {'、'.join(unknown)}")
        for q in self.questions:
            for o in q.options:
                unknown = [s for s in o.situations if s not in scodes]
                if unknown:
                    raise ValueError(
                        f"导办问题 {q.code} 的选项引用了不存在的情形 {'、'.join(unknown)}"
                    )
        if self.result.kind == "license" and not self.result.license_type:
            raise ValueError("结果为证照时应填写 license_type")
        return self


class BundleSpec(_Strict):
    code: str
    name: str = Field(min_length=2, max_length=200)
    aliases: list[str] = []
    description: str = Field(min_length=2)
    themes: list[str] = Field(min_length=1)
    applicant_types: list[Literal["person", "enterprise"]] = Field(min_length=1)
    lead_department: str = Field(min_length=1)
    items: list[str] = Field(min_length=2)
    questions: list[Question] = []

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        try:
            validate_bundle_code(v)
        except ItemCodeError as exc:
            raise ValueError(exc.message) from None
        return v

    @field_validator("themes")
    @classmethod
    def _themes(cls, v: list[str]) -> list[str]:
        bad = [t for t in v if t not in THEMES]
        if bad:
            raise ValueError(f"未知主题：{'、'.join(bad)}")
        return v


class CatalogFile(_Strict):
    items: list[dict[str, Any]] = []
    bundles: list[dict[str, Any]] = []


@dataclass(frozen=True)
class RowError:
    sheet: str  # "items" | "bundles" (or the Excel sheet name)
    row: int  # 1-based position in the file (Excel: the sheet's row number)
    key: str  # the item's code or name, to find it
    field: str
    message: str

    def as_text(self) -> str:
        label = FIELD_NAMES.get(self.field.split(".")[0], self.field)
        return (
            f"{self.sheet} 第{self.row}行（{self.key}）字段 {self.field}（{label}）：{self.message}"
        )


_PYDANTIC_ZH = {
    "missing": "必填",
    "string_too_short": "不能为空或过短",
    "string_too_long": "过长",
    "too_short": "至少需要一项",
    "literal_error": "取值不在允许范围内",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "string_pattern_mismatch": "格式不正确",
    "extra_forbidden": "未知字段",
    "decimal_parsing": "应为数字",
}


def pydantic_errors(exc: ValidationError) -> list[tuple[str, str]]:
    out = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(整体)"
        loc = loc.replace("schema_", "schema")
        if e["type"] in ("value_error", "assertion_error"):
            msg = str(e.get("ctx", {}).get("error", e["msg"]))
        else:
            msg = _PYDANTIC_ZH.get(e["type"], e["msg"])
        out.append((loc, msg))
    return out


def parse_item(raw: dict[str, Any]) -> tuple[ItemSpec | None, list[tuple[str, str]]]:
    try:
        return ItemSpec.model_validate(raw), []
    except ValidationError as exc:
        return None, pydantic_errors(exc)


def parse_bundle(raw: dict[str, Any]) -> tuple[BundleSpec | None, list[tuple[str, str]]]:
    try:
        return BundleSpec.model_validate(raw), []
    except ValidationError as exc:
        return None, pydantic_errors(exc)
