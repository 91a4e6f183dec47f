"""Production settings as docs/deploy/ configures them: ``check --deploy`` has nothing to say
about the environment of deploy/shuzheng.env.example (secrets filled in), and the HTTPS-behind-
a-proxy settings apply in production only, never in the demo. Each runs in a fresh process
(settings are read once at start-up), with no SHUZHENG_TESTING."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV_EXAMPLE = ROOT / "deploy" / "shuzheng.env.example"

PROBE = """
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuzheng.settings")
django.setup()
from django.conf import settings as s
print(json.dumps({
    "proxy_header": list(getattr(s, "SECURE_PROXY_SSL_HEADER", None) or []),
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "csrf_trusted": s.CSRF_TRUSTED_ORIGINS,
    "secure_cookies": [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE],
    "hsts": s.SECURE_HSTS_SECONDS,
    "sms_backend": s.SMS_BACKEND,
}))
if "--check" in sys.argv:
    from django.core.management import call_command
    call_command("check", deploy=True, fail_level="WARNING")
    print("CHECK-CLEAN")
"""


def _example_env(tmp_path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text("utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    for key, value in env.items():
        if "CHANGE-ME" in value:
            env[key] = value.replace("CHANGE-ME", secrets.token_urlsafe(48))
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'check.sqlite3'}"
    for key in ("SHUZHENG_STATIC_ROOT", "SHUZHENG_MEDIA_ROOT", "SHUZHENG_AUDIT_ANCHOR_DIR"):
        env[key] = str(tmp_path / key.lower())
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SHUZHENG_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_check_deploy_is_clean_with_the_documented_production_environment(tmp_path):
    env = _example_env(tmp_path)
    done = _run(env, "--check")
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.rstrip().endswith("CHECK-CLEAN")
    seen = json.loads(done.stdout.splitlines()[0])
    assert seen["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert seen["ssl_redirect"] is True
    assert seen["csrf_trusted"] == ["https://zwfw.example.gov.cn"]
    assert seen["secure_cookies"] == [True, True]
    assert seen["hsts"] == 31536000
    assert seen["sms_backend"] == "aliyun"


def test_proxy_settings_stay_out_of_the_demo(tmp_path):
    env = _example_env(tmp_path)
    env["SHUZHENG_DEMO"] = "1"
    del env["SHUZHENG_SSL_REDIRECT"]
    seen = json.loads(_run(env).stdout.splitlines()[0])
    assert (seen["ssl_redirect"], seen["csrf_trusted"]) == (False, [])
    # production without the proxy variable: no forwarded header believed, no redirect
    env = _example_env(tmp_path)
    del env["SHUZHENG_SSL_REDIRECT"], env["SHUZHENG_TRUST_X_FORWARDED_PROTO"]
    seen = json.loads(_run(env).stdout.splitlines()[0])
    assert (seen["proxy_header"], seen["ssl_redirect"]) == ([], False)
