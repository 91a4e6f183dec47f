"""评价链接: the 答复 SMS carries a short signed link with which the caller rates the answer
(满意/基本满意/不满意) without logging in — an anonymous caller has no account to log in with,
and a registered one should not need to. The citizen's own 回访 (the ``callback`` row of
``transitions``, role ``citizen``), like the rating of a finished case, but reached by the link.

The reference names the ticket and its 重办 round (``reopen_count``), with a truncated
HMAC-SHA256 under the server's secret (``salted_hmac``, as the 亮证 short links): 15 bytes,
20 URL-safe characters. A link of an earlier answer stops working once the ticket is redone
(the new answer texts a new one); the state check of ``ticket_act`` refuses a second rating."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from shuzheng.core.errors import NotFound
from shuzheng.hotline.models import Ticket

_SALT = "shuzheng.hotline.rating-link"
_ID, _ROUND, _MAC = 6, 1, 8  # bytes: ticket id, 重办 round, MAC (2^64 guesses)


def _mac(raw: bytes) -> bytes:
    return salted_hmac(_SALT, raw, algorithm="sha256").digest()[:_MAC]


def rating_ref(ticket: Ticket) -> str:
    raw = ticket.pk.to_bytes(_ID, "big") + (ticket.reopen_count % 256).to_bytes(_ROUND, "big")
    return urlsafe_base64_encode(raw + _mac(raw))


def rating_url(ticket: Ticket) -> str:
    """The link texted with the answer (``SHUZHENG_PUBLIC_URL`` + ``/hotline/r/<ref>/``)."""
    return settings.PUBLIC_URL + reverse("hotline:rate_link", args=[rating_ref(ticket)])


def ticket_for_ref(ref: str) -> Ticket:
    """The ticket a link names, in the round it was texted for; else NotFound (a reference this
    server did not make, or one of an answer since redone)."""
    gone = NotFound("评价链接无效或已失效。如需评价，请拨打 12345 或登录后在“我的诉求”中评价。")
    try:
        raw = urlsafe_base64_decode(ref.strip())
    except ValueError:
        raise gone from None
    if len(raw) != _ID + _ROUND + _MAC or not constant_time_compare(
        raw[_ID + _ROUND :], _mac(raw[: _ID + _ROUND])
    ):
        raise gone
    ticket = Ticket.objects.filter(pk=int.from_bytes(raw[:_ID], "big")).first()
    if ticket is None or ticket.reopen_count % 256 != raw[_ID]:
        raise gone
    return ticket


def ticket_rate_by_link(
    *, ref: str, satisfaction: str, note: str = "", at: dt.datetime | None = None
) -> Ticket:
    """The caller's 评价 through the link: ``callback`` as the citizen of this ticket (one save
    path: 409 once rated, 422 naming ``satisfaction``; audited as ``hotline.callback`` by
    ``citizen:rating-link``)."""
    from shuzheng.hotline.services.actions import ticket_act
    from shuzheng.identity.contracts import ANONYMOUS

    ticket = ticket_for_ref(ref)
    params: dict[str, Any] = {"satisfaction": satisfaction, "note": note[:500]}
    return ticket_act(
        principal=ANONYMOUS,
        ticket_no=ticket.ticket_no,
        action="callback",
        params=params,
        rating_link=True,
        at=at,
    )
