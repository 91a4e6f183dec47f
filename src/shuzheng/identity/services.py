"""All writes of the identity module. Each runs in one transaction with its audit record."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core.codes import CodeError, validate_id_number
from shuzheng.core.errors import FieldError, RateLimited, Unauthenticated, ValidationFailed
from shuzheng.core.sms import send_sms_after_commit, signed
from shuzheng.identity import selectors, throttle
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


REGISTER_THROTTLED = "注册请求过于频繁，请 {wait}后再试。"
REGISTERED_NOTICE = (
    "有人使用您的公民身份号码申请注册数政账号。您已注册，请直接用原账号登录；"
    "如非本人操作，请忽略本短信。"
)


@dataclass(frozen=True)
class Registration:
    """What a registration answers: the same whether it created an account or found the ID
    number already registered (then nothing is created and the holder is told by SMS)."""

    username: str
    name: str
    kind: str = User.Kind.PERSON


def account_register(
    *,
    name: str,
    id_number: str,
    phone: str,
    password: str,
    ip: str,
    username: str | None = None,
) -> Registration:
    """Citizen self-registration with real-name ID validation (实名等级一级).

    The username defaults to the ID number. Raises ``ValidationFailed`` naming every bad field;
    nothing is created then. An ID number that already has an account gets the same answer as
    a new one (the answer must not tell who is registered): no account is made, and the holder
    gets an SMS saying someone tried (within the SMS limits). Registrations are limited per
    client IP (``REGISTER_MAX_PER_HOUR``).
    """
    now = timezone.now()
    throttle.reserve([throttle.register_slot(ip)], now=now, message=REGISTER_THROTTLED)
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
    elif username != id_number and _is_id_number(username):
        # someone else's ID number as a username would tell whether that number is registered
        errors.append(FieldError("username", "用户名不能使用他人的公民身份号码。"))
    try:
        validate_password(password or "", user=User(username=username))
    except DjangoValidationError as exc:
        errors.append(FieldError("password", "".join(str(m) for m in exc.messages)))  # 。-ended
    # Taken custom usernames are named (the applicant must choose another); the ID number, the
    # default username, is never said to be taken.
    username_taken = User.objects.filter(username=username).exists()
    if username_taken and username != id_number:
        errors.append(FieldError("username", "该用户名已被使用。"))
    person = Person.objects.filter(id_number=info.id_number).first() if info else None
    if person is not None and name and person.name != name:
        errors.append(FieldError("name", "姓名与公民身份号码登记的姓名不一致。"))
    if errors or info is None:
        raise ValidationFailed(errors or [FieldError("id_number", "公民身份号码无效。")])

    encoded = make_password(password)  # the same work whether or not an account is made
    answer = Registration(username=username, name=name)
    if username_taken or (person is not None and person.user_id is not None):
        _register_again(person=person, id_number=info.id_number, now=now)
        return answer
    with transaction.atomic():
        user = User.objects.create(
            username=username,
            kind=User.Kind.PERSON,
            display_name=name,
            phone=phone,
            password=encoded,
        )
        region = Region.objects.filter(code=info.region_code).first()
        person, _ = Person.objects.get_or_create(
            id_number=info.id_number,
            defaults={
                "name": name,
                "phone": phone,
                "sex": info.sex,
                "birth_date": info.birth_date,
                "hukou_region": region,
            },
        )
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
    return answer


def _is_id_number(value: str) -> bool:
    try:
        validate_id_number(value.upper())
    except CodeError:
        return False
    return True


def _register_again(*, person: Person | None, id_number: str, now: dt.datetime) -> None:
    """A registration of an ID number that has an account: audited, and its holder texted."""
    holder = person.user if person is not None else None
    if holder is None:
        holder = User.objects.filter(username=id_number).first()
    with transaction.atomic():
        phone = (holder.phone if holder else "") or (person.phone if person else "")
        texted = False
        if holder is not None and phone:
            try:
                # at most one notice an hour, counted apart from the login codes (so tries to
                # register cannot use up the holder's login SMS)
                throttle.sms_allow(f"notice:{holder.pk}", now=now, cooldown=3600, per_hour=1)
            except RateLimited:
                pass  # told within the hour: the answer is the same either way
            else:
                send_sms_after_commit(phone, signed(REGISTERED_NOTICE))
                texted = True
        audit.record(
            actor="anonymous",
            action="identity.register_existing",
            object_type="identity.user",
            object_id=holder.username if holder else _mask_id(id_number),
            after={"person": _mask_id(id_number), "notified": texted},
        )


def _mask_id(id_number: str) -> str:
    return id_number[:6] + "********" + id_number[-4:]


# --- password login: throttled, constant work, neutral answers ---------------------------------

LOGIN_THROTTLED = "登录尝试过于频繁，请 {wait}后再试。"
LOGIN_LOCKED = "用户名或密码错误。失败次数过多，请 {wait}后再试。"
CLIENT_WRONG = "客户端标识或密钥错误。"
CLIENT_LOCKED = "客户端标识或密钥错误。失败次数过多，请 {wait}后再试。"


def _dummy_hash(secret: str) -> None:
    """Hash the secret as if checking it against a stored hash, so an unknown name or client
    costs what a real one does (Django's ``ModelBackend`` does the same)."""
    make_password(secret)


def _failure(
    wrong: str, locked: str, locks: list[dt.datetime | None], now: dt.datetime
) -> Unauthenticated:
    """The 401 of a failed attempt; when it locked a key, its message says until when (the
    next attempts get 429 with ``Retry-After``)."""
    until = max((t for t in locks if t is not None), default=None)
    if until is None:
        return Unauthenticated(wrong)
    return Unauthenticated(locked.format(wait=throttle.wait_text(_seconds_until(until, now))))


def _seconds_until(until: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds()))


