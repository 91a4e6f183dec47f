"""Demo 公文: the five seed documents (Guangdong's 2020 and 2022 work plans, the traditional-
character 2022 plan and a fragment of the 2023 one, Zhaoqing's 2022 plan, an article on the
State Council's 2022 指导意见) registered for 市政数局 as 主动公开. Re-runnable: a file already
registered (same SHA-256) is skipped."""

from __future__ import annotations

import hashlib
from pathlib import Path

from shuzheng.documents.models import Document, Openness
from shuzheng.documents.services import documents_import
from shuzheng.identity.contracts import Principal

SEEDS = Path(__file__).parent / "data" / "seeds"
OFFICE = Principal(
    kind="staff",
    username="demo-head",
    name="黄志刚（科长）",
    staff_roles=(("department_head", "441200-ZSJ"),),
)


def seed_documents() -> int:
    files = []
    for path in sorted(SEEDS.glob("*.txt")):
        data = path.read_bytes()
        if not Document.objects.filter(sha256=hashlib.sha256(data).hexdigest()).exists():
            files.append((path.name, data))
    if not files:
        return 0
    docs = documents_import(
        principal=OFFICE, files=files, openness=Openness.PUBLIC, department="441200-ZSJ"
    )
    return len(docs)
