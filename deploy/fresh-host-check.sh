#!/usr/bin/env bash
# Fresh-host check: redo docs/deploy/walkthrough.md from nothing and print PASS/FAIL per check.
#
# RUN BY HAND, NOT IN CI: it debootstraps a Debian 12 (bookworm) root and installs into it
# (~150 MB of Debian packages and the Python wheels downloaded; the root ends at ~1.9 GB, the
# virtualenv 870 MB; 5-20 minutes), needs root, and uses the host's ports 80, 443, 8000 and 5432
# (the chroot shares the host's network).
#
#   sudo deploy/fresh-host-check.sh [--fresh] [--keep] [ROOT]      (ROOT: /var/tmp/shuzheng-freshhost)
#
#   --fresh  delete an existing ROOT first (the check wants a root nobody installed into)
#   --keep   leave PostgreSQL, nginx and the roles running at the end (default: stop them)
#   MIRROR=http://deb.debian.org/debian   the Debian mirror for debootstrap
#
# It follows docs/deploy/README.md as a city's IT team would, inside `chroot ROOT`: the Debian
# packages and the `sz` helper are read from the README itself, the code is a `git clone` of this
# checkout (mounted read-only; committed work only). What a chroot cannot do, and how it is
# replaced: no systemd as PID 1, so PostgreSQL is started with pg_ctlcluster, nginx with `nginx`,
# and each role with its unit's own ExecStart= line (User=, EnvironmentFile=, WorkingDirectory=
# honoured, read from the unit file); no public ACME, so a local CA signs the certificate of
# zwfw.shuzheng.test (in the chroot's /etc/hosts; the host reaches it with curl --resolve); no
# SMS account, so SHUZHENG_SMS_BACKEND=console and the login code is read from the web role's log.
set -euo pipefail

FRESH=0 KEEP=0
ROOT=/var/tmp/shuzheng-freshhost
for arg in "$@"; do
    case $arg in
        --fresh) FRESH=1 ;;
        --keep) KEEP=1 ;;
        -*) echo "unknown option $arg" >&2; exit 2 ;;
        *) ROOT=$(realpath -m "$arg") ;;
    esac
done
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SRC=$(cd "$(dirname "$0")/.." && pwd)
README=$SRC/docs/deploy/README.md
HOST=zwfw.shuzheng.test
CA=$ROOT/root/ca/ca.crt
RESOLVE=(--resolve "$HOST:443:127.0.0.1" --resolve "$HOST:80:127.0.0.1")
FAILS=0

