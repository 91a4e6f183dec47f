"""The search itself (pure Python, no database): what callers say finds the article that
answers them — synonyms, Cantonese, traditional characters, pinyin — with validity per day."""

from __future__ import annotations

import datetime as dt

import pytest

from shuzheng.knowledge.search import Doc, KnowledgeIndex

DOCS = [
    Doc(
        1,
        "社保卡丢失怎么补办",
        ("社保卡不见了怎么办",),
        "先挂失，再带身份证补办。",
        ("社保卡",),
        ("社会保障卡申领",),
        "肇庆市人力资源和社会保障局",
    ),
    Doc(2, "住房公积金提取（租房）", ("租房可以提公积金吗",), "每年可提取一次。", ("公积金",)),
    Doc(3, "停水信息查询", ("今天为什么停水",), "计划停水提前公告。", ("停水", "供水")),
    Doc(4, "结婚登记预约和材料", ("领结婚证要带什么",), "双方带身份证和户口簿。", ("结婚登记",)),
    Doc(
        5,
        "2026 年居民医保缴费期",
        ("医保几时交",),
        "缴费至 12 月 31 日。",
        ("医保",),
        valid_from=dt.date(2026, 9, 1),
        valid_to=dt.date(2026, 12, 31),
    ),
    Doc(
        6, "高龄津贴申领条件和标准", ("老人八十岁有补贴吗",), "年满 80 周岁可申领。", ("高龄津贴",)
    ),
]


@pytest.fixture(scope="module")
def index():
    return KnowledgeIndex(DOCS, synonyms=None)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("社会保险卡丢了", 1),  # 社会保险 / 社保
        ("社保卡唔见咗点算", 1),  # Cantonese: 唔见咗 → 不见了
        ("社會保障卡遺失", 1),  # traditional characters; the linked item's name
        ("sbk", 1),  # pinyin initials of the title
        ("shebaoka", 1),  # full pinyin
        ("租屋可唔可以攞公积金", 2),  # 攞 → 领; 公积金 → 住房公积金
        ("屋企冇水", 3),  # 屋企 → 家里, 冇 → 没有; 没有水 → 停水
        ("领证要带啲乜嘢", 4),  # 领证 → 结婚登记
        ("我阿爷今年85岁有冇补贴", 6),  # an age over 80 → 高龄
    ],
)
def test_what_callers_say_finds_the_answer(index, query, expected):
    hits = index.search(query, limit=3)
    assert hits and hits[0].id == expected, [(h.id, h.score) for h in hits]


def test_hits_carry_the_words_they_matched(index):
    [top, *_] = index.search("社保卡不见了", limit=3)
    assert top.id == 1 and top.words == ("社保卡", "不见")


def test_blank_or_stop_word_only_queries_find_nothing(index):
    assert index.search("") == []
    assert index.search("   ") == []
    assert index.search("请问一下") == []
    assert index.search("社保卡", limit=0) == []


def test_validity_is_checked_for_the_day_asked(index):
    def found(day):
        return 5 in [h.id for h in index.search("医保缴费", today=day)]

    assert not found(dt.date(2026, 8, 31))
    assert found(dt.date(2026, 9, 1)) and found(dt.date(2026, 12, 31))
    assert not found(dt.date(2027, 1, 1))
    assert found(None)  # no day: no check
    assert index.search("医保缴费", today=dt.date(2026, 9, 1))[0].id == 5


def test_a_letter_run_inside_pinyin_is_not_a_cantonese_word(index):
    # "bb" alone means 婴儿, but not the letters inside "sbkbb" (社保卡补办)
    assert index.normalize("bb出世") == "婴儿出生"
    assert index.normalize("sbkbb") == "sbkbb"
