"""The lifecycle of a 预警 (alert): one row per action (docs/style.md habit 11, like
``hotline.transitions``). The API's ``allowed_actions``, the alerts page's buttons and the audit
words are read from here.

Roles on an alert (``selectors.access.roles_on_alert``):

- ``center`` — the 城市运行管理中心 and leaders (``selectors.access``: see every alert);
- ``owner`` — staff of the indicator's owning department (the alert's ``department``);
- ``district`` — staff of the 区县 the alert is in;
- ``system`` — the readings themselves: a value back within the thresholds clears the alert.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shuzheng.core.lifecycle import Lifecycle, Transition
from shuzheng.governance.models import AlertStatus as S

CENTER = "center"
OWNER = "owner"
DISTRICT = "district"
SYSTEM = "system"

ACTIVE = (S.OPEN, S.CONFIRMED)

T = Transition
# fmt: off
ROWS = [
    T("confirm", (S.OPEN,), S.CONFIRMED, (CENTER, OWNER, DISTRICT),
      _("确认预警"), _("预警已确认，正在处置")),
    T("clear", ACTIVE, S.CLEARED, (CENTER, OWNER),
      _("解除预警"), _("预警已人工解除")),
    T("auto_clear", ACTIVE, S.CLEARED, (SYSTEM,),
      _("自动解除"), _("读数回到阈值以内，预警自动解除")),
]
# fmt: on

ALERT_LIFECYCLE = Lifecycle(
    name="city_alert",
    transitions=ROWS,
    terminal=(S.CLEARED,),
    events={"raised": _("读数越过阈值，发出预警")},
)
