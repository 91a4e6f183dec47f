"""Demo 知识条目 (``shuzheng seed_knowledge``): about seventy 肇庆 articles from
``data/articles.json`` — 社保卡补办, 公积金提取, 居住证, 高龄津贴, 停水, 垃圾清运, 噪声,
不动产登记进度, 新生儿入户, 医保异地备案, 驾驶证换证, 养犬登记, 燃气报装, 学位申请 … —
owned by their departments and linked to the demo catalog's items, written and published by the
12345 班长 through the real services (audited). One expires within 30 days (the warning list),
one waits for review and one is a draft. Idempotent: nothing is added when demo articles exist.
Run after ``seed_catalog``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzheng.identity.contracts import Principal
from shuzheng.knowledge import services
from shuzheng.knowledge.contracts import ArticleInput
from shuzheng.knowledge.models import Article

DATA = Path(__file__).resolve().parent / "data" / "articles.json"
LEAD = Principal(
    kind="staff",
    username="demo-hotline-lead",
    name="梁志华（12345班长）",
    staff_roles=(("hotline_supervisor", "441200-ZSJ"),),
)


def demo_articles() -> list[dict[str, Any]]:
    return list(json.loads(DATA.read_text(encoding="utf-8"))["articles"])


def seed_knowledge(*, today: dt.date | None = None, strict_items: bool = False) -> int:
    """Create the demo articles (0 when they exist). Item codes the catalog does not have are
    left out unless ``strict_items`` (then the service refuses them)."""
    if Article.objects.filter(is_demo=True).exists():
        return 0
    from shuzheng.catalog import facade as catalog
    from shuzheng.core.errors import NotFound

    day = today or timezone.localdate()
    created = 0
    with transaction.atomic():
        for row in demo_articles():
            codes = list(row.get("items") or [])
            if not strict_items:
                kept = []
                for code in codes:
                    try:
                        catalog.item(code)
                    except NotFound:
                        continue
                    kept.append(code)
                codes = kept
            valid_days = row.get("valid_days")
            article = services.article_create(
                principal=LEAD,
                data=ArticleInput(
                    title=row["title"],
                    questions=tuple(row.get("questions") or ()),
                    answer=row["answer"],
                    department=row["department"],
                    items=tuple(codes),
                    category=row.get("category", ""),
                    tags=tuple(row.get("tags") or ()),
                    valid_from=day - dt.timedelta(days=90),
                    valid_to=day + dt.timedelta(days=valid_days) if valid_days else None,
                ),
            )
            Article.objects.filter(pk=article.pk).update(is_demo=True)
            status = row.get("status", Article.Status.PUBLISHED)
            if status in (Article.Status.IN_REVIEW, Article.Status.PUBLISHED):
                services.article_act(principal=LEAD, article_id=article.pk, action="submit")
            if status == Article.Status.PUBLISHED:
                services.article_act(principal=LEAD, article_id=article.pk, action="publish")
            created += 1
    return created
