"""Data providers: where the values of a resource come from (a small registry: docs/style.md,
habit 6).

A resource names its provider in ``Resource.provider``:

- a registered name (``registry``, ``population``, ``legal_entity``, ``licences``,
  ``licences_module`` — the demo's 电子证照 read from the licences module), or
- a dotted reference ``"package.module:callable"`` resolved at run time, so a module in a
  *lower* layer can serve a resource without importing the exchange: it exposes a function
  ``(subject_kind, subject_id) -> Record | dict | None`` and the resource's ``provider`` is set
  to, e.g., ``shuzheng.licenses.facade:exchange_record`` (values as that function names them).

Providers return unmasked values; the exchange masks them per call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils.module_loading import import_string

from shuzheng.core.errors import NotFound
from shuzheng.exchange import fastpath
from shuzheng.identity import facade as identity


@dataclass(frozen=True)
class Record:
    data: dict[str, Any]
    updated_at: dt.datetime | None


# (resource_code, subject_kind, subject_id) -> Record | None
ProviderFn = Callable[[str, str, str], Record | None]
# (subject_kind, subject_id) -> Record | None, for providers living in other modules
ExternalFn = Callable[[str, str], Record | dict[str, Any] | None]

_REGISTRY: dict[str, ProviderFn] = {}


def register(name: str) -> Callable[[ProviderFn], ProviderFn]:
    def decorate(fn: ProviderFn) -> ProviderFn:
        _REGISTRY[name] = fn
        return fn

    return decorate


def names() -> list[str]:
    return sorted(_REGISTRY)


@lru_cache(maxsize=64)
def _external(ref: str) -> ProviderFn:
    target: ExternalFn = import_string(ref.replace(":", "."))

    def call(resource_code: str, subject_kind: str, subject_id: str) -> Record | None:
        out = target(subject_kind, subject_id)
        if out is None or isinstance(out, Record):
            return out
        return Record(data=dict(out), updated_at=None)

    return call


def get(name: str) -> ProviderFn:
    """The provider called ``name``; KeyError/ImportError when it does not exist."""
    if name in _REGISTRY:
        return _REGISTRY[name]
    if ":" in name:
        return _external(name)
    raise KeyError(name)


def fetch(provider: str, resource_code: str, subject_kind: str, subject_id: str) -> Record | None:
    return get(provider)(resource_code, subject_kind, subject_id)


# --- built-in providers ------------------------------------------------------------------------


# providers that read the source module at call time rather than a copy held by the exchange
LIVE = frozenset({"licences_module"})


def is_live(provider: str) -> bool:
    return provider in LIVE or ":" in provider


@register("registry")
def registry(resource_code: str, subject_kind: str, subject_id: str) -> Record | None:
    """The exchange's own copy of a base registry (``RegistryRecord``)."""
    pk = fastpath.resource_id(resource_code)
    if pk is None:
        return None
    row = fastpath.record(pk, subject_id)
    return Record(data=row[0], updated_at=row[1]) if row else None


@register("population")
def population(resource_code: str, subject_kind: str, subject_id: str) -> Record | None:
    """人口基础信息: the registry record, else the real-name data identity holds."""
    found = registry(resource_code, subject_kind, subject_id)
    if found is not None:
        return found
    person = identity.person_by_id_number(subject_id)
    if person is None:
        return None
    return Record(
        data={
            "person.id_number": person.id_number,
            "person.name": person.name,
            "person.sex": {"M": "男", "F": "女"}.get(person.sex, person.sex),
            "person.birth_date": person.birth_date,
            "person.hukou_region": person.hukou_region,
            "person.hukou_address": person.hukou_address,
        },
        updated_at=None,
    )


@register("legal_entity")
def legal_entity(resource_code: str, subject_kind: str, subject_id: str) -> Record | None:
    """法人基础信息: the registry record, else the enterprise identity holds."""
    found = registry(resource_code, subject_kind, subject_id)
    if found is not None:
        return found
    try:
        e = identity.enterprise(subject_id)
    except NotFound:
        return None
    return Record(data=enterprise_data(e), updated_at=None)


def enterprise_data(e: Any) -> dict[str, Any]:
    return {
        "enterprise.uscc": e.uscc,
        "enterprise.name": e.name,
        "enterprise.legal_representative": e.legal_representative,
        "enterprise.address": e.address,
        "enterprise.region": e.region_code,
        "enterprise.industry": e.industry,
        "enterprise.registered_capital": e.registered_capital,
        "enterprise.founded_on": e.founded_on,
    }


@register("licences")
def licenses(resource_code: str, subject_kind: str, subject_id: str) -> Record | None:
    """电子证照 from a copy held in the exchange's ``RegistryRecord`` table (the demo's former
    source; the demo resource now reads the licences module, ``licences_module``)."""
    return registry(resource_code, subject_kind, subject_id)


def license_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The licences module's summary (``{"licences": [...], "valid_types": [...]}``) as the
    fields of the 电子证照 resource: only licences valid today, types and numbers in step
    (``licence.types[i]`` is the type of ``licence.numbers[i]``)."""
    valid = [x for x in record.get("licences", []) if x.get("status", "valid") == "valid"]
    return {
        "licence.count": len(valid),
        "licence.types": [x.get("type_name") for x in valid],
        "licence.numbers": [x.get("license_no") for x in valid],
    }


@register("licences_module")
def licenses_module(resource_code: str, subject_kind: str, subject_id: str) -> Record | None:
    """电子证照 as the licences module holds them now (``licenses.facade.exchange_record``).

    The licences module sits below the exchange and never imports it; the exchange imports its
    facade here, in the function, so processes that never serve this resource do not load the
    PDF and signature libraries the licences module brings in."""
    from shuzheng.licenses import facade as licenses_facade

    found = licenses_facade.exchange_record(subject_kind, subject_id)
    return Record(data=license_fields(found), updated_at=None) if found else None
