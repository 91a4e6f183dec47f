"""Reads of the 公文 library, scoped by the caller and the document's 公开属性:

- 主动公开: everyone signed in;
- 依申请公开: staff;
- 不予公开: staff of the owning department, and the lead office (``OFFICE_ROLES`` in
  ``settings.DOCUMENTS_OFFICE_DEPARTMENTS``, default 市政数局) and platform administrators.

A document the caller may not read is 404 (as if there were none).

Search (the catalog's Chinese approach, smaller): the query is NFKC-normalised, lower-cased and
converted to simplified characters like the stored ``search_text``; it is cut into jieba words
(search mode) — or kept whole when short — and every word must occur; results are ranked by the
words' occurrences, a title match counting ten times. Snippets and titles are highlighted with
``<mark>`` around the words (HTML-escaped otherwise).
"""

from __future__ import annotations

import html
import re
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from shuzheng.core.errors import NotFound, Unauthenticated
from shuzheng.documents import gbt9704, termindex
from shuzheng.documents.models import Citation, Document, Openness
from shuzheng.documents.registry import related_items
from shuzheng.identity.contracts import Principal

OFFICE_ROLES = ("department_head", "platform_admin")
MAX_TERMS = 6
RANKED = 500  # matches ranked by occurrences; ``total`` counts at most these


def office_departments() -> tuple[str, ...]:
    return tuple(getattr(settings, "DOCUMENTS_OFFICE_DEPARTMENTS", ("441200-ZSJ",)))


def is_office(principal: Principal) -> bool:
    if principal.kind != "staff":
        return False
    if principal.is_superuser or principal.is_platform_admin:
        return True
    return any(principal.has_role(r, d) for r in OFFICE_ROLES for d in office_departments())


def readable(principal: Principal) -> QuerySet[Document]:
    if not principal.is_authenticated:
        raise Unauthenticated()
    qs = Document.objects.all()
    if is_office(principal):
        return qs
    if principal.kind != "staff":
        return qs.filter(openness=Openness.PUBLIC)
    return qs.filter(
        Q(openness__in=(Openness.PUBLIC, Openness.ON_REQUEST))
        | Q(department__in=principal.departments)
    )


def document_for(principal: Principal, doc_id: int) -> Document:
    doc = readable(principal).filter(pk=doc_id).first()
    if doc is None:
        raise NotFound("未找到该公文。")
    return doc


def terms_of(q: str) -> list[str]:
    s = gbt9704.norm(q).strip()
    if not s:
        return []
    words: list[str] = []
    for token in re.split(r"[\s，。,、;；:：]+", s):
        if not token:
            continue
        if len(token) <= 4:
            words.append(token)
            continue
        import jieba

        cut = [w for w in jieba.cut(token) if len(w.strip()) > 1 or not w.isascii()]
        words.extend(w for w in cut if w.strip())
    seen: list[str] = []
    for w in words:
        if w not in seen and not any(w in other and w != other for other in words):
            seen.append(w)
    return seen[:MAX_TERMS]


def highlight(text: str, terms: list[str]) -> str:
    """``text`` HTML-escaped with ``<mark>`` around each term (matched on the simplified copy,
    shown as written when the two have the same length)."""
    simple = gbt9704.norm(text)
    if len(simple) != len(text):
        text = simple
    spans: list[tuple[int, int]] = []
    for t in terms:
        for m in re.finditer(re.escape(t), simple):
            spans.append((m.start(), m.end()))
    spans.sort()
    out, pos = [], 0
    for a, b in spans:
        if a < pos:
            continue
        out.append(html.escape(text[pos:a]))
        out.append(f"<mark>{html.escape(text[a:b])}</mark>")
        pos = b
    out.append(html.escape(text[pos:]))
    return "".join(out)


