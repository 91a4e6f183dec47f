"""What a dispatch suggestion (派单建议) returns: plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

# 诉求类型 (国办发〔2020〕53号 and the local 表扬)
TYPES = ("咨询", "求助", "投诉", "举报", "建议", "表扬")

# a department's level, as identity numbers them (Department.level)
LEVEL_CITY, LEVEL_COUNTY, LEVEL_TOWN = 3, 4, 5
LEVEL_NAMES = {LEVEL_CITY: "市级", LEVEL_COUNTY: "区县级", LEVEL_TOWN: "镇街级"}


@dataclass(frozen=True)
class DepartmentSuggestion:
    code: str
    name: str
    short_name: str
    score: float  # 0..1, the model's probability of this department's function
    why: tuple[str, ...]  # words of the text that drove it, strongest first
    level: int = LEVEL_CITY  # 3 市级, 4 区县级, 5 镇街级
    function_code: str = ""  # the city department whose function this is (= code at city level)


@dataclass(frozen=True)
class TypeSuggestion:
    name: str  # one of TYPES
    score: float


@dataclass(frozen=True)
class CategorySuggestion:
    code: str
    path: tuple[str, ...]  # 一级, 二级, 三级
    score: float

    @property
    def name(self) -> str:
        return self.path[-1]


@dataclass(frozen=True)
class Place:
    """Where the 诉求 is, as far as the text and address tell (GB/T 2260 codes)."""

    county_code: str | None = None  # 区县, 6 digits
    county_name: str | None = None
    town_code: str | None = None  # 镇街, 9 digits
    town_name: str | None = None
    matched: tuple[str, ...] = ()  # the words that named it
    in_city: bool = True  # False when the text names another city and no 肇庆 place


@dataclass(frozen=True)
class Suggestion:
    departments: tuple[DepartmentSuggestion, ...]
    type: TypeSuggestion
    types: tuple[TypeSuggestion, ...]  # every type, best first
    category: CategorySuggestion
    place: Place
    model_version: str
