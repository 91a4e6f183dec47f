"""Named metric providers, registered by modules and read by key (a small registry below every
module, like ``core.sms``'s backends).

A module that has a figure another module may show — without that module importing it —
registers a provider in its ``AppConfig.ready``::

    from shuzheng.core import metrics_registry
    metrics_registry.register("hotline.volume", volume_today)

A provider takes the moment to measure at (``now``, aware) and answers a number, ``None`` (no
figure yet, e.g. nothing rated today) or a ``{district code: number}`` mapping (a figure per
区县). The reader (``governance`` for its computed 城市体征指标) looks it up by key
(``Indicator.computation``) and never imports the provider's module: ``hotline`` and
``governance`` are siblings in one layer and may not import each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

MetricValue = float | None | Mapping[str, float]
Provider = Callable[[dt.datetime], MetricValue]

_PROVIDERS: dict[str, Provider] = {}
_LABELS: dict[str, str] = {}


def register(key: str, provider: Provider, *, label: str = "") -> Provider:
    """Register (or replace: ``ready`` may run twice in tests) the provider of ``key``."""
    _PROVIDERS[key] = provider
    _LABELS[key] = label or key
    return provider


def get(key: str) -> Provider | None:
    return _PROVIDERS.get(key)


def registered() -> list[tuple[str, str]]:
    """(key, label) of every registered provider, key order (the admin's help lists them)."""
    return sorted(_LABELS.items())


def measure(key: str, now: dt.datetime) -> MetricValue:
    """The provider's figure at ``now``; ``None`` when nobody registered ``key``."""
    fn = _PROVIDERS.get(key)
    return fn(now) if fn is not None else None