log() { printf '\n== %s\n' "$*"; }
check() {  # check NAME CONDITION-COMMAND...
    local name=$1; shift
    if "$@" >/dev/null 2>&1; then echo "PASS  $name"; else echo "FAIL  $name"; FAILS=$((FAILS + 1)); fi
}
in_root() {  # a login-less root shell in the chroot, with an empty environment (a fresh machine)
    chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -euo pipefail -c "$1"
}
chroot_pids() {  # every process whose root is ROOT: only what this script started there
    local p
    for p in /proc/[0-9]*; do
        [[ $(readlink "$p/root" 2>/dev/null) == "$ROOT" ]] && echo "${p#/proc/}"
    done
    return 0
}
unmount_all() {
    local m
    for m in mnt/shuzheng-src dev sys proc; do
        mountpoint -q "$ROOT/$m" && umount -R "$ROOT/$m"
    done
    return 0
}
stop_all() {
    [[ -d $ROOT/proc/1 ]] || return 0
    in_root 'nginx -s quit 2>/dev/null || true
             for f in /run/shuzheng-*.pid; do [ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
             pg_ctlcluster 15 main stop 2>/dev/null || true' || true
    local pids i
    for i in $(seq 30); do
        pids=$(chroot_pids)
        [[ -z $pids ]] && break
        sleep 1
    done
    pids=$(chroot_pids)
    [[ -n $pids ]] && kill $pids 2>/dev/null
    return 0
}
finish() {
    local rc=$?
    if [[ $KEEP == 0 ]]; then stop_all; unmount_all; fi
    exit $rc
}

[[ $(id -u) == 0 ]] || { echo "run as root (debootstrap, chroot, mount)" >&2; exit 2; }
log "1. a fresh Debian 12 root in $ROOT"
if [[ -e $ROOT && $FRESH == 1 ]]; then
    stop_all; unmount_all
    if grep -q " $ROOT/" /proc/mounts; then echo "still mounted under $ROOT; not deleting" >&2; exit 1; fi
    rm -rf --one-file-system "$ROOT"
fi
for port in 80 443 8000 5432; do
    if ss -Hltn "sport = :$port" | grep -q .; then echo "port $port is taken on this host" >&2; exit 2; fi
done
if [[ -e $ROOT/etc/debian_version ]]; then
    echo "$ROOT already holds a system; pass --fresh to start from nothing" >&2; exit 2
fi
command -v debootstrap >/dev/null || apt-get install -y debootstrap
debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >/tmp/fresh-host-debootstrap.log
trap finish EXIT
mount -t proc proc "$ROOT/proc"
mount --rbind /sys "$ROOT/sys"
mount --rbind /dev "$ROOT/dev"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# no service starts by itself in a chroot (started by hand below, as systemd would)
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"; chmod +x "$ROOT/usr/sbin/policy-rc.d"
# what a real machine's installer writes into /etc/hosts (debootstrap writes none), and the
# test host name
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.0.1\t%s\n' \
    "$(hostname)" "$HOST" >"$ROOT/etc/hosts"
# a network that inspects TLS needs its CA on every machine; on this host it is here
install -d "$ROOT/usr/local/share/ca-certificates"
cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/" 2>/dev/null || true
install -d "$ROOT/mnt/shuzheng-src"
mount --bind "$SRC" "$ROOT/mnt/shuzheng-src"
mount -o remount,ro,bind "$ROOT/mnt/shuzheng-src"

log "2. README §3 Install (the apt line and the sz helper as the README has them)"
APT_LINE=$(grep -m1 '^apt install python3.11' "$README")
sed -n '/^sz() {/,/; }$/p' "$README" >"$ROOT/root/sz.sh"
[[ -s $ROOT/root/sz.sh && -n $APT_LINE ]] || { echo "README §3 has no apt line or sz helper" >&2; exit 1; }
echo "$APT_LINE"
in_root "apt-get update -q >/dev/null; nice -n 10 ${APT_LINE/apt install/apt-get install -y -q} >/tmp/apt.log
         update-ca-certificates >/dev/null
         git config --global --add safe.directory '*'   # the clone source is owned by the host
         git clone -q /mnt/shuzheng-src /usr/local/src/shuzheng
         cd /usr/local/src/shuzheng && git log --oneline -1
         useradd --system --home-dir /var/lib/shuzheng --shell /usr/sbin/nologin shuzheng
         install -d -o shuzheng -g shuzheng /var/lib/shuzheng /var/lib/shuzheng/static \
             /var/lib/shuzheng/media /var/lib/shuzheng/audit-anchors
         python3.11 -m venv /opt/shuzheng
         nice -n 10 /opt/shuzheng/bin/pip install -q --constraint constraints.txt . 2>&1 | grep -v DEPRECATION || true
         /opt/shuzheng/bin/shuzheng --help >/dev/null
         install -d -m 750 -g shuzheng /etc/shuzheng
         install -m 640 -g shuzheng deploy/shuzheng.env.example /etc/shuzheng/shuzheng.env
         install -m 644 deploy/systemd/shuzheng-*.service /etc/systemd/system/"

log "3. README §4-5 settings and keys"
in_root "E=/etc/shuzheng/shuzheng.env
         sed -i \"s|^SHUZHENG_SECRET_KEY=.*|SHUZHENG_SECRET_KEY=\$(openssl rand -base64 48)|\" \$E
         sed -i \"s|^SHUZHENG_SEAL_KEY=.*|SHUZHENG_SEAL_KEY=\$(openssl rand -base64 48)|\" \$E
         DBPW=\$(openssl rand -hex 24); echo \"\$DBPW\" >/root/dbpw; chmod 600 /root/dbpw
         sed -i \"s|^DATABASE_URL=.*|DATABASE_URL=postgres://shuzheng:\$DBPW@localhost:5432/shuzheng|\" \$E
         sed -i 's/zwfw.example.gov.cn/$HOST/g' \$E
         sed -i 's/^SHUZHENG_SMS_BACKEND=.*/SHUZHENG_SMS_BACKEND=console/' \$E   # no SMS account here
         sed -i \"s|^SHUZHENG_SMS_CALLBACK_TOKEN=.*|SHUZHENG_SMS_CALLBACK_TOKEN=\$(openssl rand -hex 24)|\" \$E
         sed -i 's|^\\(SHUZHENG_ALIYUN_SMS_[A-Z_]*\\)=CHANGE-ME|\\1=unused-with-console|' \$E
         ! grep -n CHANGE-ME \$E"

log "4. README §6 database and first start"
in_root ". /root/sz.sh; cd /tmp
         pg_ctlcluster 15 main start   # systemd would have started it on install
         DBPW=\$(cat /root/dbpw)
         printf '%s\n%s\n' \"\$DBPW\" \"\$DBPW\" | sudo -u postgres createuser --pwprompt shuzheng
         sudo -u postgres createdb --owner shuzheng --encoding UTF8 --locale C.UTF-8 --template template0 shuzheng
         sz migrate --noinput | tail -n 1
         sz collectstatic --noinput | tail -n 1
         sz check --deploy 2>&1 | tee /root/check-deploy.txt"

log "5. README §7 organisation and first administrator"
ADMIN_PASSWORD="Fh-$(openssl rand -hex 8)"
in_root ". /root/sz.sh
         cd /usr/local/src/shuzheng/docs/deploy/examples
         sz load_org --regions regions.xlsx --departments departments.xlsx --staff staff.xlsx
         SHUZHENG_ADMIN_PASSWORD='$ADMIN_PASSWORD' sz create_admin --username admin \
             --phone 13900000000 --department 441200-ZSJ --password-env SHUZHENG_ADMIN_PASSWORD
         sz load_org --regions regions.csv --departments departments.csv --staff staff.csv"

log "6. README §8 HTTPS (a local CA: no public ACME here)"
in_root "install -d -m 700 /root/ca; cd /root/ca
         openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
             -subj '/CN=shuzheng fresh-host local CA' -keyout ca.key -out ca.crt 2>/dev/null
         openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=$HOST' \
             -keyout server.key -out server.csr 2>/dev/null
         printf 'subjectAltName=DNS:$HOST\nextendedKeyUsage=serverAuth\n' >ext.cnf
         openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
             -extfile ext.cnf -out server.crt 2>/dev/null
         cat server.crt ca.crt >chain.pem
         cd /usr/local/src/shuzheng
         cp docs/deploy/nginx/shuzheng.conf /etc/nginx/sites-available/shuzheng.conf
         cp docs/deploy/nginx/shuzheng_proxy_params /etc/nginx/shuzheng_proxy_params
         ln -s ../sites-available/shuzheng.conf /etc/nginx/sites-enabled/
         rm /etc/nginx/sites-enabled/default
         sed -i 's/zwfw.example.gov.cn/$HOST/g' /etc/nginx/sites-available/shuzheng.conf
         install -d -m 755 /etc/ssl/shuzheng
         install -m 644 /root/ca/chain.pem /etc/ssl/shuzheng/fullchain.pem
         install -m 600 /root/ca/server.key /etc/ssl/shuzheng/privkey.pem
         nginx -t 2>&1 | tail -n 1
         nginx   # systemctl reload nginx, without systemd"

log "7. README §6 'systemctl enable --now': each unit's ExecStart by hand (no systemd in a chroot)"
cat >"$ROOT/root/start-unit.sh" <<'EOF'
#!/bin/bash
# start-unit.sh UNIT [INSTANCE]: the unit's ExecStart= as its User=, with its EnvironmentFile=,
# in its WorkingDirectory= (what systemd does; the hardening options are not reproduced).
set -euo pipefail
unit=$1 inst=${2:-}
file=/etc/systemd/system/$unit.service
exec_start=$(sed -n 's/^ExecStart=//p' "$file"); exec_start=${exec_start//%i/$inst}
user=$(sed -n 's/^User=//p' "$file"); envfile=$(sed -n 's/^EnvironmentFile=//p' "$file")
name=${unit/@/-$inst}
cd "$(sed -n 's/^WorkingDirectory=//p' "$file")"
setsid sudo -u "$user" sh -c "set -a; . $envfile; set +a; exec $exec_start" \
    >"/var/log/$name.log" 2>&1 </dev/null &
echo $! >"/run/$name.pid"
echo "$unit$inst: $exec_start"
EOF
chmod +x "$ROOT/root/start-unit.sh"
in_root "/root/start-unit.sh shuzheng-web
         /root/start-unit.sh shuzheng-worker@ 1
         /root/start-unit.sh shuzheng-worker@ 2
         /root/start-unit.sh shuzheng-scheduler"
for i in $(seq 60); do
    curl -fsS -o /dev/null http://127.0.0.1:8000/livez 2>/dev/null && break
    sleep 1
done
sleep 3

log "8. checks from outside the machine"
CURL=(curl -sS --max-time 20 --cacert "$CA" "${RESOLVE[@]}")
URL=https://$HOST
H=$("${CURL[@]}" -o /dev/null -D - "$URL/accounts/login/" || true)
echo "$H" | grep -iE '^(HTTP|strict-transport)'
check "HTTPS login page 200 with a certificate the CA verifies" grep -q '^HTTP/2 200' <<<"$H"
check "HSTS on the login page" grep -qi '^strict-transport-security: max-age=31536000; includeSubDomains; preload' <<<"$H"
check "exactly one HSTS header" test "$(grep -ci '^strict-transport-security' <<<"$H")" = 1
R=$(curl -sS -o /dev/null -D - "${RESOLVE[@]}" "http://$HOST/accounts/login/" || true)
check "HTTP redirects to HTTPS" grep -qi "^location: https://$HOST/accounts/login/" <<<"$R"
CSS=$("${CURL[@]}" "$URL/accounts/login/" | grep -o '/static/css/[^"]*' | head -n 1 || true)
S=$("${CURL[@]}" -o /dev/null -w '%{http_code}' "$URL${CSS:-/static/missing}" || true)
check "nginx serves /static/ (collectstatic)" test "$S" = 200
READY=$("${CURL[@]}" "$URL/readyz" || true); echo "$READY"
check "/readyz ready through nginx" grep -q '"status": "ready"' <<<"$READY"
DIRECT=$(curl -sS --max-time 20 http://127.0.0.1:8000/readyz || true)
check "/readyz ready on the web role directly (probe, Host 127.0.0.1)" grep -q '"status": "ready"' <<<"$DIRECT"
check "scheduler leads" grep -q 'now leading' "$ROOT/var/log/shuzheng-scheduler.log"
check "both workers run tasks" bash -c "grep -q SUCCESSFUL '$ROOT/var/log/shuzheng-worker-1.log' && grep -q SUCCESSFUL '$ROOT/var/log/shuzheng-worker-2.log'"

JAR=$ROOT/root/outside-cookies.txt; : >"$JAR"
"${CURL[@]}" -c "$JAR" -b "$JAR" -o /dev/null "$URL/accounts/login/" || true
csrf() { awk '$6 == "csrftoken" {print $7}' "$JAR"; }
STEP1=$("${CURL[@]}" -c "$JAR" -b "$JAR" -e "$URL/accounts/login/" -o /dev/null -D - \
    --data-urlencode "csrfmiddlewaretoken=$(csrf)" --data-urlencode username=admin \
    --data-urlencode "password=$ADMIN_PASSWORD" "$URL/accounts/login/" || true)
check "admin password step accepted (302 to the SMS code step)" grep -qi '^location: /accounts/login/code/' <<<"$STEP1"
sleep 1
CODE=$(grep -o '登录验证码为 [0-9]\{6\}' "$ROOT/var/log/shuzheng-web.log" | tail -n 1 | grep -o '[0-9]\{6\}' || true)
check "login code texted (console SMS backend, web role's log)" test -n "$CODE"
"${CURL[@]}" -c "$JAR" -b "$JAR" -o /dev/null "$URL/accounts/login/code/" || true
STEP2=$("${CURL[@]}" -c "$JAR" -b "$JAR" -e "$URL/accounts/login/code/" -o /dev/null -D - \
    --data-urlencode "csrfmiddlewaretoken=$(csrf)" --data-urlencode "code=$CODE" \
    "$URL/accounts/login/code/" || true)
check "admin signs in with the code (302 to /admin/)" grep -qi '^location: /admin/' <<<"$STEP2"
DEPTS=$("${CURL[@]}" -b "$JAR" "$URL/admin/identity/department/" || true)
check "admin console lists the loaded departments" bash -c "grep -q 肇庆市政务服务和数据管理局 <<<\"\$0\" && grep -q 端州区城东街道便民服务中心 <<<\"\$0\"" "$DEPTS"
TOKEN=$("${CURL[@]}" -H 'Content-Type: application/json' \
    -d "{\"username\": \"admin\", \"password\": \"$ADMIN_PASSWORD\"}" "$URL/api/v1/auth/token" || true)
check "API token for the admin (POST /api/v1/auth/token)" grep -q '"access_token": "sz_' <<<"$TOKEN"

SQL() { in_root "sudo -u postgres psql -d shuzheng -Atc \"$1\" 2>/dev/null" || true; }
COUNTS=$(SQL "select (select count(*) from identity_department), (select count(*) from identity_region), (select count(*) from identity_user where kind = 'staff')")
echo "departments|regions|staff accounts: $COUNTS"
check "4 departments, 5 regions, 5 staff accounts (examples + admin) in the database" test "$COUNTS" = "4|5|5"
check "manage check --deploy clean" grep -q 'System check identified no issues (0 silenced)' "$ROOT/root/check-deploy.txt"
DEMO=$(SQL "select count(*) filter (where username like 'demo%'), count(*) filter (where is_demo) from identity_user")
echo "demo-* usernames | is_demo accounts: $DEMO"
check "no demo account in the users table" test "$DEMO" = "0|0"
SEED=$(in_root '. /root/sz.sh; cd /tmp; sz seed_demo 2>&1 && echo rc=0 || echo "rc=$?"' || true)
echo "$SEED" | head -n 1
check "seed_demo refuses outside demo mode" bash -c "grep -q 'SHUZHENG_DEMO=1' <<<\"\$0\" && ! grep -q 'rc=0' <<<\"\$0\"" "$SEED"
AUDIT=$(in_root '. /root/sz.sh; cd /tmp; sz audit_verify 2>&1' || true)
echo "$AUDIT" | head -n 1
check "audit chain intact" grep -q '审计链完整' <<<"$AUDIT"

echo
if [[ $FAILS == 0 ]]; then echo "ALL PASS"; else echo "$FAILS FAILED"; fi
[[ $KEEP == 1 ]] && echo "left running (--keep); the next '$0 --fresh $ROOT' stops them and starts over"
[[ $FAILS == 0 ]]
