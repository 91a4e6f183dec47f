"""Delivery reports pushed by the SMS gateways (``sms_gateways.py``).

``POST /sms/report/<provider>/<token>/``: the provider's status-report push (阿里云 SmsReport,
腾讯云 短信下发状态回调), a JSON list. Neither provider signs its pushes, so the URL carries a
secret (``SHUZHENG_SMS_CALLBACK_TOKEN``, compared in constant time): without it, or with a
wrong one, the endpoint does not exist (404). Each report moves its ``SmsDelivery`` to
``delivered`` or ``undelivered``; reports for texts not found are acknowledged and ignored (the
provider would otherwise push them again). Answers in the shape each provider expects.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shuzheng.notify.models import SmsDelivery

_BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Report:
    out_id: str  # our SmsDelivery id, when the provider echoes it
    provider_id: str
    delivered: bool
    code: str
    at: dt.datetime | None


def _time(value: object) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(str(value), "%Y-%m-%d %H:%M:%S").replace(tzinfo=_BEIJING)
    except ValueError:
        return None


def _aliyun(item: dict[str, object]) -> Report:
    return Report(
        out_id=str(item.get("out_id") or ""),
        provider_id=str(item.get("biz_id") or ""),
        delivered=item.get("success") in (True, "true", "True"),
        code=str(item.get("err_code") or ""),
        at=_time(item.get("report_time")),
    )


def _tencent(item: dict[str, object]) -> Report:
    return Report(
        out_id="",
        provider_id=str(item.get("sid") or ""),
        delivered=str(item.get("report_status")) == "SUCCESS",
        code=str(item.get("errmsg") or ""),
        at=_time(item.get("user_receive_time")),
    )


PARSERS = {"aliyun": _aliyun, "tencent": _tencent}
OK = {"aliyun": {"code": 0, "msg": "成功"}, "tencent": {"result": 0, "errmsg": "OK"}}
BAD = {
    "aliyun": {"code": 1, "msg": "报文格式错误"},
    "tencent": {"result": 1, "errmsg": "报文格式错误"},
}


def apply_reports(provider: str, reports: list[Report]) -> int:
    """Record the reports; the number of texts updated."""
    updated = 0
    with transaction.atomic():
        for r in reports:
            rows = SmsDelivery.objects.filter(provider=provider)
            if r.out_id.isdigit():
                rows = rows.filter(pk=int(r.out_id))
            elif r.provider_id:
                rows = rows.filter(provider_id=r.provider_id)
            else:
                continue
            updated += rows.update(
                status=SmsDelivery.Status.DELIVERED
                if r.delivered
                else SmsDelivery.Status.UNDELIVERED,
                report_code=r.code[:64],
                reported_at=r.at or timezone.now(),
            )
    return updated


@csrf_exempt  # a machine's POST, authenticated by the secret in the URL
@require_POST
def sms_report(request: HttpRequest, provider: str, token: str) -> JsonResponse:
    expected = settings.SMS_CALLBACK_TOKEN
    if (
        provider not in PARSERS
        or not expected
        or not hmac.compare_digest(token.encode(), expected.encode())
    ):
        raise Http404
    try:
        items = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return JsonResponse(BAD[provider], status=400)
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return JsonResponse(BAD[provider], status=400)
    apply_reports(provider, [PARSERS[provider](i) for i in items])
    return JsonResponse(OK[provider], json_dumps_params={"ensure_ascii": False})
