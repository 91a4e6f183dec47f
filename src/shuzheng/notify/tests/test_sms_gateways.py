"""阿里云 and 腾讯云 SMS gateways against a local fake HTTP server (a stdlib ``http.server``
thread): the exact signed request (known answers from the providers' documentation), retries
with backoff, refusals, and the delivery-report callback."""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from shuzheng.core import sms
from shuzheng.notify import facade as notify
from shuzheng.notify import sms_gateways
from shuzheng.notify.models import SmsDelivery
from shuzheng.notify.sms_gateways import aliyun_rpc_signature, tc3_authorization

pytestmark = pytest.mark.django_db

CITIZEN = "441202199005120317"  # demo-citizen, phone 13800000001


class FakeGateway(ThreadingHTTPServer):
    """Records each request; answers with the queued (status, JSON) pairs, then ``default``."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, Any]] = []
        self.answers: list[tuple[int, dict[str, Any]]] = []
        self.default: tuple[int, dict[str, Any]] = (200, {})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class _Handler(BaseHTTPRequestHandler):
    server: FakeGateway

    def do_POST(self) -> None:  # http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.requests.append({"headers": dict(self.headers.items()), "body": body})
        status, answer = self.server.answers.pop(0) if self.server.answers else self.server.default
        raw = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[FakeGateway]:
    srv = FakeGateway()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def fake(server: FakeGateway, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGateway]:
    server.requests.clear()
    server.answers.clear()
    waits: list[float] = []
    monkeypatch.setattr(sms_gateways, "_sleep", waits.append)
    server.waits = waits  # type: ignore[attr-defined]
    with override_settings(
        SMS_SIGN_NAME="某市政务服务",
        SMS_TEMPLATES={"code": "SMS_100001", "notice": "SMS_100002"},
        SMS_RETRIES=3,
        SMS_BACKOFF_SECONDS=1.0,
        SMS_CALLBACK_TOKEN="t0ken-for-reports",
        ALIYUN_SMS_ACCESS_KEY_ID="testId",
        ALIYUN_SMS_ACCESS_KEY_SECRET="testSecret",
        ALIYUN_SMS_ENDPOINT=server.url,
        TENCENT_SMS_SECRET_ID="AKIDexample",
        TENCENT_SMS_SECRET_KEY="secret-key-example",
        TENCENT_SMS_SDK_APP_ID="1400000001",
        TENCENT_SMS_ENDPOINT=server.url,
    ):
        yield server


# -- known answers from the providers' documentation ------------------------------------------


def test_aliyun_signature_matches_the_documented_example():
    """阿里云's SendSms signature example (testId / testSecret, HMAC-SHA1, GET)."""
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert aliyun_rpc_signature("testSecret", params, "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_tencent_tc3_signature_matches_the_documented_example():
    """腾讯云's TC3-HMAC-SHA256 example (CVM DescribeInstances, timestamp 1551113065)."""
    payload = (
        b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    )
    auth = tc3_authorization(
        secret_id="AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        secret_key="Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        host="cvm.tencentcloudapi.com",
        service="cvm",
        timestamp=1551113065,
        payload=payload,
    )
    assert auth == (
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/"
        "tc3_request, SignedHeaders=content-type;host, "
        "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    )


# -- 阿里云 ------------------------------------------------------------------------------------


def _aliyun_params(request: dict[str, Any]) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(request["body"].decode(), keep_blank_values=True))


def test_aliyun_sends_a_signed_code_template(fake):
    fake.answers = [(200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0"})]
    with override_settings(SMS_BACKEND="aliyun"):
        sms.send_sms("13800000001", "【数政】您的登录验证码为 493021，5分钟内有效。请勿告诉他人。")
    (request,) = fake.requests
    params = _aliyun_params(request)
    signature = params.pop("Signature")
    assert signature == aliyun_rpc_signature("testSecret", params, "POST")
    record = SmsDelivery.objects.get()
    assert {k: params[k] for k in ("Action", "PhoneNumbers", "SignName", "TemplateCode")} == {
        "Action": "SendSms",
        "PhoneNumbers": "13800000001",
        "SignName": "某市政务服务",
        "TemplateCode": "SMS_100001",
    }
    assert json.loads(params["TemplateParam"]) == {"code": "493021"}
    assert params["OutId"] == str(record.pk) and params["AccessKeyId"] == "testId"
    assert (record.status, record.provider_id, record.attempts, record.kind) == (
        "sent",
        "900619746936498440^0",
        1,
        "code",
    )


def test_aliyun_retries_transient_errors_with_backoff(fake):
    fake.answers = [
        (503, {}),
        (200, {"Code": "isp.SYSTEM_ERROR", "Message": "系统错误"}),
        (200, {"Code": "OK", "BizId": "b-1"}),
    ]
    with override_settings(SMS_BACKEND="aliyun"):
        sms.send_sms("13800000001", "【数政】您的申请已受理。")
    record = SmsDelivery.objects.get()
    assert (record.status, record.attempts, record.kind) == ("sent", 3, "notice")
    assert fake.waits == [1.0, 2.0]
    assert json.loads(_aliyun_params(fake.requests[0])["TemplateParam"]) == {
        "content": "您的申请已受理。"
    }
    # each try is signed afresh (a new nonce)
    nonces = {_aliyun_params(r)["SignatureNonce"] for r in fake.requests}
    assert len(nonces) == 3


def test_aliyun_permanent_refusal_is_not_retried(fake):
    fake.answers = [(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})]
    with override_settings(SMS_BACKEND="aliyun"):
        sms.send_sms("1380000", "【数政】您的申请已受理。")
    record = SmsDelivery.objects.get()
    assert (record.status, record.attempts) == ("failed", 1)
    assert record.error == "isv.MOBILE_NUMBER_ILLEGAL 非法手机号"
    assert fake.waits == []


def test_unreachable_gateway_is_tried_then_marked_failed(fake):
    fake.answers = []
    with override_settings(SMS_BACKEND="aliyun", ALIYUN_SMS_ENDPOINT="http://127.0.0.1:9/"):
        sms.send_sms("13800000001", "【数政】您的申请已受理。")
    record = SmsDelivery.objects.get()
    assert (record.status, record.attempts) == ("failed", 3)
    assert record.error.startswith("network")
    assert fake.waits == [1.0, 2.0]


@override_settings(NOTIFY_SMS="inline")
def test_a_notification_is_texted_through_the_gateway_after_commit(
    fake, django_capture_on_commit_callbacks
):
    fake.answers = [(200, {"Code": "OK", "BizId": "b-2"})]
    with (
        override_settings(SMS_BACKEND="aliyun"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify.send(recipient_kind="person", recipient_id=CITIZEN, title="办件", body="已受理。")
        assert fake.requests == []  # not before the commit
    assert _aliyun_params(fake.requests[0])["PhoneNumbers"] == "13800000001"
    assert SmsDelivery.objects.get().status == "sent"


# -- tried again later ---------------------------------------------------------------------------

T0 = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)
DOWN = "http://127.0.0.1:9/"  # nothing listens: connection refused


def test_a_notice_the_gateway_could_not_take_is_tried_again_later(fake):
    with time_machine.travel(T0, tick=False) as t:
        with override_settings(SMS_BACKEND="aliyun", ALIYUN_SMS_ENDPOINT=DOWN):
            sms.send_sms("13800000001", "【数政】您的申请已受理。")
        record = SmsDelivery.objects.get()
        assert (record.status, record.attempts, record.resends) == ("failed", 3, 0)
        assert record.resend_after == T0 + dt.timedelta(minutes=10)
        t.move_to(T0 + dt.timedelta(minutes=9))
        assert notify.resend_failed_sms() == 0 and fake.requests == []  # not yet
        t.move_to(T0 + dt.timedelta(minutes=10))
        fake.answers = [(200, {"Code": "OK", "BizId": "b-later"})]
        assert notify.resend_failed_sms() == 1
        assert notify.resend_failed_sms() == 0  # sent once
    record.refresh_from_db()
    assert (record.status, record.provider_id, record.attempts, record.resends) == (
        "sent",
        "b-later",
        4,
        1,
    )
    assert record.resend_after is None and record.error == ""
    (request,) = fake.requests  # the same text, the same record's id as OutId
    params = _aliyun_params(request)
    assert json.loads(params["TemplateParam"]) == {"content": "您的申请已受理。"}
    assert params["OutId"] == str(record.pk)


def test_the_rounds_wait_twice_as_long_each_time_and_stop_after_four(fake):
    with (
        override_settings(SMS_BACKEND="aliyun", ALIYUN_SMS_ENDPOINT=DOWN, SMS_RETRIES=1),
        time_machine.travel(T0, tick=False) as t,
    ):
        sms.send_sms("13800000001", "【数政】您的申请已受理。")
        record = SmsDelivery.objects.get()
        waits = []
        while record.resend_after is not None:
            waits.append(int((record.resend_after - timezone.now()).total_seconds() // 60))
            t.move_to(record.resend_after)
            assert notify.resend_failed_sms() == 1
            record.refresh_from_db()
        t.move_to(T0 + dt.timedelta(days=1))
        assert notify.resend_failed_sms() == 0
    assert waits == [10, 20, 40, 80]
    assert (record.status, record.attempts, record.resends) == ("failed", 5, 4)


def test_codes_refusals_and_a_switched_off_resend_are_not_tried_again(fake):
    with override_settings(SMS_BACKEND="aliyun", ALIYUN_SMS_ENDPOINT=DOWN):
        sms.send_sms("13800000001", "【数政】您的登录验证码为 493021，5分钟内有效。")
        with override_settings(SMS_RESEND_MINUTES=0):
            sms.send_sms("13800000001", "【数政】您的申请已受理。")
    fake.answers = [(200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})]
    with override_settings(SMS_BACKEND="aliyun"):
        sms.send_sms("1380000", "【数政】您的申请已受理。")
    assert SmsDelivery.objects.filter(status="failed").count() == 3
    assert not SmsDelivery.objects.filter(resend_after__isnull=False).exists()
    assert notify.resend_failed_sms(now=timezone.now() + dt.timedelta(days=1)) == 0


# -- 腾讯云 ------------------------------------------------------------------------------------


def test_tencent_sends_a_signed_request_and_retries(fake):
    ok = {
        "Response": {
            "SendStatusSet": [
                {"SerialNo": "5000:1045710669157053657849499619", "Code": "Ok", "Message": "ok"}
            ],
            "RequestId": "r-1",
        }
    }
    fake.answers = [
        (200, {"Response": {"Error": {"Code": "InternalError.Timeout", "Message": "超时"}}}),
        (200, ok),
    ]
    with override_settings(SMS_BACKEND="tencent"):
        sms.send_sms("13800000001", "【数政】您的登录验证码为 493021，5分钟内有效。")
    assert len(fake.requests) == 2 and fake.waits == [1.0]
    request = fake.requests[1]
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert (headers["x-tc-action"], headers["x-tc-version"], headers["x-tc-region"]) == (
        "SendSms",
        "2021-01-11",
        "ap-guangzhou",
    )
    expected = tc3_authorization(
        secret_id="AKIDexample",
        secret_key="secret-key-example",
        host=headers["host"],
        service="sms",
        timestamp=int(headers["x-tc-timestamp"]),
        payload=request["body"],
    )
    assert headers["authorization"] == expected
    payload = json.loads(request["body"])
    record = SmsDelivery.objects.get()
    assert payload == {
        "PhoneNumberSet": ["+8613800000001"],
        "SmsSdkAppId": "1400000001",
        "SignName": "某市政务服务",
        "TemplateId": "SMS_100001",
        "TemplateParamSet": ["493021"],
        "SessionContext": str(record.pk),
    }
    assert (record.status, record.provider_id, record.attempts) == (
        "sent",
        "5000:1045710669157053657849499619",
        2,
    )


def test_tencent_per_number_refusal_is_not_retried(fake):
    fake.answers = [
        (
            200,
            {
                "Response": {
                    "SendStatusSet": [
                        {"Code": "LimitExceeded.PhoneNumberDailyLimit", "Message": "超过日上限"}
                    ]
                }
            },
        )
    ]
    with override_settings(SMS_BACKEND="tencent"):
        sms.send_sms("13800000001", "【数政】您的申请已受理。")
    record = SmsDelivery.objects.get()
    assert (record.status, record.attempts) == ("failed", 1)
    assert record.error.startswith("LimitExceeded.PhoneNumberDailyLimit")


# -- delivery reports --------------------------------------------------------------------------


def _delivery(provider: str, provider_id: str) -> SmsDelivery:
    return SmsDelivery.objects.create(
        provider=provider,
        phone="13800000001",
        kind="notice",
        template_id="SMS_100002",
        text="【数政】您的申请已受理。",
        status="sent",
        provider_id=provider_id,
        attempts=1,
    )


def _post(client, url: str, body: Any):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_aliyun_delivery_report_updates_the_record(fake, client):
    delivered, failed = _delivery("aliyun", "b-10"), _delivery("aliyun", "b-11")
    reports = [
        {
            "phone_number": "13800000001",
            "send_time": "2026-12-01 10:00:00",
            "report_time": "2026-12-01 10:00:05",
            "success": True,
            "err_code": "DELIVERED",
            "err_msg": "用户接收成功",
            "sms_size": "1",
            "biz_id": "b-10",
            "out_id": str(delivered.pk),
        },
        {"success": False, "err_code": "MK:0001", "biz_id": "b-11", "out_id": str(failed.pk)},
        {"success": True, "err_code": "DELIVERED", "biz_id": "unknown", "out_id": "999999"},
    ]
    response = _post(client, "/sms/report/aliyun/t0ken-for-reports/", reports)
    assert response.status_code == 200 and response.json() == {"code": 0, "msg": "成功"}
    delivered.refresh_from_db()
    failed.refresh_from_db()
    assert (delivered.status, delivered.report_code) == ("delivered", "DELIVERED")
    assert delivered.reported_at.isoformat() == "2026-12-01T02:00:05+00:00"
    assert (failed.status, failed.report_code) == ("undelivered", "MK:0001")


def test_tencent_delivery_report_updates_the_record(fake, client):
    record = _delivery("tencent", "5000:104571066915")
    report = [
        {
            "user_receive_time": "2026-12-01 10:00:05",
            "nationcode": "86",
            "mobile": "13800000001",
            "report_status": "FAIL",
            "errmsg": "MN:0001",
            "description": "空号",
            "sid": "5000:104571066915",
        }
    ]
    response = _post(client, "/sms/report/tencent/t0ken-for-reports/", report)
    assert response.json() == {"result": 0, "errmsg": "OK"}
    record.refresh_from_db()
    assert (record.status, record.report_code) == ("undelivered", "MN:0001")


def test_delivery_reports_need_the_secret(fake, client):
    record = _delivery("aliyun", "b-12")
    body = [{"success": True, "biz_id": "b-12"}]
    assert _post(client, "/sms/report/aliyun/wrong/", body).status_code == 404
    assert _post(client, "/sms/report/other/t0ken-for-reports/", body).status_code == 404
    with override_settings(SMS_CALLBACK_TOKEN=""):
        assert _post(client, "/sms/report/aliyun/t0ken-for-reports/", body).status_code == 404
    bad = client.post(
        "/sms/report/aliyun/t0ken-for-reports/", data="{not json", content_type="application/json"
    )
    assert bad.status_code == 400
    record.refresh_from_db()
    assert record.status == "sent"


def test_the_admin_lists_deliveries_in_words(admin_client):
    _delivery("tencent", "5000:1")
    page = admin_client.get("/admin/notify/smsdelivery/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "腾讯云短信" in text and "通知" in text and "已提交" in text


def test_old_delivery_records_are_purged_and_the_purge_audited():
    from shuzheng.audit.models import AuditRecord

    start = dt.datetime(2027, 1, 1, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as t:
        old = [_delivery("aliyun", "old-1"), _delivery("aliyun", "old-2")]
        t.move_to(start + dt.timedelta(days=60))
        recent = _delivery("tencent", "recent")
        t.move_to(start + dt.timedelta(days=91))  # SMS_RETENTION_DAYS = 90 after the old ones
        assert notify.purge_sms_deliveries() == 2
        assert notify.purge_sms_deliveries() == 0  # nothing more: no second audit record
    assert list(SmsDelivery.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not SmsDelivery.objects.filter(pk__in=[o.pk for o in old]).exists()
    (record,) = AuditRecord.objects.filter(action="notify.sms_purged")
    assert record.after["deleted"] == 2