def login_check_password(*, username: str, password: str, ip: str) -> User:
    """Check a password, throttled per client IP (``LOGIN_IP_MAX_FAILURES``, across names) and
    per login name (``LOGIN_MAX_FAILURES``: the account lockout).

    A known and an unknown (or inactive) name take the same path — the same counters and
    lockout, one password hash each (a dummy one for the unknown), the same messages — so
    neither the answer nor its time tells whether the name is registered. Returns the user on
    success (the second factor is still to come for web logins).
    """
    now = timezone.now()
    slots = [throttle.ip_slot(ip), throttle.account_slot(username)]
    throttle.reserve(slots, now=now, message=LOGIN_THROTTLED)
    user = User.objects.filter(username=username).first()
    if user is not None and not user.is_active:
        user = None
    if user is not None and user.locked_until and user.locked_until > now:
        # locked on the account itself (the Django admin): refused, the attempt not counted
        with transaction.atomic():
            throttle.succeed(slots[:1], now=now)
        raise throttle.limited(LOGIN_THROTTLED, _seconds_until(user.locked_until, now))
    if user is None:
        _dummy_hash(password or "")
        ok = False
    else:
        ok = check_password(password or "", user.password)
    if ok:
        assert user is not None
        with transaction.atomic():
            throttle.succeed(slots, now=now)
            if user.failed_logins or user.locked_until:
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
        ip_locked = throttle.fail(slots[0], now=now)
        account_locked = throttle.fail(slots[1], now=now)
        earlier = _user_snapshot(user) if user is not None else None
        if user is not None:
            user.failed_logins = 0 if account_locked else user.failed_logins + 1
            user.locked_until = account_locked
            user.save(update_fields=["failed_logins", "locked_until"])
        audit.record(
            actor="anonymous",
            action="identity.account_locked" if account_locked else "identity.login_failed",
            object_type="identity.user",
            object_id=(username or "")[:64],
            before=earlier,
            after={
                **(_user_snapshot(user) if user is not None else {"reason": "unknown_user"}),
                "ip": ip,
            },
        )
        if ip_locked:
            _audit_ip_locked(ip, ip_locked)
    raise _failure(WRONG_CREDENTIALS, LOGIN_LOCKED, [ip_locked, account_locked], now)


