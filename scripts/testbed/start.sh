#!/usr/bin/env bash
# Start the rdpdoctor testbed: xrdp and FreeRDP shadow variants, weston's RDP
# backend, a few non-RDP listeners and the test doubles of doubles.py, all
# bound to 127.0.0.1 (see ports.env and README.md).
#
#   scripts/testbed/start.sh            # state in $REPO/.testbed
#   TESTBED_DIR=/tmp/tb scripts/testbed/start.sh
#
# Environment: TESTBED_DIR (state dir), TESTBED_DISPLAY (Xvfb display number,
# default 98), TESTBED_WAIT (readiness timeout in seconds, default 15),
# TESTBED_REGEN_CERTS=1 (recreate the certificates even if present),
# TESTBED_XRDP_LOGLEVEL (xrdp LogLevel, default INFO; DEBUG logs e.g. the
# client encryption methods but makes each X.224 answer a few ms slower),
# TESTBED_VERBOSE=1 (the readiness wait reports when each port became ready).
# Exits non-zero, naming the server and showing its log tail, if any server
# does not come up. Running it again first stops the previous set.
set -euo pipefail
set +m   # no job control: background children stay out of their own groups,
         # so `setsid` makes each one a new session/group leader without forking

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
TESTBED_DIR=${TESTBED_DIR:-$REPO/.testbed}
mkdir -p "$TESTBED_DIR"
TESTBED_DIR=$(cd "$TESTBED_DIR" && pwd)
export TESTBED_DIR
DISPLAY_NUM=${TESTBED_DISPLAY:-98}
WAIT_TIMEOUT=${TESTBED_WAIT:-15}
XRDP_LOGLEVEL=${TESTBED_XRDP_LOGLEVEL:-INFO}
STOCK_INI=/etc/xrdp/xrdp.ini

# shellcheck source=ports.env
. "$HERE/ports.env"

CERTS=$TESTBED_DIR/certs
XRDP_DIR=$TESTBED_DIR/xrdp
LOGS=$TESTBED_DIR/logs
PIDS=$TESTBED_DIR/pids
SHADOW_HOME=$TESTBED_DIR/shadow-home
WESTON_RUN=$TESTBED_DIR/weston-run   # weston's XDG_RUNTIME_DIR (must be 0700)
T0=$(date +%s%N)

