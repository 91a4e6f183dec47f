"""Fact providers: where the values of named facts come from (a small plug-in registry).

* A **source** delivers a subject's facts: ``facts(kind, subject_id, names, as_of)`` for one
  subject (秒批) and ``frame(kind, names, as_of)`` for every subject (免申即享 batches).
  ``SHUZHENG_RULES_FACT_SOURCE`` chooses it: ``demo`` (default; the deterministic demo
  registries of ``registry.py`` overlaid with identity's real person and enterprise rows) or
  ``exchange`` (delegates to ``shuzheng.exchange.facade.facts`` when that module offers it —
  guarded by a try-import — and falls back to ``demo`` for any fact it does not return).
* **Contributors** add items to the list facts (``benefits``, ``licenses``, ``applied_items``)
  from what the platform itself has recorded: this module contributes the benefits of approved
  秒批 decisions; ``proactive`` registers the benefits it granted. Contributions are unions,
  so a contributor never removes what a register says.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import polars as pl
from django.conf import settings

from shuzheng.core.codes import CodeError, validate_id_number
from shuzheng.core.errors import NotFound, ValidationFailed
from shuzheng.identity import facade as identity
from shuzheng.rules import facts as catalog
from shuzheng.rules import registry

logger = logging.getLogger(__name__)


class Source(Protocol):
    name: str

    def facts(
        self, kind: str, subject_id: str, names: Iterable[str], as_of: dt.date
    ) -> dict[str, Any]: ...

    def frame(self, kind: str, names: Iterable[str], as_of: dt.date) -> pl.DataFrame: ...

    def subject_name(self, kind: str, subject_id: str) -> str: ...


class Contributor(Protocol):
    def items(self, kind: str, subject_id: str, fact: str) -> list[str]: ...

    def all_items(self, kind: str, fact: str) -> dict[str, list[str]]: ...


_SOURCES: dict[str, Callable[[], Source]] = {}
_CONTRIBUTORS: dict[str, Contributor] = {}


def register_source(name: str) -> Callable[[Callable[[], Source]], Callable[[], Source]]:
    def deco(factory: Callable[[], Source]) -> Callable[[], Source]:
        _SOURCES[name] = factory
        return factory

    return deco


def register_contributor(name: str, contributor: Contributor) -> None:
    """Add (or replace, by name) a contributor of list-fact items."""
    _CONTRIBUTORS[name] = contributor


def source() -> Source:
    name = getattr(settings, "SHUZHENG_RULES_FACT_SOURCE", "") or "demo"
    if name not in _SOURCES:
        raise RuntimeError(f"unknown SHUZHENG_RULES_FACT_SOURCE {name!r}; have {sorted(_SOURCES)}")
    return _SOURCES[name]()


LIST_FACTS = tuple(f.name for f in catalog.FACTS if f.type == "list")


def subject_facts(
    kind: str, subject_id: str, names: Iterable[str], as_of: dt.date
) -> dict[str, Any]:
    """The named facts of one subject (flat names), with the contributors' items added."""
    wanted = list(dict.fromkeys(names))
    values = source().facts(kind, subject_id, wanted, as_of)
    for name in wanted:
        if name in LIST_FACTS:
            merged = list(values.get(name) or [])
            for c in _CONTRIBUTORS.values():
                merged.extend(i for i in c.items(kind, subject_id, name) if i not in merged)
            values[name] = merged
    return {n: values.get(n) for n in wanted}


def subjects_frame(kind: str, names: Iterable[str], as_of: dt.date) -> pl.DataFrame:
    """Every subject's named facts as a frame (``subject_id``, ``name`` + one column each)."""
    wanted = list(dict.fromkeys(names))
    frame = source().frame(kind, wanted, as_of)
    for name in wanted:
        if name not in LIST_FACTS:
            continue
        extra: dict[str, list[str]] = {}
        for c in _CONTRIBUTORS.values():
            for sid, items in c.all_items(kind, name).items():
                extra.setdefault(sid, []).extend(items)
        if extra:
            add = pl.DataFrame(
                {"subject_id": list(extra), "_extra": list(extra.values())},
                schema={"subject_id": pl.String, "_extra": pl.List(pl.String)},
            )
            frame = (
                frame.join(add, on="subject_id", how="left")
                .with_columns(
                    pl.concat_list([pl.col(name), pl.col("_extra").fill_null([])])
                    .list.unique(maintain_order=True)
                    .alias(name)
                )
                .drop("_extra")
            )
    return frame


def subject_name(kind: str, subject_id: str) -> str:
    return source().subject_name(kind, subject_id)


# --- the demo source ------------------------------------------------------------------------


def _person_row(subject_id: str) -> dict[str, Any]:
    row = registry.record("person", subject_id)
    person = identity.person_by_id_number(subject_id)
    if row is None:
        try:
            info = validate_id_number(subject_id)
        except CodeError:
            raise NotFound("未找到该人员的人口基础信息。") from None
        if person is None:
            raise NotFound("未找到该人员的人口基础信息。")
        row = registry.person_record_for(
            info.id_number,
            birth=info.birth_date,
            region=info.region_code,
            sex=info.sex,
            name=person.name,
        )
    if person is not None:  # identity's record wins for what it holds
        row["name"] = person.name
        if person.hukou_region:
            row["hukou_region"] = person.hukou_region
        if person.birth_date:
            row["birth_date"] = dt.date.fromisoformat(str(person.birth_date)[:10])
    return row


