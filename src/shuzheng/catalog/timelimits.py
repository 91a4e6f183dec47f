"""The words for an item's promised time (承诺办结时限): the one place they are written.

0 working days means 即办 (done on the spot) and is said so, never "0 个工作日"; an item the
rules decide at once (秒批) is said to be done at once, not "承诺 5 个工作日" — its working days
apply only when the rules refer the case to staff. Pages use the ``promised_time`` filter
(``catalog_tags``); other modules call ``facade.promised_time``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def promised_time(days: int, *, instant_approval: bool = False, short: bool = False) -> str:
    """``short``: for a list of results ("承诺 5 个工作日"); else the value after the label
    承诺办结时限 ("5 个工作日")."""
    days = int(days or 0)
    if instant_approval:
        if short:
            return _("秒批，即时办结")
        if not days:
            return _("即时办结（秒批）")
        return _("即时办结（秒批）；需人工审核的，%(d)s 个工作日内办结") % {"d": days}
    if not days:
        return _("即办件，当场办结") if short else _("即办（当场办结）")
    return (_("承诺 %(d)s 个工作日") if short else _("%(d)s 个工作日")) % {"d": days}


def promised_time_of(obj: Any, *, short: bool = False) -> str:
    """``promised_time`` of an item view, a bundle member, a case's detail (a dict) or a number
    of days."""
    if isinstance(obj, int):
        return promised_time(obj, short=short)
    if isinstance(obj, dict):
        days, instant = obj.get("promised_days", 0), obj.get("instant_approval", False)
    else:
        days, instant = getattr(obj, "promised_days", 0), getattr(obj, "instant_approval", False)
    return promised_time(days, instant_approval=bool(instant), short=short)