def snippet(doc: Document, terms: list[str], width: int = 60) -> str:
    simple = gbt9704.norm(doc.body)
    at = min((i for i in (simple.find(t) for t in terms) if i >= 0), default=0)
    start = max(0, at - width // 3)
    piece = (
        doc.body[start : start + width]
        if len(simple) == len(doc.body)
        else simple[start : start + width]
    )
    return ("…" if start else "") + highlight(piece, terms) + "…"


def search(
    *,
    principal: Principal,
    q: str = "",
    issuer: str = "",
    year: int | None = None,
    kind: str = "",
    topic: str = "",
    limit: int = 20,
    offset: int = 0,
) -> tuple[int, list[dict[str, Any]]]:
    qs = readable(principal)
    if issuer:
        qs = qs.filter(issuer__icontains=issuer)
    if year:
        qs = qs.filter(date__year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if topic:
        qs = qs.filter(topic=topic)
    terms = terms_of(q)
    match = termindex.match_query(terms) if terms and termindex.available() else None
    if match:  # the term index narrows; the substring test below stays exact
        qs = qs.filter(pk__in=RawSQL(termindex.SELECT, [match]))  # noqa: S611 (constant SQL)
    for t in terms:
        qs = qs.filter(search_text__contains=t)
    limit = max(1, min(limit, 50))
    if not terms:
        total = qs.count()
        docs = list(qs.order_by("-date", "-id")[offset : offset + limit])
        return total, [summary(d, principal, []) for d in docs]
    scored = []
    # unordered: the first RANKED matches are read and ranked here, not all of them sorted (a
    # word in most of 100,000 documents: reading 2,000 texts cost p95 420 ms, bench/documents)
    for pk, text in qs.order_by().values_list("id", "search_text")[:RANKED]:
        title = text[: text.find("\n")]  # search_text starts with the normalised title
        score = sum(text.count(t) + 10 * title.count(t) for t in terms)
        scored.append((-score, pk))
    scored.sort()
    page = [pk for _, pk in scored[offset : offset + limit]]
    by_id = {d.pk: d for d in Document.objects.filter(pk__in=page)}
    return len(scored), [summary(by_id[pk], principal, terms) for pk in page]


def summary(doc: Document, principal: Principal, terms: list[str]) -> dict[str, Any]:
    out = {
        "id": doc.pk,
        "doc_number": doc.doc_number,
        "issuer": doc.issuer,
        "title": doc.title,
        "date": doc.date,
        "kind": doc.kind,
        "topic": doc.topic,
        "openness": doc.openness,
        "title_html": highlight(doc.title, terms),
        "snippet_html": snippet(doc, terms) if terms else "",
        "related_items": [],
    }
    if terms:
        out["related_items"] = [
            vars(r) for r in related_items(principal, doc.title, "".join(terms[:1]))
        ]
    return out


def relations(doc: Document, principal: Principal) -> list[dict[str, Any]]:
    """Documents this one cites (by 文号 or 《标题》, or issues), and those citing it; only those
    the caller may read."""
    visible = readable(principal)
    out: list[dict[str, Any]] = []
    mine = list(doc.citations.all())
    numbers = [c.key for c in mine if c.kind == Citation.NUMBER]
    titles = [c.key for c in mine if c.kind in (Citation.TITLE, Citation.ISSUES)]
    issues = {c.key for c in mine if c.kind == Citation.ISSUES}
    for other in visible.filter(Q(number_key__in=numbers) | Q(title_key__in=titles)).exclude(
        pk=doc.pk
    ):
        kind = "issues" if other.title_key in issues else "cites"
        out.append(_rel(other, kind))
    keys = [k for k in (doc.number_key, doc.title_key) if k]
    citing = visible.filter(citations__key__in=keys).exclude(pk=doc.pk).distinct()
    for other in citing:
        issued = other.citations.filter(kind=Citation.ISSUES, key=doc.title_key).exists()
        out.append(_rel(other, "issued_by" if issued else "cited_by"))
    return out


REL_LABELS = {"cites": "引用", "cited_by": "被引用", "issues": "印发", "issued_by": "印发通知"}


def _rel(doc: Document, kind: str) -> dict[str, Any]:
    return {
        "id": doc.pk,
        "kind": kind,
        "kind_label": REL_LABELS[kind],
        "doc_number": doc.doc_number,
        "title": doc.title,
        "date": doc.date,
    }


def detail(doc: Document, principal: Principal) -> dict[str, Any]:
    return {
        **summary(doc, principal, []),
        "recipients": doc.recipients,
        "attachments": doc.attachments,
        "cc": doc.cc,
        "printed_by": doc.printed_by,
        "printed_on": doc.printed_on,
        "signer": doc.signer,
        "urgency": doc.urgency,
        "headings": doc.headings,
        "body": doc.body,
        "department": doc.department,
        "relations": relations(doc, principal),
        "related_items": [vars(r) for r in related_items(principal, doc.title, "")],
    }


def stats(principal: Principal) -> dict[str, list[dict[str, Any]]]:
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    qs = readable(principal)
    return {
        "by_issuer": [
            {"key": r["issuer"], "count": r["n"]}
            for r in qs.values("issuer").annotate(n=Count("id")).order_by("-n", "issuer")
        ],
        "by_year": [
            {"key": str(r["y"] or ""), "count": r["n"]}
            for r in qs.annotate(y=ExtractYear("date"))
            .values("y")
            .annotate(n=Count("id"))
            .order_by("y")
        ],
        "by_kind": [
            {"key": r["kind"], "count": r["n"]}
            for r in qs.values("kind").annotate(n=Count("id")).order_by("-n", "kind")
        ],
    }
