"""All writes of the identity module. Each runs in one transaction with its audit record."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core.codes import CodeError, validate_id_number
from shuzheng.core.errors import DomainError, FieldError, Unauthenticated, ValidationFailed
from shuzheng.core.sms import send_sms_after_commit
from shuzheng.identity.contracts import IssuedToken
from shuzheng.identity.models import (
    ApiClient,
    ApiToken,
    Enterprise,
    EnterpriseAgent,
    OtpChallenge,
    Person,
    Region,
    User,
)

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")
WRONG_CREDENTIALS = "用户名或密码错误。"


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _user_snapshot(user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "kind": user.kind,
        "is_active": user.is_active,
        "failed_logins": user.failed_logins,
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
    }


# --- registration -----------------------------------------------------------------------------


def account_register(
    *, name: str, id_number: str, phone: str, password: str, username: str | None = None
) -> User:
    """Citizen self-registration with real-name ID validation (实名等级一级).

    The username defaults to the ID number. Raises ``ValidationFailed`` naming every bad field;
    nothing is created then.
    """
    errors: list[FieldError] = []
    name = (name or "").strip()
    phone = (phone or "").strip()
    id_number = (id_number or "").strip().upper()
    username = (username or "").strip() or id_number
    info = None
    if not name or len(name) > 64:
        errors.append(FieldError("name", "请填写姓名（不超过64个字）。"))
    try:
        info = validate_id_number(id_number)
    except CodeError as exc:
        errors.append(FieldError("id_number", exc.message))
    if not PHONE_RE.match(phone):
        errors.append(FieldError("phone", "手机号码应为11位中国大陆手机号。"))
    if not USERNAME_RE.match(username):
        errors.append(FieldError("username", "用户名只能包含字母、数字和 _ . @ -，长度3到64位。"))
    try:
        validate_password(password or "", user=User(username=username))
    except DjangoValidationError as exc:
        errors.append(FieldError("password", "；".join(str(m) for m in exc.messages)))
    if (
        info is not None
        and Person.objects.filter(id_number=info.id_number, user__isnull=False).exists()
    ):
        errors.append(FieldError("id_number", "该公民身份号码已注册，请直接登录。"))
    if User.objects.filter(username=username).exists():
        errors.append(FieldError("username", "该用户名已被使用。"))
    if errors or info is None:
        raise ValidationFailed(errors or [FieldError("id_number", "公民身份号码无效。")])

    with transaction.atomic():
        user = User.objects.create(
            username=username,
            kind=User.Kind.PERSON,
            display_name=name,
            phone=phone,
            password=make_password(password),
        )
        region = Region.objects.filter(code=info.region_code).first()
        person, created = Person.objects.get_or_create(
            id_number=info.id_number,
            defaults={
                "name": name,
                "phone": phone,
                "sex": info.sex,
                "birth_date": info.birth_date,
                "hukou_region": region,
            },
        )
        if not created and person.name != name:
            raise ValidationFailed.one("name", "姓名与公民身份号码登记的姓名不一致。")
        person.user = user
        person.phone = phone
        person.save(update_fields=["user", "phone"])
        audit.record(
            actor=f"user:{user.username}",
            action="identity.account_register",
            object_type="identity.user",
            object_id=user.username,
            after={**_user_snapshot(user), "person": _mask_id(info.id_number)},
        )
    return user


def _mask_id(id_number: str) -> str:
    return id_number[:6] + "********" + id_number[-4:]


# --- password login with lockout ----------------------------------------------------------------


def login_check_password(*, username: str, password: str) -> User:
    """Check a password; count failures and lock the account after too many.

    Returns the user on success (the second factor is still to come for web logins).
    """
    now = timezone.now()
    user = User.objects.filter(username=username).first()
    if user is None or not user.is_active:
        with transaction.atomic():
            audit.record(
                actor="anonymous",
                action="identity.login_failed",
                object_type="identity.user",
                object_id=(username or "")[:64],
                after={"reason": "unknown_user"},
            )
        raise Unauthenticated(WRONG_CREDENTIALS)
    if user.locked_until and user.locked_until > now:
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        raise DomainError(
            message=f"登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试。",
            code="account_locked",
            status=401,
        )
    if check_password(password or "", user.password):
        if user.failed_logins or user.locked_until:
            with transaction.atomic():
                before = _user_snapshot(user)
                user.failed_logins = 0
                user.locked_until = None
                user.save(update_fields=["failed_logins", "locked_until"])
                audit.record(
                    actor=f"user:{user.username}",
                    action="identity.login_failures_reset",
                    object_type="identity.user",
                    object_id=user.username,
                    before=before,
                    after=_user_snapshot(user),
                )
        return user
    with transaction.atomic():
        before = _user_snapshot(user)
        user.failed_logins += 1
        locked = user.failed_logins >= settings.LOGIN_MAX_FAILURES
        if locked:
            user.locked_until = now + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            user.failed_logins = 0
        user.save(update_fields=["failed_logins", "locked_until"])
        audit.record(
            actor="anonymous",
            action="identity.account_locked" if locked else "identity.login_failed",
            object_type="identity.user",
            object_id=user.username,
            before=before,
            after=_user_snapshot(user),
        )
    if locked:
        raise DomainError(
            message=f"登录失败次数过多，账号已锁定 {settings.LOGIN_LOCKOUT_MINUTES} 分钟。",
            code="account_locked",
            status=401,
        )
    raise Unauthenticated(WRONG_CREDENTIALS)


def login_record_success(*, user: User, method: str) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(last_login=timezone.now())
        audit.record(
            actor=f"user:{user.username}",
            action="identity.login",
            object_type="identity.user",
            object_id=user.username,
            after={"method": method},
        )


# --- one-time codes ----------------------------------------------------------------------------


def otp_send(*, user: User) -> None:
    """Send a 6-digit login code to the user's phone through the configured SMS backend."""
    if not user.phone:
        raise ValidationFailed.one("phone", "账号未绑定手机号码，无法发送验证码。")
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = timezone.now()
    with transaction.atomic():
        OtpChallenge.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
        OtpChallenge.objects.create(
            user=user,
            code_hash=_sha256(f"{user.pk}:{code}"),
            expires_at=now + dt.timedelta(seconds=settings.OTP_TTL_SECONDS),
        )
        audit.record(
            actor=f"user:{user.username}",
            action="identity.otp_sent",
            object_type="identity.user",
            object_id=user.username,
            after={"phone": user.phone[:3] + "****" + user.phone[-4:]},
        )
        text = f"【数政】您的登录验证码为 {code}，5分钟内有效。请勿告诉他人。"
        phone = user.phone
        send_sms_after_commit(phone, text)


