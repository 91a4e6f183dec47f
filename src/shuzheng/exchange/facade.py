"""The exchange's public face: other modules import only this and ``contracts``.

- ``prefill`` resolves a form's ``x-prefill`` sources from the applicant's own data, naming the
  department each value came from (the applicant sees it next to the field).
- ``facts`` gives the rules module the values of named data items for one subject.
- ``resources`` / ``resource`` read the catalog.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from shuzheng.core.errors import FieldError, NotFound, ValidationFailed
from shuzheng.exchange import fastpath, providers, selectors
from shuzheng.exchange.contracts import (
    FieldInfo,
    QualityReport,
    RegionAnswer,
    RegionItem,
    ResourceInfo,
)
from shuzheng.exchange.models import DataItem
from shuzheng.exchange.services import regional
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal

__all__ = [
    "DERIVED_FACTS",
    "FieldInfo",
    "QualityReport",
    "RegionAnswer",
    "RegionItem",
    "ResourceInfo",
    "facts",
    "prefill",
    "prefill_sources",
    "region_catalog_seed",
    "region_correction",
    "region_figures",
    "region_figures_publish",
    "region_items",
    "resource",
    "resources",
]

# Sources served from the caller's own account rather than a shared registry.
ACCOUNT_SOURCES = {"person.phone": "统一身份认证平台（实名手机号码）"}
# Facts computed from registry values.
DERIVED_FACTS = {"person.age": "person.birth_date", "enterprise.age_years": "enterprise.founded_on"}


def resources(subject_kind: str = "") -> list[ResourceInfo]:
    return selectors.resources(subject_kind=subject_kind)


def resource(code: str) -> ResourceInfo:
    """A resource of the catalog (raises NotFound)."""
    return selectors.resource_info(code)


def prefill_sources() -> dict[str, str]:
    """Every prefill source this module can resolve → the code of its source resource."""
    out = dict(DataItem.objects.values_list("key", "source_resource__code"))
    out.update({k: "" for k in ACCOUNT_SOURCES})
    return out


def _years(since: Any, today: dt.date) -> int | None:
    try:
        d = dt.date.fromisoformat(str(since)[:10])
    except ValueError:
        return None
    return today.year - d.year - ((today.month, today.day) < (d.month, d.day))


def _source_codes(keys: list[str], catalog: dict[str, tuple[ResourceInfo, int]]) -> dict[str, str]:
    """data item key -> code of its source resource (一数一源), from the per-process catalog
    (every field carries its item's source); items no resource lists are asked for directly
    (the account's own sources, such as the real-name phone, are not data items)."""
    wanted = set(keys)
    out: dict[str, str] = {}
    for info, _pk in catalog.values():
        for f in info.fields:
            if f.name in wanted and f.source_resource:
                out.setdefault(f.name, f.source_resource)
    missing = [k for k in keys if k not in out and k not in ACCOUNT_SOURCES]
    if missing:
        out.update(fastpath.item_sources(missing))
    return out


def _values(keys: list[str], subject_kind: str, subject_id: str) -> dict[str, tuple[Any, str, str]]:
    """key -> (value, source resource code, source department) for one subject."""
    if not keys:
        return {}
    catalog = fastpath.catalog()
    by_resource: dict[str, list[str]] = {}
    for key, code in _source_codes(keys, catalog).items():
        found = catalog.get(code)
        if found is not None and found[0].subject_kind == subject_kind:
            by_resource.setdefault(code, []).append(key)
    out: dict[str, tuple[Any, str, str]] = {}
    for code, group in by_resource.items():
        res = catalog[code][0]
        record = providers.fetch(res.provider, code, subject_kind, subject_id)
        if record is None:
            continue
        for key in group:
            value = record.data.get(key)
            if value not in (None, "", []):
                out[key] = (value, code, res.source_department)
    return out


def prefill(
    principal: Principal, sources: list[str], enterprise_uscc: str | None = None
) -> dict[str, tuple[Any, str]]:
    """Values for ``x-prefill`` sources from the applicant's own data:
    ``{source: (value, department name)}``. Sources without a value are left out.

    ``person.*`` sources read the caller's own records; ``enterprise.*`` sources read the
    enterprise only when the caller is its valid agent.
    """
    if principal.kind not in ("person", "agent") or not principal.id_number:
        return {}
    wanted = list(dict.fromkeys(sources))
    names = selectors.department_names()
    out: dict[str, tuple[Any, str]] = {}
    person_keys = [s for s in wanted if s.startswith("person.")]
    ent_keys = [s for s in wanted if s.startswith("enterprise.")]
    found = _values(person_keys, "person", principal.id_number)
    if enterprise_uscc and enterprise_uscc in principal.enterprises:
        found.update(_values(ent_keys, "enterprise", enterprise_uscc))
    for key, (value, _code, dept) in found.items():
        out[key] = (value, names.get(dept, dept))
    for key, label in ACCOUNT_SOURCES.items():
        if key not in wanted:
            continue
        own: Any
        if key == "person.phone":  # one plain query instead of the whole real-name record
            own = identity.person_phone(principal.id_number)
        else:
            try:
                own = getattr(identity.person_own(principal), key.split(".", 1)[1], None)
            except NotFound:
                continue
        if own:
            out[key] = (own, label)
    return {k: out[k] for k in wanted if k in out}


def facts(
    subject_kind: str, subject_id: str, names: list[str], *, as_of: dt.date | None = None
) -> dict[str, Any]:
    """The values of named data items (and derived facts such as ``person.age``) for one
    subject, unmasked, for rules evaluated by the platform itself. Derived facts are worked out
    on ``as_of`` (default today: a rule decided for a past day sees that day's age). Missing
    values are None; an unknown name is a ValidationFailed naming it."""
    if subject_kind not in ("person", "enterprise"):
        raise ValidationFailed.one("subject_kind", "数据主体类型应为 person 或 enterprise。")
    wanted = list(dict.fromkeys(names))
    keys = [DERIVED_FACTS.get(n, n) for n in wanted]
    known = set(
        DataItem.objects.filter(
            key__in=keys, source_resource__subject_kind=subject_kind
        ).values_list("key", flat=True)
    )
    unknown = [n for n, k in zip(wanted, keys, strict=True) if k not in known]
    if unknown:
        raise ValidationFailed(
            [FieldError(f"names.{wanted.index(n)}", f"未登记的数据项：{n}") for n in unknown]
        )
    found = _values(keys, subject_kind, subject_id)
    today = as_of or timezone.localdate()
    out: dict[str, Any] = {}
    for name, key in zip(wanted, keys, strict=True):
        value = found.get(key, (None, "", ""))[0]
        out[name] = _years(value, today) if name in DERIVED_FACTS and value is not None else value
    return out


def calls_between(start: dt.datetime, end: dt.datetime) -> int:
    """How many data-API calls were made in [start, end) — 一网统管's 数据共享调用量 indicator."""
    from shuzheng.exchange.models import DataCall

    return DataCall.objects.filter(at__gte=start, at__lt=end).count()


# --- per-village statistics (分村统计, services/regional.py) -------------------------------------
# The aggregates of the 人口, 低保/特困, 高龄, 残疾人 and 法人 registries by 村/社区 and period,
# for government systems with a grant (填表报数's prefill); a wrong figure goes back to the
# source department as a 数据纠错.


def region_items(keys: list[str] | None = None) -> dict[str, RegionItem]:
    """The per-region data items → ``RegionItem`` (resource, registry, source department)."""
    return regional.items(keys)


def region_figures(
    *, client_id: str, purpose: str, keys: list[str], region: str, period: str, actor: str
) -> RegionAnswer:
    """One region's figures for a period (``RegionAnswer``: values, sources, refused), for a
    granted government system; logged as data calls and audited."""
    return regional.figures_read(
        client_id=client_id, purpose=purpose, keys=keys, region=region, period=period, actor=actor
    )


def region_figures_publish(
    *, actor: str, resource_code: str, period: str, rows: dict[str, dict[str, Any]]
) -> int:
    """A source system publishes a period's per-region figures (audited)."""
    return regional.figures_publish(
        actor=actor, resource_code=resource_code, period=period, rows=rows
    )


def region_correction(
    *,
    client_id: str,
    actor: str,
    key: str,
    region: str,
    period: str,
    current: Any,
    proposed: Any,
    reason: str,
) -> int:
    """File a 数据纠错 of a region's figure for its source department; returns the issue id."""
    return regional.correction_report_region(
        client_id=client_id,
        actor=actor,
        key=key,
        region=region,
        period=period,
        current=current,
        proposed=proposed,
        reason=reason,
    )


def region_catalog_seed() -> dict[str, int]:
    """Register the per-region resources and grant their listed systems (demo; idempotent)."""
    return regional.catalog_seed()
