"""Dataclasses the documents facade and registry use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class RelatedItem:
    """Something of another module a document leads to (a 督办任务 of the plan it is)."""

    kind: str  # e.g. "supervision_task"
    label: str  # e.g. 督办任务
    title: str
    url: str


@dataclass(frozen=True)
class Gongwen:
    """A 公文 to be set in the GB/T 9704-2012 layout (``documents.facade.render_pdf``): a
    registered document, or one another module issues (a 督办通知)."""

    issuer: str  # 发文机关 (the 版头 reads "{issuer}文件"; the 署名)
    title: str
    date: dt.date | None  # 成文日期
    doc_number: str = ""
    recipients: str = ""  # 主送机关
    body: str = ""  # 正文: one paragraph per line
    attachments: tuple[str, ...] = ()
    cc: str = ""  # 抄送
    printed_by: str = ""  # 印发机关 (the issuer when empty)
    printed_on: dt.date | None = None  # 印发日期 (the 成文日期 when empty)
    subject: str = ""  # the PDF's /Subject: what it renders, for the verifier
    seal_purpose: str = ""  # the seal's lower text (督办专用章); the department seal when empty
