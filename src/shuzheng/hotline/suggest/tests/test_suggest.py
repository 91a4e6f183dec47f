"""派单建议: clear cases, the words that drove them, places, levels, unknown text."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shuzheng.hotline.suggest import TYPES, suggest
from shuzheng.hotline.suggest.contracts import LEVEL_CITY, LEVEL_COUNTY, LEVEL_TOWN
from shuzheng.hotline.suggest.model import MODEL_PATH, load
from shuzheng.hotline.suggest.service import Suggester, fallback_directory, functions

# no database: names from the fallback table (departments.json)
offline = Suggester(directory=fallback_directory)


def top(text: str, address: str | None = None) -> tuple[str, str, str]:
    s = offline.suggest(text=text, address=address)
    d = s.departments[0]
    return d.function_code, d.short_name, s.type.name


@pytest.mark.parametrize(
    ("text", "code", "short_name", "type_"),
    [
        # noise at night: a building site is 城管's (夜间施工), a factory's machines 生态环境's,
        # neighbours and bars 公安's (社会生活噪声) — categories.json
        ("晚上十二点了工地还在打桩，吵得睡不着", "441200-CGJ", "市城市管理和综合执法局", "投诉"),
        ("隔壁工厂的机器半夜还在轰轰响，噪声太大", "441200-STHJJ", "市生态环境局", "投诉"),
        ("楼上邻居半夜唱卡拉OK，吵到睡不着", "441200-GAJ", "市公安局", "投诉"),
        ("家里从早上开始停水，麻烦帮忙看看", "441200-SWUJ", "市水务局", "求助"),
        ("请问社保卡丢了怎么补办？", "441200-RSJ", "市人力资源社会保障局", "咨询"),
        ("我要举报有人在西江电鱼", "441200-NYNCJ", "市农业农村局", "举报"),
        ("建议多开几条到肇庆东站的公交线路", "441200-JTJ", "市交通运输局", "建议"),
    ],
)
def test_clear_cases(text: str, code: str, short_name: str, type_: str) -> None:
    assert top(text) == (code, short_name, type_)


def test_scores_are_probabilities_best_first_and_why_words_are_in_the_text() -> None:
    text = "小区电梯又坏了，困了人半个钟都没人来"
    s = offline.suggest(text=text)
    assert s.departments[0].function_code == "441200-SCJGJ"
    scores = [d.score for d in s.departments]
    assert scores == sorted(scores, reverse=True)
    assert 0.5 < scores[0] <= 1.0
    assert sum(scores) <= 1.0 + 1e-6
    assert len({d.code for d in s.departments}) == 3
    assert "电梯" in s.departments[0].why
    for d in s.departments:
        assert all(w and w in text for w in d.why), d.why
    assert s.category.code == "160103"
    assert s.category.path == ("市场监管", "特种设备", "电梯安全")
    assert s.type.name in TYPES and {t.name for t in s.types} == set(TYPES)


def test_unknown_text_still_gets_k_departments_with_low_scores() -> None:
    s = offline.suggest(text="今天天气不错，随便聊聊", k=5)
    assert len(s.departments) == 5
    assert len({d.function_code for d in s.departments}) == 5
    assert s.departments[0].score < 0.5
    assert offline.suggest(text="嗯", k=1).departments[0].score < 0.5


def test_k_is_bounded_and_empty_text_is_refused() -> None:
    assert len(offline.suggest(text="停电了", k=99).departments) == len(functions()) == 22
    with pytest.raises(ValueError, match="诉求内容不能为空"):
        offline.suggest(text="   ")


def test_colloquial_cantonese() -> None:
    assert top("喂，我哋成栋楼冇水用成日啦，唔该快啲嚟睇下")[0] == "441200-SWUJ"
    assert top("成日停电又冇通知，雪柜啲嘢都坏晒")[0] == "441200-GDJ"
    assert top("市场门口啲走鬼档摆到出马路，车都过唔到")[0] == "441200-CGJ"


def test_address_names_the_place_and_the_text_the_department() -> None:
    s = offline.suggest(text="路灯坏了好几天，晚上黑麻麻", address="广宁县排沙镇")
    assert s.place.county_code == "441223" and s.place.town_code == "441223100"
    assert s.departments[0].function_code == "441200-CGJ"
    # the fallback table has no 镇街 department: the city department, at city level
    assert (s.departments[0].code, s.departments[0].level) == ("441200-CGJ", LEVEL_CITY)


@pytest.mark.django_db
def test_local_matters_go_to_the_town_or_county_department_identity_has() -> None:
    # the demo data has 端州区城东街道办事处 (441202001-BSC) and 端州区民政局 (441202-MZJ)
    town = suggest(text="城东街道天宁北路的路灯坏了好几天，晚上好黑")
    d = town.departments[0]
    assert (d.code, d.level, d.function_code) == ("441202001-BSC", LEVEL_TOWN, "441200-CGJ")
    assert d.name == "端州区城东街道办事处"
    assert town.place.town_code == "441202001"

    county = suggest(text="家里困难想申请低保，要什么条件？", address="肇庆市端州区黄岗街道")
    d = county.departments[0]
    assert (d.code, d.level, d.function_code) == ("441202-MZJ", LEVEL_COUNTY, "441200-MZJ")

    # a city matter stays with the city department, named as identity names it
    city = suggest(text="城东街道这边停水一整天了")
    d = city.departments[0]
    assert (d.code, d.level, d.short_name) == ("441200-SWUJ", LEVEL_CITY, "市水务局")
    assert d.name == "肇庆市水务局"

    # no place: city level
    assert suggest(text="路灯坏了好几天").departments[0].code == "441200-CGJ"


def test_model_is_read_once_small_and_scored_without_scikit_learn() -> None:
    assert load() is load()
    assert MODEL_PATH.stat().st_size < 3_000_000
    code = (
        "import sys; from shuzheng.hotline.suggest.service import Suggester, fallback_directory;"
        "s = Suggester(directory=fallback_directory).suggest(text='停水了');"
        "print(s.departments[0].function_code, 'sklearn' in sys.modules, 'numpy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["441200-SWUJ", "False", "False"]
