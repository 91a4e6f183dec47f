"""Real SMS gateways: 阿里云短信 (Dysmsapi ``SendSms``), 腾讯云短信 (API 2021-01-11 ``SendSms``).

Registered in ``core.sms`` as the backends ``aliyun`` and ``tencent`` (``SHUZHENG_SMS_BACKEND``;
the demo ``outbox`` stays the default). Both speak the providers' documented HTTP APIs with the
standard library — no SDK:

- 阿里云: the RPC style, signature version 1.0 (HMAC-SHA1 over the sorted, percent-encoded
  parameters; the secret followed by ``&``), a form POST answered in JSON.
- 腾讯云: API 3.0 with the TC3-HMAC-SHA256 signature (the key derived from date, service and
  ``tc3_request``), a JSON POST with the ``X-TC-*`` headers.

Chinese gateways send approved templates only, so a text is mapped to one of two templates
(``SMS_TEMPLATES``): ``code`` (a verification code: the code is the one variable) and ``notice``
(anything else: the text after the 【签名】 is the one variable). The sign name
(``SMS_SIGN_NAME``) is the provider's approved 签名.

Each text gets an ``SmsDelivery`` row. A transient failure (network error, HTTP 5xx, the
provider's throttling or internal error) is tried again up to ``SMS_RETRIES`` times, waiting
``SMS_BACKOFF_SECONDS`` and doubling; a permanent refusal (a wrong template, an invalid number)
is not. A failed text is logged and marked ``failed``, never raised: the change that caused it
has already committed. The provider later pushes delivery reports to ``views.sms_report``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils import timezone

from shuzheng.core import sms
from shuzheng.notify.models import SmsDelivery

logger = logging.getLogger(__name__)

_SIGN_PREFIX = re.compile(r"^【[^】]{1,16}】")
_CODE = re.compile(r"验证码为\s*([0-9]{4,8})")


@dataclass(frozen=True)
class Outcome:
    ok: bool
    provider_id: str = ""
    code: str = ""
    message: str = ""
    transient: bool = False


@dataclass(frozen=True)
class Template:
    kind: str  # code | notice
    template_id: str
    params: dict[str, str]  # name -> value (阿里云 names them; 腾讯云 takes them in order)


def template_for(text: str) -> Template:
    """The template and its variables for a text (module docstring)."""
    body = _SIGN_PREFIX.sub("", text, count=1).strip()
    found = _CODE.search(body)
    if found:
        return Template("code", settings.SMS_TEMPLATES["code"], {"code": found.group(1)})
    return Template("notice", settings.SMS_TEMPLATES["notice"], {"content": body})


# ---------------------------------------------------------------------------------------------
# Signatures


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding as 阿里云's RPC signature wants it (space %20, ``~`` kept)."""
    return urllib.parse.quote(value, safe="~")


