"""The keyword-rule baseline the benchmark compares the model with: each category's keywords
(categories.json) counted in the text, longer keywords counting more; the department of the
best category wins. 诉求类型 by cue words. It is what a hotline without a model would write."""

from __future__ import annotations

from shuzheng.hotline.suggest.service import categories, functions

TYPE_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("表扬", ("表扬", "感谢", "点赞", "谢谢他们", "多谢")),
    ("举报", ("举报", "偷偷", "非法", "私自", "无证", "无照")),
    ("建议", ("建议", "希望", "能不能")),
    ("咨询", ("请问", "咨询", "怎么", "点样", "点办", "吗", "么", "哪里", "边度", "几时", "多少")),
    ("求助", ("求助", "帮忙", "快点", "快啲", "危险", "急", "救")),
)


def keyword_departments(text: str, k: int = 3) -> list[str]:
    scores: dict[str, float] = {f.code: 0.0 for f in functions()}
    for c in categories().values():
        for kw in c.keywords:
            if kw.lower() in text.lower():
                scores[c.dept] += len(kw)
    # ties (no keyword at all included) keep departments.json's order
    order = {f.code: i for i, f in enumerate(functions())}
    return sorted(scores, key=lambda d: (-scores[d], order[d]))[:k]


def keyword_type(text: str) -> str:
    for name, cues in TYPE_CUES:
        if any(c in text for c in cues):
            return name
    return "投诉"