def otp_verify(*, user: User, code: str) -> None:
    now = timezone.now()
    challenge = (
        OtpChallenge.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now)
        .order_by("-id")
        .first()
    )
    if challenge is None:
        raise ValidationFailed.one("code", "验证码已过期，请重新获取。")
    ok = hmac.compare_digest(challenge.code_hash, _sha256(f"{user.pk}:{(code or '').strip()}"))
    with transaction.atomic():
        if ok:
            challenge.used_at = now
            challenge.save(update_fields=["used_at"])
            audit.record(
                actor=f"user:{user.username}",
                action="identity.otp_verified",
                object_type="identity.user",
                object_id=user.username,
            )
            return
        challenge.attempts += 1
        if challenge.attempts >= settings.OTP_MAX_ATTEMPTS:
            challenge.used_at = now
        challenge.save(update_fields=["attempts", "used_at"])
        audit.record(
            actor=f"user:{user.username}",
            action="identity.otp_failed",
            object_type="identity.user",
            object_id=user.username,
            after={"attempts": challenge.attempts},
        )
    raise ValidationFailed.one("code", "验证码错误。")


# --- API tokens --------------------------------------------------------------------------------


def _token_create(*, user: User | None = None, client: ApiClient | None = None) -> IssuedToken:
    raw = "sz_" + secrets.token_urlsafe(32)
    ttl = settings.API_TOKEN_TTL_SECONDS
    with transaction.atomic():
        ApiToken.objects.create(
            key_hash=_sha256(raw),
            user=user,
            client=client,
            expires_at=timezone.now() + dt.timedelta(seconds=ttl),
        )
        audit.record(
            actor=f"client:{client.client_id}"
            if client
            else f"user:{user.username if user else ''}",
            action="identity.token_issued",
            object_type="identity.client" if client else "identity.user",
            object_id=client.client_id if client else (user.username if user else ""),
            after={"expires_in": ttl},
        )
    return IssuedToken(access_token=raw, expires_in=ttl)


def token_issue_for_password(*, username: str, password: str) -> IssuedToken:
    user = login_check_password(username=username, password=password)
    return _token_create(user=user)


def token_issue_for_client(*, client_id: str, client_secret: str) -> IssuedToken:
    client = ApiClient.objects.filter(client_id=client_id, is_active=True).first()
    if client is None or not check_password(client_secret or "", client.secret_hash):
        with transaction.atomic():
            audit.record(
                actor="anonymous",
                action="identity.client_auth_failed",
                object_type="identity.client",
                object_id=(client_id or "")[:64],
            )
        raise Unauthenticated("客户端标识或密钥错误。")
    return _token_create(client=client)


def token_revoke(*, raw: str) -> None:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(key_hash=_sha256(raw)).first()
        if token is None or token.revoked_at:
            return
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor="system",
            action="identity.token_revoked",
            object_type="identity.token",
            object_id=str(token.pk),
        )


def token_hash(raw: str) -> str:
    return _sha256(raw)


def enterprise_register(
    *,
    uscc: str,
    name: str,
    legal_representative: str,
    region_code: str,
    address: str,
    founded_on: dt.date,
    operator_id_number: str,
    actor: str,
) -> Enterprise:
    """A market entity newly registered by a 设立登记 case: the 法人 record, and its founder (the
    applicant) authorised as its 经办人 for all items, so the founder acts for it and holds its
    licences in the wallet. Idempotent per USCC; audited in the caller's transaction."""
    with transaction.atomic():
        found = Enterprise.objects.filter(uscc=uscc).first()
        if found is not None:
            return found
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise ValidationFailed.one("region_code", f"未知的行政区划代码：{region_code}")
        enterprise = Enterprise.objects.create(
            uscc=uscc,
            name=name[:128],
            legal_representative=legal_representative[:64],
            region=region,
            address=address[:200],
            founded_on=founded_on,
        )
        person = Person.objects.filter(id_number=operator_id_number).first()
        if person is not None:
            EnterpriseAgent.objects.create(
                enterprise=enterprise,
                person=person,
                scope=EnterpriseAgent.Scope.ALL,
                valid_from=founded_on,
                valid_until=founded_on.replace(year=founded_on.year + 5),
            )
        audit.record(
            actor=actor,
            action="identity.enterprise_registered",
            object_type="identity.enterprise",
            object_id=uscc,
            after={
                "name": enterprise.name,
                "legal_representative": enterprise.legal_representative,
                "region": region_code,
                "founded_on": founded_on.isoformat(),
                "agent": _mask_id(operator_id_number) if person is not None else None,
            },
        )
    return enterprise