def _audit_ip_locked(ip: str, until: dt.datetime) -> None:
    audit.record(
        actor="anonymous",
        action="identity.ip_locked",
        object_type="identity.ip",
        object_id=ip,
        after={"locked_until": until.isoformat()},
    )


def login_unlock(*, actor: str, ip: str = "", username: str = "", client_id: str = "") -> int:
    """Lift the throttling of a client IP, a login name (and the account's own lock) or a
    client id, as an administrator; the number of counters forgotten. Audited."""
    with transaction.atomic():
        keys = {"ip": throttle.ip_key(ip) if ip else "", "account": username, "client": client_id}
        cleared = sum(throttle.clear(scope, key) for scope, key in keys.items() if key)
        users = 0
        if username:
            users = User.objects.filter(username=username).update(
                failed_logins=0, locked_until=None
            )
        audit.record(
            actor=actor,
            action="identity.login_unlocked",
            object_type="identity.throttle",
            object_id=",".join(f"{k}:{v}" for k, v in keys.items() if v)[:64],
            after={"counters": cleared, "accounts": users},
        )
    return cleared + users


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


def otp_send(*, user: User, purpose: str = "login") -> None:
    """Send a 6-digit login code to the user's phone through the configured SMS backend.

    At most ``SMS_MAX_PER_HOUR`` an hour per account, and while a code sent is still unused, no
    new one within ``SMS_COOLDOWN_SECONDS``: a ``RateLimited`` (429, ``retry_after``) says when
    the next may be sent, and the code sent before stays valid. (Once that code was used, the
    person signed in: signing in again at once is not an SMS flood.)"""
    if not user.phone:
        raise ValidationFailed.one("phone", "账号未绑定手机号码，无法发送验证码。")
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = timezone.now()
    pending = selectors.otp_pending(user=user, purpose=purpose)
    with transaction.atomic():
        throttle.sms_allow(f"user:{user.pk}", now=now, cooldown=None if pending else 0)
        OtpChallenge.objects.filter(user=user, purpose=purpose, used_at__isnull=True).update(
            used_at=now
        )
        OtpChallenge.objects.create(
            user=user,
            purpose=purpose,
            code_hash=_sha256(f"{user.pk}:{purpose}:{code}"),
            expires_at=now + dt.timedelta(seconds=settings.OTP_TTL_SECONDS),
        )
        audit.record(
            actor=f"user:{user.username}",
            action="identity.otp_sent",
            object_type="identity.user",
            object_id=user.username,
            after={"phone": user.phone[:3] + "****" + user.phone[-4:], "purpose": purpose},
        )
        what = "登录" if purpose == "login" else "重置密码"
        text = signed(f"您的{what}验证码为 {code}，5分钟内有效。请勿告诉他人。")
        phone = user.phone
        send_sms_after_commit(phone, text)


def otp_verify(*, user: User, code: str, purpose: str = "login") -> None:
    now = timezone.now()
    challenge = (
        OtpChallenge.objects.filter(
            user=user, purpose=purpose, used_at__isnull=True, expires_at__gt=now
        )
        .order_by("-id")
        .first()
    )
    if challenge is None:
        raise ValidationFailed.one("code", "验证码已过期，请重新获取。")
    ok = hmac.compare_digest(
        challenge.code_hash, _sha256(f"{user.pk}:{purpose}:{(code or '').strip()}")
    )
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


