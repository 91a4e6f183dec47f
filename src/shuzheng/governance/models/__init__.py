"""Tables of 一网统管, one file per topic: ``indicators`` (城市运行体征指标: definitions, readings,
the latest state per indicator and district), ``alerts`` (预警). Events (事件/部件) and the command
dashboard add their own files here."""

from shuzheng.governance.models.alerts import Alert, AlertStatus
from shuzheng.governance.models.event_warnings import EventWarning, WarningLevel
from shuzheng.governance.models.events import (
    CityEvent,
    EventClass,
    EventKind,
    EventSource,
    EventStatus,
    EventStep,
    GridCell,
    GridMember,
    LimitUnit,
)
from shuzheng.governance.models.indicators import (
    CITY,
    Direction,
    Frequency,
    Function,
    Indicator,
    IndicatorState,
    Level,
    Reading,
    Source,
)
from shuzheng.governance.models.plans import (
    LEVELS,
    Plan,
    PlanDepartment,
    PlanKind,
    PlanRun,
    PlanStep,
    RunStatus,
    RunStep,
)

__all__ = [
    "CITY",
    "LEVELS",
    "Alert",
    "AlertStatus",
    "CityEvent",
    "Direction",
    "EventClass",
    "EventKind",
    "EventSource",
    "EventStatus",
    "EventStep",
    "EventWarning",
    "Frequency",
    "Function",
    "GridCell",
    "GridMember",
    "Indicator",
    "IndicatorState",
    "Level",
    "LimitUnit",
    "Plan",
    "PlanDepartment",
    "PlanKind",
    "PlanRun",
    "PlanStep",
    "Reading",
    "RunStatus",
    "RunStep",
    "Source",
    "WarningLevel",
]
