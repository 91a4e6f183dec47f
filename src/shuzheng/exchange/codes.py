"""信息资源代码 per the 《政务信息资源目录编制指南（试行）》 (发改高技〔2017〕1272号).

The code has a front part, the classification (前段码), and a back part, the sequence number
(后段码), separated by ``/``:

    类 (1 digit) + 项 (2) + 目 (3) + 细目 (variable, digits) / 顺序码 (variable, digits)

类: 1 基础信息资源目录, 2 主题信息资源目录, 3 部门信息资源目录. The 项 of the basic catalog are
the five base resources; those of the thematic catalog the twelve themes. We write 细目 as 0 or
2+ digits and 顺序码 as 6 digits, e.g. ``101001/000001`` (基础 · 人口 · 人口基本信息 · 第1个).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

CLASSES: Final[dict[str, str]] = {"1": "基础信息资源", "2": "主题信息资源", "3": "部门信息资源"}

BASIC_ITEMS: Final[dict[str, str]] = {
    "01": "人口基础信息",
    "02": "法人单位基础信息",
    "03": "自然资源和空间地理基础信息",
    "04": "社会信用基础信息",
    "05": "电子证照基础信息",
}

THEME_ITEMS: Final[dict[str, str]] = {
    "01": "公共服务",
    "02": "健康保障",
    "03": "社会保障",
    "04": "食品药品安全",
    "05": "安全生产",
    "06": "价格监管",
    "07": "能源安全",
    "08": "信用体系",
    "09": "城乡建设",
    "10": "社区治理",
    "11": "生态环保",
    "12": "应急维稳",
}

SERIAL_DIGITS: Final = 6
_CODE_RE: Final = re.compile(r"([1-3])([0-9]{2})([0-9]{3})((?:[0-9]{2,})?)/([0-9]{1,12})")


class ResourceCodeError(ValueError):
    pass


@dataclass(frozen=True)
class ResourceCode:
    catalogue_class: str  # 类
    item: str  # 项
    catalogue: str  # 目
    detail: str  # 细目 ("" when none)
    serial: str  # 顺序码

    @property
    def front(self) -> str:
        return f"{self.catalogue_class}{self.item}{self.catalogue}{self.detail}"

    def __str__(self) -> str:
        return f"{self.front}/{self.serial}"

    @property
    def class_name(self) -> str:
        return CLASSES[self.catalogue_class]

    @property
    def item_name(self) -> str:
        if self.catalogue_class == "1":
            return BASIC_ITEMS[self.item]
        if self.catalogue_class == "2":
            return THEME_ITEMS[self.item]
        return f"部门 {self.item}"


def check_front(catalogue_class: str, item: str, catalogue: str, detail: str = "") -> str:
    """The 前段码 for a classification, or ResourceCodeError naming what is wrong."""
    if catalogue_class not in CLASSES:
        raise ResourceCodeError("“类”应为 1（基础）、2（主题）或 3（部门）")
    if not re.fullmatch(r"[0-9]{2}", item):
        raise ResourceCodeError("“项”应为2位数字")
    if catalogue_class == "1" and item not in BASIC_ITEMS:
        raise ResourceCodeError("基础信息资源的“项”应为 01–05（人口、法人、自然资源、信用、证照）")
    if catalogue_class == "2" and item not in THEME_ITEMS:
        raise ResourceCodeError("主题信息资源的“项”应为 01–12（编制指南所列主题）")
    if not re.fullmatch(r"[0-9]{3}", catalogue) or catalogue == "000":
        raise ResourceCodeError("“目”应为3位数字（001 起）")
    if detail and not re.fullmatch(r"[0-9]{2,}", detail):
        raise ResourceCodeError("“细目”应为空或2位以上数字")
    return f"{catalogue_class}{item}{catalogue}{detail}"


def parse(code: str) -> ResourceCode:
    """Split and check a resource code; raises ResourceCodeError with a Chinese message."""
    m = _CODE_RE.fullmatch(code.strip())
    if m is None:
        raise ResourceCodeError(
            "信息资源代码格式应为 类(1)项(2)目(3)[细目]/顺序码，如 101001/000001"
        )
    cls, item, catalogue, detail, serial = m.groups()
    check_front(cls, item, catalogue, detail)
    if int(serial) == 0:
        raise ResourceCodeError("顺序码从 1 开始")
    return ResourceCode(cls, item, catalogue, detail, serial)


def make(front: str, serial: int) -> str:
    return f"{front}/{serial:0{SERIAL_DIGITS}d}"
