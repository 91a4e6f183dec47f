"""Request id, security headers, the API's one error format for responses Django makes itself."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation

from shuzheng.core.context import new_request_id, reset_request_id, set_request_id
from shuzheng.core.errors import api_error_body

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# Everything is served from our own origin; no inline scripts anywhere (XSS defence in depth).
# Frames come from our own origin only (the case pages preview a PDF material in an
# <iframe>); no page may be framed, and no <object>/<embed> is used.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'"
)


def inline_file_policy(*, embeddable: bool) -> str:
    """The policy of an uploaded file served inline (``files.http``): it loads and runs nothing
    itself (a checked PDF or image; the browser's own PDF viewer shows it), and only the
    platform's own pages may frame it (``embeddable``: the case pages' PDF preview), or
    none."""
    ancestors = "'self'" if embeddable else "'none'"
    return f"default-src 'none'; frame-ancestors {ancestors}; base-uri 'none'; form-action 'none'"


class RequestIdMiddleware:
    """Gives every request an id (or keeps a well-formed incoming X-Request-ID)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class ApiErrorMiddleware:
    """Every error under ``/api/`` is in the API's JSON format with a Chinese message.

    The API's own handlers (``api/router.py``) answer in that format already; this catches what
    Django and ninja answer outside them: 405 from a path with other methods, 400/413 for a body
    Django refuses, a CSRF failure, the 500 of an uncaught exception (the request id, never a
    traceback). Headers that tell the client what to do next (``Allow``, ``Retry-After``,
    ``WWW-Authenticate``) are kept.

    Before the view, text no field can hold — NUL or a lone UTF-16 surrogate in the path, a
    query parameter or a JSON body — is a 422 naming the field: PostgreSQL refuses NUL in text
    and neither database stores a lone surrogate, so further in they were 500s.
    """

    KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary")
    UNREADABLE = "含有无法识别的字符，请重新输入。"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        field = next(_unreadable_fields(request), None)
        if field is not None:
            return JsonResponse(
                {
                    "code": "validation_error",
                    "message": f"字段 {field}：{self.UNREADABLE}",
                    "errors": [{"field": field, "message": self.UNREADABLE}],
                },
                status=422,
                json_dumps_params={"ensure_ascii": False},
            )
        response = self.get_response(request)
        if response.status_code < 400 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        body = api_error_body(
            response.status_code,
            method=request.method or "",
            allow=response.get("Allow", ""),
            request_id=getattr(request, "request_id", None),
        )
        json_response = JsonResponse(
            body, status=response.status_code, json_dumps_params={"ensure_ascii": False}
        )
        for header in self.KEPT_HEADERS:
            if header in response:
                json_response[header] = response[header]
        return json_response


def _unreadable(text: str) -> bool:
    return "\x00" in text or any("\ud800" <= c <= "\udfff" for c in text)


def _unreadable_fields(request: HttpRequest) -> Iterator[str]:
    """The names of request fields holding text no field can store (path, query, JSON body)."""
    if _unreadable(request.path):
        yield "path"
    for key, values in request.GET.lists():
        if _unreadable(key) or any(_unreadable(v) for v in values):
            yield key if not _unreadable(key) else "query"
    if not (request.content_type or "").startswith("application/json"):
        return
    try:
        data = json.loads(request.body) if request.body else None
    except (RequestDataTooBig, ValueError):
        return  # the API answers 413 or names the malformed body itself
    yield from _unreadable_in(data, "")


def _unreadable_in(value: Any, at: str) -> Iterator[str]:
    if isinstance(value, str):
        if _unreadable(value):
            yield at or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{at}.{key}" if at else str(key)
            if _unreadable(str(key)):
                yield at or "body"
            yield from _unreadable_in(item, name)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _unreadable_in(item, f"{at}.{i}" if at else str(i))


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/v1/docs"):
            # Swagger UI (served locally by ninja) sets inline styles; scripts stay 'self' only.
            response.setdefault(
                "Content-Security-Policy",
                CONTENT_SECURITY_POLICY.replace(
                    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
                ),
            )
        elif not request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if _with_credentials(request):
            # an answer to a signed-in caller may hold personal data: no shared or browser
            # cache keeps it (issue 16 item 10); a view that knows better sets its own
            response.setdefault("Cache-Control", "no-store")
        return response


def _with_credentials(request: HttpRequest) -> bool:
    """The request carries a bearer token or a session: its answer is the caller's own."""
    return "Authorization" in request.headers or settings.SESSION_COOKIE_NAME in request.COOKIES


class LanguageMiddleware:
    """Chinese by default; English only when the user chose it (language cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language, so a visitor
    whose browser says "en-US" still gets the Chinese portal until they press "English".
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.setdefault("Vary", "Cookie")
        return response
