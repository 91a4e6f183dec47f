"""The deployment files of deploy/ and docs/deploy/ stay true: the compose set has every role and
is valid against the Compose Specification's JSON schema (tests/data/compose-spec.json, from
github.com/compose-spec/compose-spec schema/ at 170098b, Apache-2.0 — there is no Docker engine
here; docs/deploy/container-check.md says how the image and the app services were run under
podman), systemd accepts every unit (`systemd-analyze verify`), every `shuzheng` command
the container, compose and systemd files run exists, and Debian's nginx accepts
docs/deploy/nginx/shuzheng.conf and, run for real in front of a stand-in web role, redirects
HTTP to HTTPS, sends HSTS, replaces the forwarded headers, serves static files itself and
refuses a body over the upload limit (skipped when nginx is not installed; .ci/run installs it)."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
NGINX_CONF = ROOT / "docs" / "deploy" / "nginx" / "shuzheng.conf"
PROXY_PARAMS = ROOT / "docs" / "deploy" / "nginx" / "shuzheng_proxy_params"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def test_compose_has_every_role():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    services = compose["services"]
    commands = {n: (s.get("command") or [""])[0] for n, s in services.items()}
    assert [n for n, c in commands.items() if c == "web"] == ["web1", "web2"]
    assert [n for n, c in commands.items() if c == "worker"] == ["worker1", "worker2"]
    assert [n for n, c in commands.items() if c == "scheduler"] == ["scheduler"]
    assert {"db-primary", "db-replica", "s3", "nginx"} <= set(services)
    web = services["web1"]["environment"]
    assert web["SHUZHENG_REPLICA_URL"].startswith("postgres://") and web["SHUZHENG_STORAGE"] == "s3"


def test_nginx_serves_the_static_files_of_the_image_that_runs():
    """A named volume is filled from an image only while empty: after an upgrade it would keep
    the old hashed files (pages asking for new ones get 404), and a web role mounting it would
    read the old manifest. So a one-shot service copies the running image's files to it before
    nginx starts, and the web roles do not mount it."""
    services = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))["services"]
    static = services["static"]
    assert static["command"][0] == "collectstatic" and static["restart"] == "no"
    assert "static:/var/lib/shuzheng/static" in static["volumes"]
    nginx_waits_for = services["nginx"]["depends_on"]
    assert nginx_waits_for["static"] == {"condition": "service_completed_successfully"}
    for name in ("web1", "web2", "worker1", "worker2", "scheduler"):
        assert not any("static" in v for v in services[name].get("volumes", [])), name


def test_compose_file_follows_the_compose_specification():
    schema = json.loads((ROOT / "tests" / "data" / "compose-spec.json").read_text("utf-8"))
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    errors = [
        f"{'/'.join(map(str, e.path))}: {e.message}"
        for e in jsonschema.Draft7Validator(schema).iter_errors(compose)
    ]
    assert errors == []


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_accepts_every_unit(tmp_path):
    """Unknown keys, bad values and missing sections fail here; the program path is pointed at
    a stand-in (the real one exists only once installed in /opt/shuzheng)."""
    program = tmp_path / "shuzheng"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    units = []
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        name = unit.name.replace("@.service", "@1.service")
        text = unit.read_text("utf-8").replace("/opt/shuzheng/bin/shuzheng", str(program))
        (tmp_path / name).write_text(text, "utf-8")
        units.append(str(tmp_path / name))
    assert len(units) == 3
    out = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *units],
        capture_output=True,
        text=True,
        env={"SYSTEMD_LOG_LEVEL": "warning", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    problems = [line for line in out.stderr.splitlines() if line.strip()]
    assert out.returncode == 0 and problems == [], out.stderr


def test_every_command_the_deployment_runs_exists():
    known = set(get_commands())
    used: set[str] = set()
    for unit in (DEPLOY / "systemd").glob("*.service"):
        used |= set(re.findall(r"^ExecStart=\S+/shuzheng (\w+)", unit.read_text(), re.M))
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    for service in compose["services"].values():
        command = service.get("command")
        if isinstance(command, list) and "entrypoint" not in service:
            used.add(command[0])
    used.add(json.loads(re.search(r"^CMD (.*)$", _containerfile(), re.M).group(1))[0])
    assert used == {"web", "worker", "scheduler", "migrate", "collectstatic"}
    assert used <= known


def _containerfile() -> str:
    return (DEPLOY / "Containerfile").read_text("utf-8")


def test_the_image_installs_the_pinned_versions():
    assert "pip install --constraint constraints.txt ." in _containerfile()
    assert "FROM docker.io/library/python:3.11-slim-bookworm" in _containerfile()


# -- nginx for real --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Echo(BaseHTTPRequestHandler):
    """The stand-in web role: answers with the headers it was given (and its own HSTS, which
    nginx must hide in favour of its own)."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Strict-Transport-Security", "max-age=1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer  # http.server's names

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    if NGINX is None:
        pytest.skip("nginx is not installed (apt install nginx; .ci/run installs it)")
    work = tmp_path_factory.mktemp("nginx")
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    http_port, https_port = _free_port(), _free_port()
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"),
            *("-nodes", "-days", "1", "-subj", "/CN=localhost"),
            *("-keyout", str(work / "key.pem"), "-out", str(work / "cert.pem")),
        ],
        check=True,
        capture_output=True,
    )
    # readable by nginx's worker user when the tests run as root (pytest's tmp dirs are 0700)
    static = Path(tempfile.mkdtemp(prefix="shuzheng-static-"))
    static.chmod(0o755)
    (static / "app.css").write_text("body{}")
    (static / "app.css").chmod(0o644)
    site = NGINX_CONF.read_text("utf-8")
    site = site.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{upstream.server_port}")
    site = re.sub(r"listen 80;", f"listen 127.0.0.1:{http_port};", site)
    site = re.sub(r"listen \[::\]:\d+[^;]*;\n", "", site)
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = site.replace("/etc/ssl/shuzheng/fullchain.pem", str(work / "cert.pem"))
    site = site.replace("/etc/ssl/shuzheng/privkey.pem", str(work / "key.pem"))
    site = site.replace("/etc/nginx/shuzheng_proxy_params", str(PROXY_PARAMS))
    site = site.replace("/var/lib/shuzheng/static/", f"{static}/")
    (work / "site.conf").write_text(site)
    (work / "nginx.conf").write_text(
        f"pid {work}/nginx.pid;\nerror_log {work}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {work}/body;\n"
        f"  proxy_temp_path {work}/proxy;\n  fastcgi_temp_path {work}/fastcgi;\n"
        f"  uwsgi_temp_path {work}/uwsgi;\n  scgi_temp_path {work}/scgi;\n"
        f"  include {work}/site.conf;\n}}\n"
    )
    base = [NGINX, "-p", str(work), "-e", str(work / "error.log"), "-c", str(work / "nginx.conf")]
    checked = subprocess.run([*base, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([*base, "-g", "daemon off;"], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", https_port)) == 0:
                break
        time.sleep(0.05)
    try:
        yield {"http": http_port, "https": https_port}
    finally:
        server.terminate()
        server.wait(timeout=10)
        upstream.shutdown()
        shutil.rmtree(static, ignore_errors=True)


def _https(port: int) -> http.client.HTTPSConnection:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)


def test_nginx_redirects_plain_http(nginx):
    conn = http.client.HTTPConnection("127.0.0.1", nginx["http"], timeout=10)
    conn.request("GET", "/cases/?x=1", headers={"Host": "zwfw.example.gov.cn"})
    answer = conn.getresponse()
    assert answer.status == 301
    assert answer.getheader("Location") == "https://zwfw.example.gov.cn/cases/?x=1"


def test_nginx_proxies_with_its_own_forwarded_headers_and_hsts(nginx):
    conn = _https(nginx["https"])
    conn.request(
        "GET",
        "/",
        headers={
            "Host": "zwfw.example.gov.cn",
            "X-Forwarded-Proto": "http",  # what a client claims is not believed
            "X-Forwarded-For": "6.6.6.6",
        },
    )
    answer = conn.getresponse()
    seen = json.loads(answer.read())
    assert answer.status == 200
    assert (seen["x-forwarded-proto"], seen["x-forwarded-for"]) == ("https", "127.0.0.1")
    assert seen["host"] == "zwfw.example.gov.cn" and re.fullmatch(
        r"[0-9a-f]{32}", seen["x-request-id"]
    )
    assert answer.getheaders().count(("Strict-Transport-Security", "max-age=1")) == 0
    assert answer.getheader("Strict-Transport-Security").startswith("max-age=31536000")


def test_nginx_serves_static_files_and_limits_uploads(nginx):
    conn = _https(nginx["https"])
    conn.request("GET", "/static/app.css", headers={"Host": "zwfw.example.gov.cn"})
    answer = conn.getresponse()
    assert (answer.status, answer.read()) == (200, b"body{}")
    assert "immutable" in answer.getheader("Cache-Control")
    assert answer.getheader("Strict-Transport-Security").startswith("max-age=31536000")
    conn = _https(nginx["https"])
    conn.request("GET", "/media/x.pdf", headers={"Host": "zwfw.example.gov.cn"})
    assert conn.getresponse().status == 404
    conn = _https(nginx["https"])
    big = b"x" * (13 * 1024 * 1024)  # over the 12 MB of a material's form
    conn.request("POST", "/cases/upload", body=big, headers={"Host": "zwfw.example.gov.cn"})
    assert conn.getresponse().status == 413