def _enterprise_row(subject_id: str) -> dict[str, Any]:
    row = registry.record("enterprise", subject_id)
    try:
        ent = identity.enterprise(subject_id)
    except NotFound:
        ent = None
    if row is None:
        if ent is None:
            raise NotFound("未找到该企业的法人基础信息。")
        row = registry.enterprise_record_for(subject_id)
    if ent is not None:
        row["name"] = ent.name
        row["enterprise.region"] = ent.region_code or row["enterprise.region"]
        if ent.industry:
            row["enterprise.industry"] = ent.industry
        if ent.registered_capital not in (None, ""):
            row["enterprise.registered_capital"] = float(str(ent.registered_capital))
        if ent.founded_on:
            row["founded_on"] = dt.date.fromisoformat(str(ent.founded_on)[:10])
    return row


def _derived(kind: str, row: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    out = dict(row)
    if kind == "person":
        b: dt.date = row["birth_date"]
        out["age"] = as_of.year - b.year - ((b.month, b.day) > (as_of.month, as_of.day))
    else:
        f: dt.date = row["founded_on"]
        out["enterprise.age_months"] = (
            (as_of.year - f.year) * 12 + (as_of.month - f.month) - (1 if f.day > as_of.day else 0)
        )
    return out


class DemoSource:
    """The demo registries, with identity's rows laid over them (one source of truth for
    names, household regions, birth dates and enterprise registration data)."""

    name = "demo"

    def facts(
        self, kind: str, subject_id: str, names: Iterable[str], as_of: dt.date
    ) -> dict[str, Any]:
        row = _person_row(subject_id) if kind == "person" else _enterprise_row(subject_id)
        full = _derived(kind, row, as_of)
        return {n: full.get(n) for n in names}

    def frame(self, kind: str, names: Iterable[str], as_of: dt.date) -> pl.DataFrame:
        base = registry.people() if kind == "person" else registry.enterprises()
        frame = registry.with_age(base, kind, as_of).collect()
        overlay = self._identity_overlay(kind, frame)
        if overlay:
            patch = pl.DataFrame(overlay, schema={c: frame.schema[c] for c in overlay[0]})
            frame = frame.update(patch, on="subject_id")
            frame = registry.with_age(frame, kind, as_of).collect()
        cols = ["subject_id", "name", *[n for n in names if n in frame.columns]]
        return frame.select(list(dict.fromkeys(cols)))

    def _identity_overlay(self, kind: str, frame: pl.DataFrame) -> list[dict[str, Any]]:
        """identity's rows for the registry subjects that are identity demo records."""
        out: list[dict[str, Any]] = []
        if kind == "person":
            for sid in frame["subject_id"].head(len(registry.DEMO_PEOPLE)).to_list():
                person = identity.person_by_id_number(sid)
                if person is not None:
                    out.append(
                        {
                            "subject_id": sid,
                            "name": person.name,
                            "hukou_region": person.hukou_region or sid[:6],
                        }
                    )
            return out
        head = frame.head(registry.IDENTITY_ENTERPRISES + 1)
        for row in head.select(
            "subject_id", "name", "founded_on", "enterprise.registered_capital"
        ).to_dicts():
            try:
                ent = identity.enterprise(row["subject_id"])
            except NotFound:
                continue
            row["name"] = ent.name
            if ent.founded_on:
                row["founded_on"] = dt.date.fromisoformat(str(ent.founded_on)[:10])
            if ent.registered_capital not in (None, ""):
                row["enterprise.registered_capital"] = float(str(ent.registered_capital))
            out.append(row)
        return out

    def subject_name(self, kind: str, subject_id: str) -> str:
        row = _person_row(subject_id) if kind == "person" else _enterprise_row(subject_id)
        return str(row.get("name") or subject_id)


register_source("demo")(DemoSource)


class ExchangeSource(DemoSource):
    """Facts through the data-sharing module (``exchange.facade.facts``), when it exists;
    anything it does not return comes from the demo registries."""

    name = "exchange"

    def __init__(self) -> None:
        self._facts: Callable[..., dict[str, Any]] | None = None
        try:
            module = importlib.import_module("shuzheng.exchange.facade")
            self._facts = getattr(module, "facts", None)
        except ImportError:
            self._facts = None
        if self._facts is None:
            logger.warning("exchange.facade.facts is not available; using the demo registries")

    def facts(
        self, kind: str, subject_id: str, names: Iterable[str], as_of: dt.date
    ) -> dict[str, Any]:
        wanted = list(names)
        got: dict[str, Any] = {}
        if self._facts is not None:
            got = self._from_exchange(kind, subject_id, wanted, as_of)
        missing = [n for n in wanted if got.get(n) is None]
        if missing:
            got.update(super().facts(kind, subject_id, missing, as_of))
        return {n: got.get(n) for n in wanted}

    def _from_exchange(
        self, kind: str, subject_id: str, wanted: list[str], as_of: dt.date
    ) -> dict[str, Any]:
        """exchange names data items by subject (``person.age``); names it has not registered
        are left to the demo registries."""
        assert self._facts is not None
        mapped = {(n if n.startswith(f"{kind}.") else f"{kind}.{n}"): n for n in wanted}
        keys = list(mapped)
        for _ in range(2):
            if not keys:
                return {}
            try:
                raw = dict(self._facts(kind, subject_id, keys, as_of=as_of) or {})
            except NotFound:
                return {}
            except ValidationFailed as exc:
                bad = set()
                for e in exc.errors:
                    head, _, index = e.field.partition(".")
                    if head == "names" and index.isdigit() and int(index) < len(keys):
                        bad.add(keys[int(index)])
                if not bad:
                    return {}
                keys = [k for k in keys if k not in bad]
                continue
            return {mapped[k]: v for k, v in raw.items() if k in mapped}
        return {}


register_source("exchange")(ExchangeSource)