def aliyun_rpc_signature(secret: str, params: dict[str, str], method: str = "POST") -> str:
    """Signature version 1.0 of 阿里云's RPC APIs: base64(HMAC-SHA1(secret + "&",
    method & %2F & percentEncode(sorted canonical query)))."""
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items())
    )
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac256(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def tc3_authorization(
    *,
    secret_id: str,
    secret_key: str,
    host: str,
    service: str,
    timestamp: int,
    payload: bytes,
    content_type: str = "application/json; charset=utf-8",
) -> str:
    """The ``Authorization`` header of 腾讯云 API 3.0 (TC3-HMAC-SHA256, POST, headers
    content-type and host signed)."""
    date = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).strftime("%Y-%m-%d")
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            "content-type;host",
            _sha256_hex(payload),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, _sha256_hex(canonical_request.encode())]
    )
    key = _hmac256(_hmac256(_hmac256(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders=content-type;host, Signature={signature}"
    )


# ---------------------------------------------------------------------------------------------
# HTTP


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """POST; (status, body). Network errors raise ``OSError`` (``URLError`` is one)."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT_SECONDS) as resp:  # noqa: S310
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _json(body: bytes) -> dict[str, object]:
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


class Gateway(Protocol):
    name: str

    def send(self, phone: str, template: Template, out_id: str) -> Outcome: ...


# 阿里云 error codes worth another try: its own faults and flow control
_ALIYUN_TRANSIENT = ("isp.", "Throttling", "ServiceUnavailable", "InternalError")


class Aliyun:
    name = "aliyun"

    def params(
        self,
        phone: str,
        template: Template,
        out_id: str,
        *,
        timestamp: str | None = None,
        nonce: str | None = None,
    ) -> dict[str, str]:
        return {
            "AccessKeyId": settings.ALIYUN_SMS_ACCESS_KEY_ID,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": out_id,
            "PhoneNumbers": phone,
            "RegionId": "cn-hangzhou",
            "SignName": settings.SMS_SIGN_NAME,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template.template_id,
            "TemplateParam": json.dumps(template.params, ensure_ascii=False),
            "Timestamp": timestamp or dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }

    def send(self, phone: str, template: Template, out_id: str) -> Outcome:
        params = self.params(phone, template, out_id)
        params["Signature"] = aliyun_rpc_signature(settings.ALIYUN_SMS_ACCESS_KEY_SECRET, params)
        body = urllib.parse.urlencode(params, quote_via=urllib.parse.quote).encode()
        status, raw = _post(
            settings.ALIYUN_SMS_ENDPOINT,
            body,
            {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        answer = _json(raw)
        code = str(answer.get("Code", ""))
        if status == 200 and code == "OK":
            return Outcome(True, provider_id=str(answer.get("BizId", "")), code=code)
        return Outcome(
            False,
            code=code or f"HTTP {status}",
            message=str(answer.get("Message", ""))[:200],
            transient=status >= 500 or code.startswith(_ALIYUN_TRANSIENT),
        )


_TENCENT_TRANSIENT = ("InternalError", "RequestLimitExceeded", "ResourceUnavailable")


class Tencent:
    name = "tencent"

    def payload(self, phone: str, template: Template, out_id: str) -> bytes:
        number = phone if phone.startswith("+") else f"+86{phone}"
        return json.dumps(
            {
                "PhoneNumberSet": [number],
                "SmsSdkAppId": settings.TENCENT_SMS_SDK_APP_ID,
                "SignName": settings.SMS_SIGN_NAME,
                "TemplateId": template.template_id,
                "TemplateParamSet": list(template.params.values()),
                "SessionContext": out_id,
            },
            ensure_ascii=False,
        ).encode()

    def send(self, phone: str, template: Template, out_id: str) -> Outcome:
        payload = self.payload(phone, template, out_id)
        host = urllib.parse.urlsplit(settings.TENCENT_SMS_ENDPOINT).netloc
        timestamp = int(time.time())
        headers = {
            "Authorization": tc3_authorization(
                secret_id=settings.TENCENT_SMS_SECRET_ID,
                secret_key=settings.TENCENT_SMS_SECRET_KEY,
                host=host,
                service="sms",
                timestamp=timestamp,
                payload=payload,
            ),
            "Content-Type": "application/json; charset=utf-8",
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Version": "2021-01-11",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": settings.TENCENT_SMS_REGION,
        }
        status, raw = _post(settings.TENCENT_SMS_ENDPOINT, payload, headers)
        response = _json(raw).get("Response")
        response = response if isinstance(response, dict) else {}
        error = response.get("Error")
        if isinstance(error, dict):
            code = str(error.get("Code", ""))
            return Outcome(
                False,
                code=code,
                message=str(error.get("Message", ""))[:200],
                transient=status >= 500 or code.startswith(_TENCENT_TRANSIENT),
            )
        statuses = response.get("SendStatusSet")
        first = statuses[0] if isinstance(statuses, list) and statuses else None
        if status != 200 or not isinstance(first, dict):
            return Outcome(False, code=f"HTTP {status}", transient=status >= 500 or status == 0)
        code = str(first.get("Code", ""))
        if code == "Ok":
            return Outcome(True, provider_id=str(first.get("SerialNo", "")), code=code)
        # a per-number refusal (e.g. LimitExceeded.PhoneNumberDailyLimit): not retried
        return Outcome(False, code=code, message=str(first.get("Message", ""))[:200])


GATEWAYS: dict[str, Gateway] = {"aliyun": Aliyun(), "tencent": Tencent()}
_sleep = time.sleep  # the tests wait for nothing


def deliver(gateway: Gateway, phone: str, text: str) -> SmsDelivery:
    """Send one text through ``gateway`` with retries, recording it (module docstring)."""
    template = template_for(text)
    record = SmsDelivery.objects.create(
        provider=gateway.name,
        phone=phone,
        kind=template.kind,
        template_id=template.template_id,
        text=text,
        status=SmsDelivery.Status.SENDING,
    )
    _try(gateway, record, template)
    return record


def _try(gateway: Gateway, record: SmsDelivery, template: Template) -> None:
    """Up to ``SMS_RETRIES`` attempts with doubling waits; the record says how it ended. A
    notice that failed on a transient error gets its next round (``resend_due``)."""
    outcome = Outcome(False, code="not-tried")
    attempts = max(1, settings.SMS_RETRIES)
    for attempt in range(1, attempts + 1):
        try:
            outcome = gateway.send(record.phone, template, str(record.pk))
        except OSError as exc:  # unreachable, refused, timed out
            outcome = Outcome(False, code="network", message=str(exc)[:200], transient=True)
        record.attempts += 1
        if outcome.ok or not outcome.transient or attempt == attempts:
            break
        _sleep(settings.SMS_BACKOFF_SECONDS * 2 ** (attempt - 1))
    record.resend_after = None
    if outcome.ok:
        record.status = SmsDelivery.Status.SENT
        record.provider_id = outcome.provider_id
        record.sent_at = timezone.now()
        record.error = ""
    else:
        record.status = SmsDelivery.Status.FAILED
        record.error = f"{outcome.code} {outcome.message}".strip()[:300]
        if (
            outcome.transient
            and record.kind == "notice"
            and settings.SMS_RESEND_MINUTES > 0
            and record.resends < SMS_RESEND_ROUNDS
        ):
            wait = settings.SMS_RESEND_MINUTES * 2**record.resends
            record.resend_after = timezone.now() + dt.timedelta(minutes=wait)
        logger.error(
            "SMS %s via %s failed after %d attempt(s): %s%s",
            record.pk,
            gateway.name,
            record.attempts,
            record.error,
            f"; tried again after {record.resend_after:%H:%M}" if record.resend_after else "",
        )
    record.save(
        update_fields=["status", "provider_id", "sent_at", "error", "attempts", "resend_after"],
    )


SMS_RESEND_ROUNDS = 4  # SMS_RESEND_MINUTES = 10: tried again after 10, 20, 40 and 80 minutes


def resend_due(*, now: dt.datetime | None = None, batch: int = 100) -> int:
    """Try again the notices whose ``resend_after`` has come (the gateway was down or
    throttling when they were sent), through the gateway that took them; returns how many
    were tried. Each row is claimed by clearing its ``resend_after`` first, so two runs never
    send one text twice; no transaction is held open while the gateway answers."""
    now = now or timezone.now()
    due = list(
        SmsDelivery.objects.filter(
            status=SmsDelivery.Status.FAILED, resend_after__lte=now
        ).order_by("resend_after", "id")[:batch]
    )
    tried = 0
    for record in due:
        gateway = GATEWAYS.get(record.provider)
        claimed = SmsDelivery.objects.filter(pk=record.pk, resend_after=record.resend_after).update(
            resend_after=None, resends=record.resends + 1
        )
        if gateway is None or not claimed:
            continue
        record.resends += 1
        _try(gateway, record, template_for(record.text))
        tried += 1
    return tried


def _register() -> None:
    for name, gateway in GATEWAYS.items():

        def sender(phone: str, text: str, gateway: Gateway = gateway) -> None:
            deliver(gateway, phone, text)

        sms.register(name)(sender)


_register()