def _mask(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def phone_code_send(
    *, phone: str, purpose: str, message: str, ttl_seconds: int | None = None
) -> None:
    """Text a 6-digit code to a phone with no account behind it (an anonymous 12345 caller),
    as ``otp_send`` does for an account: kept as a hash in ``OtpChallenge`` (the database, so
    any web node checks it), throttled per phone by ``throttle.sms_allow`` (one a minute while
    a code is unused, ``SMS_MAX_PER_HOUR`` an hour: ``RateLimited`` says when), the code sent
    before spent, audited. ``message`` is the SMS with ``{code}`` where the code goes."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = timezone.now()
    ttl = settings.OTP_TTL_SECONDS if ttl_seconds is None else ttl_seconds
    unused = OtpChallenge.objects.filter(
        user=None, phone=phone, purpose=purpose, used_at__isnull=True
    )
    with transaction.atomic():
        pending = unused.filter(expires_at__gt=now).exists()
        throttle.sms_allow(f"phone:{phone}", now=now, cooldown=None if pending else 0)
        unused.update(used_at=now)
        OtpChallenge.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=_sha256(f"phone:{phone}:{purpose}:{code}"),
            expires_at=now + dt.timedelta(seconds=ttl),
        )
        audit.record(
            actor="anonymous",
            action="identity.phone_code_sent",
            object_type="identity.phone",
            object_id=_mask(phone),
            after={"purpose": purpose},
        )
        send_sms_after_commit(phone, message.format(code=code))


def phone_code_verify(*, phone: str, purpose: str, code: str) -> None:
    """Check a code ``phone_code_send`` texted: used once, at most ``OTP_MAX_ATTEMPTS`` tries,
    until it expires; else ``ValidationFailed`` naming ``code`` in Chinese. Audited."""
    now = timezone.now()
    challenge = (
        OtpChallenge.objects.filter(user=None, phone=phone, purpose=purpose, used_at__isnull=True)
        .order_by("-id")
        .first()
    )
    if challenge is None or challenge.expires_at <= now:
        raise ValidationFailed.one("code", "请先获取验证码；验证码已过期的，请重新获取。")
    ok = hmac.compare_digest(
        challenge.code_hash, _sha256(f"phone:{phone}:{purpose}:{(code or '').strip()}")
    )
    with transaction.atomic():
        if ok:
            challenge.used_at = now
        else:
            challenge.attempts += 1
            if challenge.attempts >= settings.OTP_MAX_ATTEMPTS:
                challenge.used_at = now
        challenge.save(update_fields=["attempts", "used_at"])
        audit.record(
            actor="anonymous",
            action="identity.phone_code_verified" if ok else "identity.phone_code_failed",
            object_type="identity.phone",
            object_id=_mask(phone),
            after={"purpose": purpose, "attempts": challenge.attempts},
        )
    if ok:
        return
    if challenge.used_at:
        raise ValidationFailed.one("code", "验证码错误次数过多，请重新获取。")
    raise ValidationFailed.one("code", "验证码不正确，请核对短信中的6位数字。")


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


def token_issue_for_password(*, username: str, password: str, ip: str) -> IssuedToken:
    user = login_check_password(username=username, password=password, ip=ip)
    return _token_create(user=user)


def token_issue_for_client(*, client_id: str, client_secret: str, ip: str) -> IssuedToken:
    """Client credentials, throttled like passwords: per client IP and per client id (a client
    secret locks after ``LOGIN_MAX_FAILURES`` failures, an unknown client id alike), one hash
    whether or not the client exists."""
    now = timezone.now()
    slots = [throttle.ip_slot(ip), throttle.client_slot(client_id)]
    throttle.reserve(slots, now=now, message=LOGIN_THROTTLED)
    client = ApiClient.objects.filter(client_id=client_id, is_active=True).first()
    if client is None:
        _dummy_hash(client_secret or "")
        ok = False
    else:
        ok = check_password(client_secret or "", client.secret_hash)
    if ok:
        assert client is not None
        with transaction.atomic():
            throttle.succeed(slots, now=now)
            return _token_create(client=client)
    with transaction.atomic():
        ip_locked = throttle.fail(slots[0], now=now)
        client_locked = throttle.fail(slots[1], now=now)
        audit.record(
            actor="anonymous",
            action="identity.client_locked" if client_locked else "identity.client_auth_failed",
            object_type="identity.client",
            object_id=(client_id or "")[:64],
            after={"ip": ip, "locked_until": client_locked.isoformat() if client_locked else None},
        )
        if ip_locked:
            _audit_ip_locked(ip, ip_locked)
    raise _failure(CLIENT_WRONG, CLIENT_LOCKED, [ip_locked, client_locked], now)


def token_revoke(
    *, raw: str, actor: str = "system", user_id: int | None = None, client_id: str | None = None
) -> bool:
    """Revoke a token (idempotent: an unknown or already revoked token is left alone). With
    ``user_id`` or ``client_id`` only a token of that user or client is revoked. Returns whether
    a live token was revoked."""
    with transaction.atomic():
        found = ApiToken.objects.select_for_update().filter(key_hash=_sha256(raw))
        if user_id is not None or client_id is not None:
            found = found.filter(
                Q(user_id=user_id) if user_id is not None else Q(client__client_id=client_id)
            )
        token = found.first()
        if token is None or token.revoked_at:
            return False
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="identity.token_revoked",
            object_type="identity.token",
            object_id=str(token.pk),
        )
    return True


def tokens_revoke_all(
    *, actor: str, user_id: int | None = None, client_id: str | None = None
) -> int:
    """Revoke every live token of a user or a client (logout, "revoke all my tokens"); the
    number revoked, audited as one record."""
    if (user_id is None) == (client_id is None):
        raise ValueError("name exactly one of user_id and client_id")
    now = timezone.now()
    with transaction.atomic():
        live = ApiToken.objects.select_for_update().filter(
            revoked_at__isnull=True, expires_at__gt=now
        )
        live = (
            live.filter(user_id=user_id)
            if user_id is not None
            else live.filter(client__client_id=client_id)
        )
        ids = sorted(live.values_list("pk", flat=True))
        if not ids:
            return 0
        ApiToken.objects.filter(pk__in=ids).update(revoked_at=now)
        audit.record(
            actor=actor,
            action="identity.tokens_revoked",
            object_type="identity.client" if client_id is not None else "identity.user",
            object_id=client_id if client_id is not None else str(user_id),
            after={"tokens": [str(i) for i in ids]},
        )
    return len(ids)


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


# --- 忘记密码: a new password by a code texted to the registered phone (issue 17) ----------

RESET_THROTTLED = "找回密码的请求过于频繁，请 {wait}后再试。"
RESET_WRONG = "验证码错误或已过期，请重新获取。"


def reset_slots(ip: str, username: str) -> list[throttle.Slot]:
    """A reset is throttled like a login: per client IP across names (every request and try
    counts), and per name (each try of a code counts; ``LOGIN_MAX_FAILURES`` lock the name)."""
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    return [
        throttle.Slot(
            throttle.Rule("reset", settings.LOGIN_IP_MAX_FAILURES, minutes * 60, minutes * 60),
            throttle.ip_key(ip),
        ),
        throttle.Slot(
            throttle.Rule("resetname", settings.LOGIN_MAX_FAILURES, minutes * 60, minutes * 60),
            (username or "")[: throttle.KEY_MAX],
        ),
    ]


def _reset_user(username: str) -> User | None:
    """The person account a reset names (by its username or the holder's ID number), or None
    — staff accounts reset their passwords through an administrator."""
    name = (username or "").strip()
    user = User.objects.filter(username=name, is_active=True, kind=User.Kind.PERSON).first()
    if user is None and _is_id_number(name):
        user = User.objects.filter(
            person__id_number=name.upper(), is_active=True, kind=User.Kind.PERSON
        ).first()
    return user


def password_reset_request(*, username: str, ip: str) -> None:
    """Text a reset code to the phone registered with the account. Unknown, inactive, staff and
    phone-less accounts get the same answer and take the same path (counted, audited) with no
    SMS, so the answer does not tell who is registered. Counted against the IP and the name
    like a login (429 saying when); a second request within the SMS cooldown sends nothing new
    (the code sent stays valid) and answers the same."""
    now = timezone.now()
    throttle.reserve(reset_slots(ip, username)[:1], now=now, message=RESET_THROTTLED)
    user = _reset_user(username)
    sent = False
    if user is not None and user.phone:
        try:
            otp_send(user=user, purpose="reset")
            sent = True
        except RateLimited:
            pass  # within the cooldown: the code sent before is still valid; same answer
    else:
        # counted as a code sent, so a 重发验证码 right after waits as a known account's does
        with contextlib.suppress(RateLimited):
            throttle.sms_allow(_reset_unknown_key(username), now=now)
    with transaction.atomic():
        audit.record(
            actor="anonymous",
            action="identity.password_reset_requested",
            object_type="identity.user",
            object_id=(user.username if user else (username or "").strip())[:64],
            after={"ip": ip, "sent": sent, "known": user is not None},
        )


def password_reset_resend(*, username: str, ip: str) -> None:
    """重发验证码 for a reset under way: the same limits as the first (the SMS cooldown says
    when, as a 429 in words, for a known account with a pending code); unknown accounts get
    the same answer."""
    now = timezone.now()
    throttle.reserve(reset_slots(ip, username)[:1], now=now, message=RESET_THROTTLED)
    user = _reset_user(username)
    if user is not None and user.phone:
        otp_send(user=user, purpose="reset")  # RateLimited within the cooldown
    else:
        # what a known account within the cooldown answers, so the two are told apart by nothing
        throttle.sms_allow(_reset_unknown_key(username), now=now)


def _reset_unknown_key(username: str) -> str:
    """The SMS counter of a reset naming no account with a phone (no SMS is sent)."""
    return f"reset-unknown:{(username or '')[:64]}"


def password_reset_confirm(
    *, username: str, code: str, password: str, password2: str, ip: str
) -> None:
    """Set a new password with the texted code. The new password is checked first (errors name
    ``new_password``/``new_password2`` and change nothing, no attempt counted); then each try is
    counted like a login (per IP and name). A wrong code or an unknown account answer the same.
    On success: the password is set, the account's failed logins and lock cleared, its API
    tokens revoked (its sessions end with the old password's hash), audited."""
    errors: list[FieldError] = []
    user = _reset_user(username)
    try:
        validate_password(password or "", user=user or User(username=username))
    except DjangoValidationError as exc:
        errors.append(FieldError("new_password", "".join(str(m) for m in exc.messages)))
    if (password or "") != (password2 or ""):
        errors.append(FieldError("new_password2", "两次输入的新密码不一致。"))
    if not (code or "").strip().isdigit() or len((code or "").strip()) != 6:
        errors.append(FieldError("code", "请输入6位数字验证码。"))
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    slots = reset_slots(ip, username)
    throttle.reserve(slots, now=now, message=RESET_THROTTLED)
    if user is None:
        _dummy_hash(password)
        with transaction.atomic():
            throttle.fail(slots[1], now=now)
            audit.record(
                actor="anonymous",
                action="identity.password_reset_failed",
                object_type="identity.user",
                object_id=(username or "").strip()[:64],
                after={"ip": ip, "reason": "unknown_user"},
            )
        raise ValidationFailed.one("code", RESET_WRONG)
    try:
        otp_verify(user=user, code=code, purpose="reset")
    except ValidationFailed:
        with transaction.atomic():
            throttle.fail(slots[1], now=now)
        raise ValidationFailed.one("code", RESET_WRONG) from None
    encoded = make_password(password)
    with transaction.atomic():
        throttle.succeed(slots, now=now)
        before = _user_snapshot(user)
        user.password = encoded
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["password", "failed_logins", "locked_until"])
        throttle.clear("account", user.username)
        audit.record(
            actor=f"user:{user.username}",
            action="identity.password_reset",
            object_type="identity.user",
            object_id=user.username,
            before=before,
            after={**_user_snapshot(user), "ip": ip},
        )
    tokens_revoke_all(actor=f"user:{user.username}", user_id=user.pk)


def otp_resend(*, user: User) -> None:
    """重发验证码 on the login code page: a new login code within the same limits (a 429 saying
    in words how long to wait while the last one is in its cooldown)."""
    otp_send(user=user, purpose="login")