say() { printf 'testbed: %s\n' "$*"; }
die() { printf 'testbed: ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- preflight
for tool in xrdp freerdp-shadow-cli Xvfb weston winpr-hash openssl python3 setsid; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found; run scripts/testbed/install.sh"
done
[ -r "$STOCK_INI" ] || die "$STOCK_INI missing; run scripts/testbed/install.sh"

# Idempotent: stop whatever this state dir started before.
"$HERE/stop.sh" --quiet || die "could not stop the previous set (see above)"
# Interrupted half-way: do not leave a partial set running.
trap 'echo "testbed: interrupted, stopping" >&2; "$HERE/stop.sh" --quiet; exit 130' INT TERM

mkdir -p "$CERTS" "$XRDP_DIR" "$LOGS" "$PIDS" "$SHADOW_HOME/.config/freerdp/shadow" \
         "$TESTBED_DIR/http-root"
rm -f "$LOGS"/*.log "$LOGS"/*.out
# a fresh runtime dir: no stale wayland-N socket or lock from a killed weston
rm -rf "$WESTON_RUN" && mkdir -m 700 "$WESTON_RUN"

ALL_PORTS=(XRDP_NEGOTIATE XRDP_TLS XRDP_EXPIRED XRDP_WRONGNAME XRDP_TESTCA XRDP_TLS10
           XRDP_TLS13 XRDP_RDP_LOW XRDP_RDP_HIGH XRDP_RDP_FIPS XRDP_RDP_NONE
           SHADOW_NLA SHADOW_TLS SHADOW_RDP WESTON CLOSED_PORT HTTP_PORT SILENT_PORT SSH_LIKE_PORT
           SLOW_SINGLE DELAY_PROXY TLS_ONLY_WEB TLS_ONLY_GATEWAY MITM_NLA
           GW_HEALTHY GW_RAP_DENIED GW_NAP_DENIED GW_NOT_FOUND GW_NO_UPGRADE GW_SELFSIGNED GW_BASIC GW_KERBEROS)
specs=() ours=()
for name in "${ALL_PORTS[@]}"; do
    [ -n "${!name:-}" ] || die "ports.env does not define $name"
    specs+=("$name:${!name}:closed")
    ours+=("${!name}")
done
if ! busy=$(python3 "$HERE/probe.py" wait --timeout 0 "${specs[@]}"); then
    die "ports already in use by something else (not this testbed):"$'\n'"$busy"
fi

# The ports sit inside Linux's ephemeral range (32768-60999): any outgoing
# connection on the machine may get one as its local port, and then our
# server cannot bind it (a CI run once failed so, on GW_NO_UPGRADE). Where we
# may (root), reserve them from ephemeral use; then wait briefly for any
# connection already holding one to end. Listeners were checked just above;
# TIME-WAIT leftovers do not matter (every server binds with SO_REUSEADDR).
RESERVED=/proc/sys/net/ipv4/ip_local_reserved_ports
if [ -w "$RESERVED" ]; then
    lo=$(printf '%s\n' "${ours[@]}" | sort -n | head -1)
    hi=$(printf '%s\n' "${ours[@]}" | sort -n | tail -1)
    current=$(cat "$RESERVED")
    case ",$current," in
        *",$lo-$hi,"*) ;;
        *) echo "${current:+$current,}$lo-$hi" > "$RESERVED" ||
               say "could not reserve ports $lo-$hi from ephemeral use (continuing)" ;;
    esac
fi
held_ports() {   # connections (not listeners, not TIME-WAIT) using one of ours locally
    ss -Htan state all exclude listening exclude time-wait 2>/dev/null |
        awk -v list="${ours[*]}" 'BEGIN { n = split(list, p, " "); for (i = 1; i <= n; i++) mine[p[i]] = 1 }
             { port = $4; sub(/.*:/, "", port); if (port in mine) print }'
}
for _ in $(seq 1 50); do
    held=$(held_ports)
    [ -z "$held" ] && break
    sleep 0.2
done
[ -z "$held" ] || die "testbed ports held by other connections for 10 s (ss):"$'\n'"$held"

XLOCK=/tmp/.X$DISPLAY_NUM-lock
if [ -e "$XLOCK" ]; then
    lockpid=$(tr -dc '0-9' < "$XLOCK" || true)
    if [ -n "$lockpid" ] && kill -0 "$lockpid" 2>/dev/null; then
        die "X display :$DISPLAY_NUM is in use (pid $lockpid); set TESTBED_DISPLAY to a free number"
    fi
    rm -f "$XLOCK" "/tmp/.X11-unix/X$DISPLAY_NUM"   # stale lock from a dead server
fi

# ------------------------------------------------------------- certificates
# The marker names the certificate set's version: a state dir made by an older
# start.sh (without e.g. mitm.*) has another marker and is regenerated.
CERTS_MARK=.complete-v2
make_certs() {
    local d=$CERTS
    rm -rf "$d" && mkdir -p "$d/newcerts"
    : > "$d/index.txt"
    openssl rand -hex 8 > "$d/serial"
    cat > "$d/ca.cnf" <<EOF
[ ca ]
default_ca = testca
[ testca ]
dir = $d
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
certificate = \$dir/ca.pem
private_key = \$dir/ca.key
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
preserve = yes
[ policy_any ]
organizationName = optional
commonName = supplied
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = placeholder
[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ server_ext ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = \$ENV::SAN
EOF
    local cnf=$d/ca.cnf k
    export SAN=DNS:placeholder
    # RSA key generation dominates; make the six 2048-bit keys in parallel.
    for k in ca testca-localhost expired wrongname selfsigned mitm; do
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/$k.key" 2>/dev/null &
    done
    wait
    for k in ca testca-localhost expired wrongname selfsigned mitm; do
        [ -s "$d/$k.key" ] || { echo "key generation failed: $k" >&2; return 1; }
    done
    # Test CA, valid 2019-2039 (so the expired leaf lies inside its validity).
    openssl req -new -key "$d/ca.key" -config "$cnf" \
        -subj "/O=rdpdoctor testbed/CN=rdpdoctor Test CA" -out "$d/ca.csr" 2>/dev/null
    openssl ca -batch -notext -config "$cnf" -selfsign -keyfile "$d/ca.key" -in "$d/ca.csr" \
        -extensions ca_ext -startdate 20190101000000Z -enddate 20391231235959Z \
        -out "$d/ca.pem" 2>/dev/null
    # CA-signed leaves: NAME CN SAN STARTDATE ENDDATE
    leaf() {
        openssl req -new -key "$d/$1.key" -config "$cnf" \
            -subj "/O=rdpdoctor testbed/CN=$2" -out "$d/$1.csr" 2>/dev/null
        SAN=$3 openssl ca -batch -notext -config "$cnf" -in "$d/$1.csr" -extensions server_ext \
            -startdate "$4" -enddate "$5" -out "$d/$1.pem" 2>/dev/null
    }
    local now; now=$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)
    leaf testca-localhost localhost "DNS:localhost,IP:127.0.0.1" "$now" 20391231235959Z
    leaf expired localhost "DNS:localhost,IP:127.0.0.1" 20200101000000Z 20210101000000Z
    leaf wrongname wrong.example.test "DNS:wrong.example.test" "$now" 20391231235959Z
    # Self-signed localhost certificate (xrdp negotiate/tls variants, shadow servers).
    openssl req -x509 -key "$d/selfsigned.key" -sha256 -days 3650 -config "$cnf" \
        -out "$d/selfsigned.pem" \
        -subj "/O=rdpdoctor testbed/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -addext "extendedKeyUsage=serverAuth" 2>/dev/null
    # The MITM_NLA double's own self-signed certificate: same names as
    # selfsigned.pem, but another key, so a client that pinned the real
    # server's certificate (or key) can notice the man in the middle.
    openssl req -x509 -key "$d/mitm.key" -sha256 -days 3650 -config "$cnf" \
        -out "$d/mitm.pem" \
        -subj "/O=rdpdoctor testbed mitm/CN=localhost" \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -addext "extendedKeyUsage=serverAuth" 2>/dev/null
    rm -f "$d"/*.csr
    chmod 600 "$d"/*.key
    # (set -e is off inside `make_certs || die`, so check the results here)
    for k in ca testca-localhost expired wrongname selfsigned mitm; do
        [ -s "$d/$k.pem" ] || { echo "certificate missing: $k.pem" >&2; return 1; }
    done
    openssl verify -CAfile "$d/ca.pem" "$d/testca-localhost.pem" "$d/wrongname.pem" >/dev/null ||
        { echo "CA-signed certificates do not verify" >&2; return 1; }
    touch "$d/$CERTS_MARK"
}
if [ "${TESTBED_REGEN_CERTS:-0}" = 1 ] || [ ! -e "$CERTS/$CERTS_MARK" ]; then
    say "creating certificates in $CERTS"
    make_certs || die "certificate generation failed"
fi
cp "$CERTS/ca.pem" "$TESTBED_DIR/ca.pem"
cp "$CERTS/selfsigned.pem" "$SHADOW_HOME/.config/freerdp/shadow/shadow.crt"
cp "$CERTS/selfsigned.key" "$SHADOW_HOME/.config/freerdp/shadow/shadow.key"

# -------------------------------------------------------------- SAM file
{
    winpr-hash -u tester -p Correct-Horse-9 -f sam
    winpr-hash -u alice -d TESTDOM -p Alice-Pass-1 -f sam
} > "$TESTBED_DIR/sam"

# ------------------------------------------------------------ xrdp configs
# xrdp_ini NAME PORT key=value...   (keys replace the [Globals] ones)
xrdp_ini() {
    local name=$1 port=$2; shift 2
    local overrides
    overrides=$(printf '%s\n' "port=tcp://127.0.0.1:$port" "$@")
    awk -v ov="$overrides" -v logfile="$LOGS/$name.log" -v loglevel="$XRDP_LOGLEVEL" '
        BEGIN {
            n = split(ov, lines, "\n")
            for (i = 1; i <= n; i++) { k = lines[i]; sub(/=.*/, "", k); drop[k] = 1 }
        }
        /^\[/ { sect = $0; print; if (sect == "[Globals]") print ov; next }
        {
            key = $0; sub(/^[#;]?[ \t]*/, "", key); sub(/[ \t]*=.*/, "", key)
            if (sect == "[Globals]" && (key in drop) && $0 ~ /^[#]?[ \t]*[A-Za-z_.]+[ \t]*=/) next
            if (sect == "[Logging]" && key == "LogFile") { print "LogFile=" logfile; next }
            if (sect == "[Logging]" && key == "EnableSyslog") { print "EnableSyslog=false"; next }
            if (sect == "[Logging]" && key == "LogLevel") { print "LogLevel=" loglevel; next }
            print
        }' "$STOCK_INI" > "$XRDP_DIR/$name.ini"
    # never listen anywhere but loopback
    if grep -Eq '^[[:space:]]*port[[:space:]]*=[[:space:]]*[0-9]+[[:space:]]*$' <(sed -n '/^\[Globals\]/,/^\[/p' "$XRDP_DIR/$name.ini"); then
        die "generated $name.ini has a bare port= line"
    fi
}
SS_CERT="certificate=$CERTS/selfsigned.pem"; SS_KEY="key_file=$CERTS/selfsigned.key"
xrdp_ini XRDP_NEGOTIATE "$XRDP_NEGOTIATE" security_layer=negotiate crypt_level=high "$SS_CERT" "$SS_KEY"
xrdp_ini XRDP_TLS "$XRDP_TLS" security_layer=tls crypt_level=high "$SS_CERT" "$SS_KEY"
xrdp_ini XRDP_EXPIRED "$XRDP_EXPIRED" security_layer=tls crypt_level=high \
    "certificate=$CERTS/expired.pem" "key_file=$CERTS/expired.key"
xrdp_ini XRDP_WRONGNAME "$XRDP_WRONGNAME" security_layer=tls crypt_level=high \
    "certificate=$CERTS/wrongname.pem" "key_file=$CERTS/wrongname.key"
xrdp_ini XRDP_TESTCA "$XRDP_TESTCA" security_layer=tls crypt_level=high \
    "certificate=$CERTS/testca-localhost.pem" "key_file=$CERTS/testca-localhost.key"
xrdp_ini XRDP_TLS10 "$XRDP_TLS10" security_layer=tls crypt_level=high "$SS_CERT" "$SS_KEY" \
    ssl_protocols=TLSv1 'tls_ciphers=DEFAULT:@SECLEVEL=0'
xrdp_ini XRDP_TLS13 "$XRDP_TLS13" security_layer=tls crypt_level=high "$SS_CERT" "$SS_KEY" \
    ssl_protocols=TLSv1.3
xrdp_ini XRDP_RDP_LOW "$XRDP_RDP_LOW" security_layer=rdp crypt_level=low "$SS_CERT" "$SS_KEY"
xrdp_ini XRDP_RDP_HIGH "$XRDP_RDP_HIGH" security_layer=rdp crypt_level=high "$SS_CERT" "$SS_KEY"
xrdp_ini XRDP_RDP_FIPS "$XRDP_RDP_FIPS" security_layer=rdp crypt_level=fips "$SS_CERT" "$SS_KEY"
xrdp_ini XRDP_RDP_NONE "$XRDP_RDP_NONE" security_layer=rdp crypt_level=none "$SS_CERT" "$SS_KEY"

# ----------------------------------------------------------------- launch
MARK="RDPDOCTOR_TESTBED=$TESTBED_DIR"   # stop.sh finds strays by this env entry
launch() {  # launch NAME [ENV=VALUE...] -- COMMAND...
    local name=$1; shift
    local envs=("$MARK")
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    env "${envs[@]}" setsid "$@" </dev/null >"$LOGS/$name.out" 2>&1 &
    local pid=$!
    echo "$pid" > "$PIDS/$name.pid"
}

for name in XRDP_NEGOTIATE XRDP_TLS XRDP_EXPIRED XRDP_WRONGNAME XRDP_TESTCA XRDP_TLS10 \
            XRDP_TLS13 XRDP_RDP_LOW XRDP_RDP_HIGH XRDP_RDP_FIPS XRDP_RDP_NONE; do
    launch "$name" -- xrdp --nodaemon --config "$XRDP_DIR/$name.ini"
done

launch HTTP_PORT -- python3 "$HERE/fake_servers.py" http "$HTTP_PORT" --root "$TESTBED_DIR/http-root"
launch SILENT_PORT -- python3 "$HERE/fake_servers.py" silent "$SILENT_PORT" --hold 60
launch SSH_LIKE_PORT -- python3 "$HERE/fake_servers.py" ssh "$SSH_LIKE_PORT" --hold 60

# weston's RDP backend (FreeRDP 2 inside): headless, no logon, TLS or standard
# RDP security. It starts weston-keyboard and weston-desktop-shell as children
# (same process group; they inherit the listening socket).
launch WESTON "XDG_RUNTIME_DIR=$WESTON_RUN" -- weston --backend=rdp-backend.so \
    "--rdp-tls-cert=$CERTS/selfsigned.pem" "--rdp-tls-key=$CERTS/selfsigned.key" \
    "--port=$WESTON" --address=127.0.0.1 --no-config

# Test doubles (doubles.py); the relays reach their upstream only on 127.0.0.1.
DOUBLES=(python3 "$HERE/doubles.py")
launch SLOW_SINGLE -- "${DOUBLES[@]}" slow-single "$SLOW_SINGLE" --upstream "$XRDP_NEGOTIATE"
launch DELAY_PROXY -- "${DOUBLES[@]}" delay "$DELAY_PROXY" --upstream "$XRDP_TLS" --delay 1500
launch TLS_ONLY_WEB -- "${DOUBLES[@]}" tls-web "$TLS_ONLY_WEB" \
    --cert "$CERTS/selfsigned.pem" --key "$CERTS/selfsigned.key"
launch TLS_ONLY_GATEWAY -- "${DOUBLES[@]}" tls-gateway "$TLS_ONLY_GATEWAY" \
    --cert "$CERTS/selfsigned.pem" --key "$CERTS/selfsigned.key"
: > "$LOGS/mitm-ntlm.log"
launch MITM_NLA -- "${DOUBLES[@]}" mitm "$MITM_NLA" --upstream "$SHADOW_NLA" \
    --cert "$CERTS/mitm.pem" --key "$CERTS/mitm.key" --log "$LOGS/mitm-ntlm.log"

# The RD Gateway doubles (gateway.py): channels go to 127.0.0.1 only.
GATEWAY=(python3 "$HERE/gateway.py")
TESTCA_TLS=(--cert "$CERTS/testca-localhost.pem" --key "$CERTS/testca-localhost.key")
launch GW_HEALTHY -- "${GATEWAY[@]}" healthy "$GW_HEALTHY" "${TESTCA_TLS[@]}"
launch GW_RAP_DENIED -- "${GATEWAY[@]}" rap-denied "$GW_RAP_DENIED" "${TESTCA_TLS[@]}"
launch GW_NAP_DENIED -- "${GATEWAY[@]}" nap-denied "$GW_NAP_DENIED" "${TESTCA_TLS[@]}"
launch GW_NOT_FOUND -- "${GATEWAY[@]}" not-found "$GW_NOT_FOUND" "${TESTCA_TLS[@]}"
launch GW_NO_UPGRADE -- "${GATEWAY[@]}" no-upgrade "$GW_NO_UPGRADE" "${TESTCA_TLS[@]}"
launch GW_SELFSIGNED -- "${GATEWAY[@]}" healthy "$GW_SELFSIGNED" \
    --cert "$CERTS/selfsigned.pem" --key "$CERTS/selfsigned.key"
launch GW_BASIC -- "${GATEWAY[@]}" basic "$GW_BASIC" "${TESTCA_TLS[@]}"
launch GW_KERBEROS -- "${GATEWAY[@]}" kerberos-only "$GW_KERBEROS" "${TESTCA_TLS[@]}"

launch XVFB -- Xvfb ":$DISPLAY_NUM" -screen 0 1024x768x24 -nolisten tcp -noreset
# the shadow servers need the display: wait for its socket (bounded, 5 s)
for _ in $(seq 50); do
    [ -S "/tmp/.X11-unix/X$DISPLAY_NUM" ] && break
    kill -0 "$(cat "$PIDS/XVFB.pid")" 2>/dev/null || break
    sleep 0.1
done
if [ ! -S "/tmp/.X11-unix/X$DISPLAY_NUM" ]; then
    echo "testbed: ERROR: Xvfb :$DISPLAY_NUM did not come up; log tail:" >&2
    tail -n 20 "$LOGS/XVFB.out" >&2 || true
    "$HERE/stop.sh" --quiet
    exit 1
fi
SHADOW_ENV=("HOME=$SHADOW_HOME" "DISPLAY=:$DISPLAY_NUM")
# freerdp-shadow-cli has been seen to die in the middle of a long suite, after
# which every later test against it failed with "connection refused". It is
# restarted when it exits, and each restart is logged ("testbed: restart") so
# scripts/test.sh can name it at the end of the run.
RESPAWN=(bash -c 'while :; do "$@"; echo "testbed: restart: $1 exited with $? at $(date -u +%T)"; sleep 0.2; done' respawn)
launch SHADOW_NLA "${SHADOW_ENV[@]}" -- "${RESPAWN[@]}" freerdp-shadow-cli /bind-address:127.0.0.1 \
    "/port:$SHADOW_NLA" /sec:nla "/sam-file:$TESTBED_DIR/sam"
launch SHADOW_TLS "${SHADOW_ENV[@]}" -- "${RESPAWN[@]}" freerdp-shadow-cli /bind-address:127.0.0.1 \
    "/port:$SHADOW_TLS" -sec-nla
launch SHADOW_RDP "${SHADOW_ENV[@]}" -- "${RESPAWN[@]}" freerdp-shadow-cli /bind-address:127.0.0.1 \
    "/port:$SHADOW_RDP" /sec:rdp

# ------------------------------------------------------------------- wait
specs=()
for name in XRDP_NEGOTIATE XRDP_TLS XRDP_EXPIRED XRDP_WRONGNAME XRDP_TESTCA XRDP_TLS10 \
            XRDP_TLS13 XRDP_RDP_LOW XRDP_RDP_HIGH XRDP_RDP_FIPS XRDP_RDP_NONE \
            SHADOW_NLA SHADOW_TLS SHADOW_RDP WESTON SLOW_SINGLE DELAY_PROXY MITM_NLA; do
    specs+=("$name:${!name}:rdp")
done
specs+=("HTTP_PORT:$HTTP_PORT:http" "SILENT_PORT:$SILENT_PORT:silent"
        "SSH_LIKE_PORT:$SSH_LIKE_PORT:banner" "CLOSED_PORT:$CLOSED_PORT:closed"
        "TLS_ONLY_WEB:$TLS_ONLY_WEB:https" "TLS_ONLY_GATEWAY:$TLS_ONLY_GATEWAY:https")
for name in GW_HEALTHY GW_RAP_DENIED GW_NAP_DENIED GW_NOT_FOUND GW_NO_UPGRADE GW_SELFSIGNED GW_BASIC GW_KERBEROS; do
    specs+=("$name:${!name}:https")
done
verbose=()
[ "${TESTBED_VERBOSE:-0}" = 1 ] && verbose=(--verbose)
if ! failed=$(python3 "$HERE/probe.py" wait --timeout "$WAIT_TIMEOUT" --pid-dir "$PIDS" "${verbose[@]}" "${specs[@]}"); then
    echo "testbed: ERROR: servers not ready (timeout ${WAIT_TIMEOUT}s):" >&2
    while read -r name port kind; do
        [ -n "$name" ] || continue
        state="not running"
        if [ -e "$PIDS/$name.pid" ] && kill -0 "$(cat "$PIDS/$name.pid")" 2>/dev/null; then
            state="running"
        fi
        echo "--- $name (127.0.0.1:$port, expected $kind; process $state)" >&2
        if [ "$name" = CLOSED_PORT ]; then
            echo "    something accepts connections on a port that must stay closed" >&2
            continue
        fi
        for f in "$LOGS/$name.out" "$LOGS/$name.log"; do
            [ -s "$f" ] && { echo "    tail of $f:" >&2; tail -n 15 "$f" | sed 's/^/    /' >&2; }
        done
    done <<< "$failed"
    "$HERE/stop.sh" --quiet
    exit 1
fi

# Sanity check: each recorded pid leads its own process group (stop.sh kills
# the groups, which also ends xrdp's per-connection children).
for f in "$PIDS"/*.pid; do
    pid=$(cat "$f")
    pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ' || true)
    [ "$pgid" = "$pid" ] || say "warning: $(basename "$f" .pid) pid $pid has pgid '$pgid'"
done

ms=$(( ($(date +%s%N) - T0) / 1000000 ))
say "all servers up in $((ms / 1000)).$(printf '%03d' $((ms % 1000)))s; state in $TESTBED_DIR"
