#!/usr/bin/env bash
# Bring up the rdpdoctor network lab: three network namespaces
#   rdpd-client (10.231.1.1) -- rdpd-router -- rdpd-server (10.231.2.1)
# with optional faults in the router, and real servers in rdpd-server:
#   xrdp (negotiate, self-signed)  10.231.2.1:3389
#   FreeRDP shadow server (NLA)    10.231.2.1:3390   user tester / Correct-Horse-9
#   python HTTP                    10.231.2.1:8080
#   python TCP echo                10.231.2.1:8081
# See README.md. Runs down.sh first, so calling it again replaces the lab.
#
# usage: scripts/netlab/up.sh [options]
#   --delay-ms N          add N ms one-way delay in each direction (RTT + 2N)
#   --jitter-ms J         +-J ms uniform jitter on each packet's delay (needs --delay-ms >= J)
#   --reorder             let jitter reorder packets (default: each direction stays in order)
#   --seed S              random seed for the jitter
#   --loss P              drop forwarded packets with probability P (0 < P < 1)
#   --loss-dir D          both (default) | to-client | to-server
#   --mtu-blackhole MTU   the router's link toward the client gets MTU (e.g. 1280) and the
#                         router drops its ICMP fragmentation-needed: a PMTU black hole
#   --reset-after-x224    the client's first data after the server's X.224 Connection Confirm
#                         (its TLS ClientHello) is dropped and both ends get a TCP reset
#   --reset-during-tls    the server's first TLS segment is cut after its first record
#                         (ServerHello), then both ends get a TCP reset
#   --zero-window         after the server's X.224 Connection Confirm, every segment from the
#                         server advertises a TCP window of 0: a server that answered, then
#                         stopped reading (the client can send nothing more)
#   --drop-port P         silently drop SYNs to port P (repeatable)
#   --no-rdp              do not start xrdp / Xvfb / the shadow server (faster; HTTP+echo only)
#   --max-seconds S       lifetime of the relay (default 7200); afterwards the delayed path
#                         stops working, as if the link were cut
# Environment: NETLAB_DIR (state, default $REPO/.netlab), NETLAB_DISPLAY (Xvfb display
# number, default 97), NETLAB_WAIT (readiness timeout, default 20 s).
# Exits non-zero naming what failed (and tears the partial lab down).
set -euo pipefail
set +m   # no job control: `setsid` then makes each server a group leader without forking

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
NETLAB_DIR=${NETLAB_DIR:-$REPO/.netlab}
DISPLAY_NUM=${NETLAB_DISPLAY:-97}
WAIT_TIMEOUT=${NETLAB_WAIT:-20}
STOCK_INI=/etc/xrdp/xrdp.ini
# shellcheck source=netlab.env
. "$HERE/netlab.env"
C=$NETLAB_CLIENT_NS R=$NETLAB_ROUTER_NS S=$NETLAB_SERVER_NS
T0=$(date +%s%N)

say() { printf 'netlab: %s\n' "$*"; }
die() { printf 'netlab: ERROR: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

# ------------------------------------------------------------------ options
DELAY_MS=0 JITTER_MS=0 REORDER=0 SEED="" LOSS="" LOSS_DIR=both MTU_BH="" RESET_X224=0
RESET_TLS=0 ZERO_WINDOW=0 DROP_PORTS=() NO_RDP=0 MAX_SECONDS=7200
num() { [[ $2 =~ ^[0-9]+([.][0-9]+)?$ ]] || die "$1 needs a non-negative number, got '$2'"; }
int() { [[ $2 =~ ^[0-9]+$ ]] || die "$1 needs an integer, got '$2'"; }
while [ $# -gt 0 ]; do
    case $1 in
        --delay-ms) num "$1" "${2:-}"; DELAY_MS=$2; shift 2 ;;
        --jitter-ms) num "$1" "${2:-}"; JITTER_MS=$2; shift 2 ;;
        --reorder) REORDER=1; shift ;;
        --seed) int "$1" "${2:-}"; SEED=$2; shift 2 ;;
        --loss) num "$1" "${2:-}"; LOSS=$2; shift 2 ;;
        --loss-dir) LOSS_DIR=${2:-}; shift 2 ;;
        --mtu-blackhole) int "$1" "${2:-}"; MTU_BH=$2; shift 2 ;;
        --reset-after-x224) RESET_X224=1; shift ;;
        --reset-during-tls) RESET_TLS=1; shift ;;
        --zero-window) ZERO_WINDOW=1; shift ;;
        --drop-port) int "$1" "${2:-}"; DROP_PORTS+=("$2"); shift 2 ;;
        --no-rdp) NO_RDP=1; shift ;;
        --max-seconds) int "$1" "${2:-}"; MAX_SECONDS=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done
awk -v d="$DELAY_MS" -v j="$JITTER_MS" 'BEGIN { exit !(j <= d) }' ||
    die "--jitter-ms ($JITTER_MS) must not exceed --delay-ms ($DELAY_MS)"
awk -v d="$DELAY_MS" 'BEGIN { exit !(d <= 10000) }' || die "--delay-ms must be <= 10000"
if [ -n "$LOSS" ]; then
    awk -v p="$LOSS" 'BEGIN { exit !(p > 0 && p < 1) }' || die "--loss must be in (0, 1), got $LOSS"
fi
case $LOSS_DIR in both|to-client|to-server) ;; *) die "--loss-dir must be both, to-client or to-server" ;; esac
if [ -n "$MTU_BH" ] && { [ "$MTU_BH" -lt 576 ] || [ "$MTU_BH" -gt 1499 ]; }; then
    die "--mtu-blackhole must be 576..1499"
fi
[ "$RESET_X224$RESET_TLS" = 11 ] && die "--reset-after-x224 and --reset-during-tls exclude each other"
[ "$ZERO_WINDOW" = 1 ] && [ "$RESET_X224$RESET_TLS" != 00 ] && die "--zero-window excludes the reset faults"
for p in "${DROP_PORTS[@]}"; do [ "$p" -ge 1 ] && [ "$p" -le 65535 ] || die "bad --drop-port $p"; done
[ "$MAX_SECONDS" -ge 10 ] || die "--max-seconds must be >= 10"
USE_DELAY=$(awk -v d="$DELAY_MS" 'BEGIN { print (d > 0) ? 1 : 0 }')

# ---------------------------------------------------------------- preflight
[ "$(id -u)" = 0 ] || die "must run as root (network namespaces, iptables)"
need=(ip iptables python3 setsid openssl)
[ "$NO_RDP" = 1 ] || need+=(xrdp freerdp-shadow-cli Xvfb winpr-hash)
for tool in "${need[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found; run scripts/testbed/install.sh"
done
[ "$NO_RDP" = 1 ] || [ -r "$STOCK_INI" ] || die "$STOCK_INI missing; run scripts/testbed/install.sh"

mkdir -p "$NETLAB_DIR"
NETLAB_DIR=$(cd "$NETLAB_DIR" && pwd)
export NETLAB_DIR
"$HERE/down.sh" --quiet || die "could not tear down the previous lab (see above)"

LOGS=$NETLAB_DIR/logs PIDS=$NETLAB_DIR/pids CERTS=$NETLAB_DIR/certs
SHADOW_HOME=$NETLAB_DIR/shadow-home
mkdir -p "$LOGS" "$PIDS" "$CERTS" "$SHADOW_HOME/.config/freerdp/shadow" "$NETLAB_DIR/xrdp"
printf '*\n' > "$NETLAB_DIR/.gitignore"   # the state dir never shows up in git status
rm -f "$LOGS"/* "$NETLAB_DIR/state.env"

fail() {  # tear down and exit non-zero
    printf 'netlab: ERROR: %s\n' "$*" >&2
    UP_DONE=failed
    "$HERE/down.sh" --quiet || true
    exit 1
}
trap 'echo "netlab: interrupted, tearing down" >&2; UP_DONE=interrupted; "$HERE/down.sh" --quiet; exit 130' INT TERM
trap 'FAILED_AT="line $LINENO: $BASH_COMMAND"' ERR
trap 'rc=$?; if [ $rc -ne 0 ] && [ -z "${UP_DONE:-}" ]; then
        echo "netlab: ERROR: up.sh failed at ${FAILED_AT:-?} (exit $rc); tearing down" >&2
        "$HERE/down.sh" --quiet || true; fi' EXIT

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ------------------------------------------------------------ namespaces
for ns in "$C" "$R" "$S"; do
    ip netns add "$ns" || fail "ip netns add $ns"
    nsx "$ns" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6;
                     echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6' 2>/dev/null || true
    ip -n "$ns" link set lo up
done
# veth pairs are created directly inside the namespaces: nothing ever
# appears in the host's namespace.
ip -n "$C" link add "$NETLAB_CLIENT_IF" type veth peer name "$NETLAB_ROUTER_CLIENT_IF" netns "$R" ||
    fail "creating the client veth pair"
ip -n "$S" link add "$NETLAB_SERVER_IF" type veth peer name "$NETLAB_ROUTER_SERVER_IF" netns "$R" ||
    fail "creating the server veth pair"
ip -n "$C" addr add "$NETLAB_CLIENT_IP/24" dev "$NETLAB_CLIENT_IF"
ip -n "$R" addr add "$NETLAB_ROUTER_CLIENT_IP/24" dev "$NETLAB_ROUTER_CLIENT_IF"
ip -n "$R" addr add "$NETLAB_ROUTER_SERVER_IP/24" dev "$NETLAB_ROUTER_SERVER_IF"
ip -n "$S" addr add "$NETLAB_SERVER_IP/24" dev "$NETLAB_SERVER_IF"
for pair in "$C:$NETLAB_CLIENT_IF" "$R:$NETLAB_ROUTER_CLIENT_IF" "$R:$NETLAB_ROUTER_SERVER_IF" \
            "$S:$NETLAB_SERVER_IF"; do
    ip -n "${pair%%:*}" link set "${pair#*:}" up
done
# Only the lab prefix is routed: anything else is "network unreachable" at once.
ip -n "$C" route add 10.231.0.0/16 via "$NETLAB_ROUTER_CLIENT_IP"
ip -n "$S" route add 10.231.0.0/16 via "$NETLAB_ROUTER_SERVER_IP"
ip -n "$R" route add blackhole "${NETLAB_SILENT_HOST%.*}.0/24"
ip -n "$R" route add unreachable "${NETLAB_UNREACHABLE_HOST%.*}.0/24"
nsx "$R" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward' || fail "enabling ip_forward in $R"
# Names for commands run through `ip netns exec rdpd-client` (exec.sh): ip-netns
# bind-mounts /etc/netns/NS/hosts over /etc/hosts for them. DNS itself fails at
# once in the lab (no route to any name server).
mkdir -p "/etc/netns/$C"
printf '%s\n' "# written by rdpdoctor scripts/netlab/up.sh; removed by down.sh" \
    "127.0.0.1 localhost" "$NETLAB_CLIENT_IP rdpd-client" "$NETLAB_SERVER_IP rdpd-server" \
    > "/etc/netns/$C/hosts"

# ------------------------------------------------------------------- faults
IPT="ip netns exec $R iptables -w"
$IPT -N RDPD_FWD
$IPT -A FORWARD -j RDPD_FWD
TO_SERVER=(-i "$NETLAB_ROUTER_CLIENT_IF" -o "$NETLAB_ROUTER_SERVER_IF")
TO_CLIENT=(-i "$NETLAB_ROUTER_SERVER_IF" -o "$NETLAB_ROUTER_CLIENT_IF")
# u32: skip the IP header, skip the TCP header, then look at the payload.
U32_TPKT='0>>22&0x3C@12>>26&0x3C@0>>16=0x0300'     # payload starts 03 00 (TPKT)
U32_TLS='0>>22&0x3C@12>>26&0x3C@0>>16=0x1603'      # payload starts 16 03 (TLS handshake record)
U32_DATA='0>>22&0x3C@12>>26&0x3C@0>>24=0:255'      # the segment carries (>= 4 bytes of) payload

for p in "${DROP_PORTS[@]}"; do
    $IPT -A RDPD_FWD "${TO_SERVER[@]}" -p tcp --syn --dport "$p" -j DROP
done
if [ "$RESET_X224" = 1 ] || [ "$RESET_TLS" = 1 ] || [ "$ZERO_WINDOW" = 1 ]; then
    # conntrack mark bits 0x3: 1 = the server sent its first TPKT (X.224 CC), 2 = reset done
    $IPT -A RDPD_FWD -p tcp -m connmark --mark 0x2/0x3 -j DROP
    $IPT -A RDPD_FWD "${TO_CLIENT[@]}" -p tcp -m connmark --mark 0x0/0x3 \
        -m u32 --u32 "$U32_TPKT" -j CONNMARK --set-xmark 0x1/0x3
fi
if [ "$RESET_X224" = 1 ]; then
    # The client's next data segment (TLS ClientHello, or MCS Connect Initial) goes
    # to the relay (queue 2), which drops it and sends a RST to both ends.
    $IPT -N RDPD_X224RST
    $IPT -A RDPD_X224RST -j CONNMARK --set-xmark 0x2/0x3
    $IPT -A RDPD_X224RST -j NFQUEUE --queue-num 2
    $IPT -A RDPD_FWD "${TO_SERVER[@]}" -p tcp -m connmark --mark 0x1/0x3 \
        -m u32 --u32 "$U32_DATA" -j RDPD_X224RST
fi
if [ "$RESET_TLS" = 1 ]; then
    # The server's first TLS record goes to the relay (queue 1), which cuts the
    # segment after that record and injects RSTs to both ends.
    $IPT -N RDPD_TLSRST
    $IPT -A RDPD_TLSRST -j CONNMARK --set-xmark 0x2/0x3
    $IPT -A RDPD_TLSRST -j NFQUEUE --queue-num 1
    $IPT -A RDPD_FWD "${TO_CLIENT[@]}" -p tcp -m connmark --mark 0x1/0x3 \
        -m u32 --u32 "$U32_TLS" -j RDPD_TLSRST
fi
if [ "$ZERO_WINDOW" = 1 ]; then
    # From the X.224 Connection Confirm on (that segment included: the mark is set
    # just above), the server's segments go to the relay (queue 3), which sets
    # their TCP window to 0.
    $IPT -A RDPD_FWD "${TO_CLIENT[@]}" -p tcp -m connmark --mark 0x1/0x3 -j NFQUEUE --queue-num 3
fi
if [ -n "$LOSS" ]; then
    case $LOSS_DIR in
        both) $IPT -A RDPD_FWD -m statistic --mode random --probability "$LOSS" -j DROP ;;
        to-client) $IPT -A RDPD_FWD "${TO_CLIENT[@]}" -m statistic --mode random --probability "$LOSS" -j DROP ;;
        to-server) $IPT -A RDPD_FWD "${TO_SERVER[@]}" -m statistic --mode random --probability "$LOSS" -j DROP ;;
    esac
fi
if [ -n "$MTU_BH" ]; then
    ip -n "$R" link set "$NETLAB_ROUTER_CLIENT_IF" mtu "$MTU_BH"
    $IPT -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP
    for ns in "$C" "$R" "$S"; do ip -n "$ns" route flush cache 2>/dev/null || true; done
    nsx "$S" sh -c 'echo 0 > /proc/sys/net/ipv4/tcp_mtu_probing'   # the kernel default, made explicit
fi

# ---------------------------------------------------------- process launch
MARK="RDPDOCTOR_NETLAB=$NETLAB_DIR"   # down.sh also finds strays by this env entry
launch() {  # launch NS NAME [ENV=VALUE...] -- COMMAND...
    local ns=$1 name=$2; shift 2
    local envs=("$MARK")
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    ip netns exec "$ns" env "${envs[@]}" setsid "$@" </dev/null >"$LOGS/$name.out" 2>&1 &
    echo $! > "$PIDS/$name.pid"
}
tail_log() { for f in "$LOGS/$1.out" "$LOGS/$1.log"; do
    [ -s "$f" ] && { echo "    tail of $f:" >&2; tail -n 15 "$f" | sed 's/^/    /' >&2; }; done; return 0; }

# ------------------------------------------------------------ delay relay
if [ "$USE_DELAY" = 1 ] || [ "$RESET_TLS" = 1 ] || [ "$RESET_X224" = 1 ] || [ "$ZERO_WINDOW" = 1 ]; then
    relay_args=(--max-seconds "$MAX_SECONDS" --ready-file "$NETLAB_DIR/relay.ready"
                --stats-file "$NETLAB_DIR/relay.stats")
    [ "$USE_DELAY" = 1 ] && relay_args+=(--delay-queue 0 --delay-ms "$DELAY_MS" --jitter-ms "$JITTER_MS")
    [ "$RESET_TLS" = 1 ] && relay_args+=(--tls-reset-queue 1)
    [ "$RESET_X224" = 1 ] && relay_args+=(--drop-reset-queue 2)
    [ "$ZERO_WINDOW" = 1 ] && relay_args+=(--zero-window-queue 3)
    [ "$REORDER" = 1 ] && relay_args+=(--reorder)
    [ -n "$SEED" ] && relay_args+=(--seed "$SEED")
    rm -f "$NETLAB_DIR/relay.ready" "$NETLAB_DIR/relay.stats"
    launch "$R" relay -- python3 "$HERE/relay.py" "${relay_args[@]}"
    for _ in $(seq 50); do
        [ -e "$NETLAB_DIR/relay.ready" ] && break
        kill -0 "$(cat "$PIDS/relay.pid")" 2>/dev/null || break
        sleep 0.1
    done
    if [ ! -e "$NETLAB_DIR/relay.ready" ]; then
        tail_log relay
        fail "the relay (relay.py, NFQUEUE) did not start"
    fi
    if [ "$USE_DELAY" = 1 ]; then
        # Everything that crosses the client link, both ways, including the
        # router's own packets (RSTs it sends, ICMP errors): mangle hooks.
        $IPT -t mangle -A PREROUTING -i "$NETLAB_ROUTER_CLIENT_IF" -j NFQUEUE --queue-num 0
        $IPT -t mangle -A POSTROUTING -o "$NETLAB_ROUTER_CLIENT_IF" -j NFQUEUE --queue-num 0
    fi
fi

# ------------------------------------------------------------- servers
SERVICES=()
launch "$S" http -- python3 "$HERE/lab.py" serve http "$NETLAB_SERVER_IP" "$NETLAB_HTTP_PORT" \
    --root "$NETLAB_DIR/http-root"
launch "$S" echo -- python3 "$HERE/lab.py" serve echo "$NETLAB_SERVER_IP" "$NETLAB_ECHO_PORT"
SERVICES+=("http:$NETLAB_SERVER_IP:$NETLAB_HTTP_PORT:http" "echo:$NETLAB_SERVER_IP:$NETLAB_ECHO_PORT:echo")

if [ "$NO_RDP" = 0 ]; then
    # certificate: self-signed, CN=rdpd-server, SAN IP:10.231.2.1 (made once, kept)
    if [ ! -s "$CERTS/server.pem" ] || [ ! -s "$CERTS/server.key" ]; then
        say "creating a self-signed certificate in $CERTS"
        openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
            -keyout "$CERTS/server.key" -out "$CERTS/server.pem" \
            -subj "/O=rdpdoctor netlab/CN=rdpd-server" \
            -addext "subjectAltName=DNS:rdpd-server,IP:$NETLAB_SERVER_IP" \
            -addext "extendedKeyUsage=serverAuth" 2>"$LOGS/openssl.out" ||
            { tail_log openssl; fail "certificate generation failed"; }
        chmod 600 "$CERTS/server.key"
    fi
    cp "$CERTS/server.pem" "$SHADOW_HOME/.config/freerdp/shadow/shadow.crt"
    cp "$CERTS/server.key" "$SHADOW_HOME/.config/freerdp/shadow/shadow.key"
    winpr-hash -u tester -p Correct-Horse-9 -f sam > "$NETLAB_DIR/sam" || fail "winpr-hash failed"

    # xrdp ini: the stock file with [Globals] keys replaced (as scripts/testbed does)
    XRDP_INI=$NETLAB_DIR/xrdp/xrdp.ini
    overrides=$(printf '%s\n' "port=tcp://$NETLAB_SERVER_IP:$NETLAB_XRDP_PORT" \
        security_layer=negotiate crypt_level=high "certificate=$CERTS/server.pem" \
        "key_file=$CERTS/server.key")
    awk -v ov="$overrides" -v logfile="$LOGS/xrdp.log" '
        BEGIN { n = split(ov, lines, "\n")
                for (i = 1; i <= n; i++) { k = lines[i]; sub(/=.*/, "", k); drop[k] = 1 } }
        /^\[/ { sect = $0; print; if (sect == "[Globals]") print ov; next }
        { key = $0; sub(/^[#;]?[ \t]*/, "", key); sub(/[ \t]*=.*/, "", key)
          if (sect == "[Globals]" && (key in drop) && $0 ~ /^[#]?[ \t]*[A-Za-z_.]+[ \t]*=/) next
          if (sect == "[Logging]" && key == "LogFile") { print "LogFile=" logfile; next }
          if (sect == "[Logging]" && key == "EnableSyslog") { print "EnableSyslog=false"; next }
          print }' "$STOCK_INI" > "$XRDP_INI"
    grep -q "^port=tcp://$NETLAB_SERVER_IP:$NETLAB_XRDP_PORT\$" "$XRDP_INI" || fail "bad generated $XRDP_INI"
    launch "$S" xrdp -- xrdp --nodaemon --config "$XRDP_INI"

    XLOCK=/tmp/.X$DISPLAY_NUM-lock
    if [ -e "$XLOCK" ]; then
        lockpid=$(tr -dc '0-9' < "$XLOCK" || true)
        if [ -n "$lockpid" ] && kill -0 "$lockpid" 2>/dev/null; then
            fail "X display :$DISPLAY_NUM is in use (pid $lockpid); set NETLAB_DISPLAY to a free number"
        fi
        rm -f "$XLOCK" "/tmp/.X11-unix/X$DISPLAY_NUM"
    fi
    launch "$S" xvfb -- Xvfb ":$DISPLAY_NUM" -screen 0 1024x768x24 -nolisten tcp -noreset
    for _ in $(seq 50); do
        [ -S "/tmp/.X11-unix/X$DISPLAY_NUM" ] && break
        kill -0 "$(cat "$PIDS/xvfb.pid")" 2>/dev/null || break
        sleep 0.1
    done
    [ -S "/tmp/.X11-unix/X$DISPLAY_NUM" ] || { tail_log xvfb; fail "Xvfb :$DISPLAY_NUM did not come up"; }
    launch "$S" shadow "HOME=$SHADOW_HOME" "DISPLAY=:$DISPLAY_NUM" -- freerdp-shadow-cli \
        "/bind-address:$NETLAB_SERVER_IP" "/port:$NETLAB_SHADOW_NLA_PORT" /sec:nla \
        "/sam-file:$NETLAB_DIR/sam"
    SERVICES+=("xrdp:$NETLAB_SERVER_IP:$NETLAB_XRDP_PORT:rdp"
               "shadow:$NETLAB_SERVER_IP:$NETLAB_SHADOW_NLA_PORT:rdp")
fi

# ---------------------------------------------------------------- wait
# Readiness is checked from inside rdpd-server (the faults are in the router).
if ! notready=$(nsx "$S" python3 "$HERE/lab.py" wait -W "$WAIT_TIMEOUT" --pid-dir "$PIDS" "${SERVICES[@]}"); then
    echo "netlab: ERROR: not ready after ${WAIT_TIMEOUT}s:" >&2
    while read -r name rest; do
        [ -n "$name" ] || continue
        echo "--- $name $rest" >&2
        tail_log "$name"
    done <<< "$notready"
    fail "server(s) not ready: $(awk '{print $1}' <<< "$notready" | tr '\n' ' ')"
fi
# And the path through the router, from the client (ICMP is not touched by the
# port/reset faults; with loss a few replies are enough). Bounded: 20 probes.
wait_s=$(awk -v d="$DELAY_MS" -v j="$JITTER_MS" 'BEGIN { printf "%.2f", 1 + 4 * (d + j) / 1000 }')
if ! pathcheck=$(nsx "$C" python3 "$HERE/lab.py" ping "$NETLAB_SERVER_IP" -c 20 -i 0.02 -W "$wait_s"); then
    fail "no ICMP echo reply from $NETLAB_SERVER_IP through the router ($pathcheck)"
fi
if [ -e "$PIDS/relay.pid" ] && ! kill -0 "$(cat "$PIDS/relay.pid")" 2>/dev/null; then
    tail_log relay
    fail "the relay exited"
fi

# ---------------------------------------------------------------- state
{
    echo "# written by up.sh $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    cat "$HERE/netlab.env" | grep -E '^NETLAB_[A-Z_]+='
    echo "NETLAB_DIR=$NETLAB_DIR"
    echo "NETLAB_DELAY_MS=$DELAY_MS"
    echo "NETLAB_JITTER_MS=$JITTER_MS"
    echo "NETLAB_REORDER=$REORDER"
    echo "NETLAB_LOSS=${LOSS:-0}"
    echo "NETLAB_LOSS_DIR=$LOSS_DIR"
    echo "NETLAB_MTU_BLACKHOLE=${MTU_BH:-0}"
    echo "NETLAB_RESET_AFTER_X224=$RESET_X224"
    echo "NETLAB_RESET_DURING_TLS=$RESET_TLS"
    echo "NETLAB_ZERO_WINDOW=$ZERO_WINDOW"
    echo "NETLAB_DROP_PORTS=${DROP_PORTS[*]:-}"
    echo "NETLAB_RDP=$((1 - NO_RDP))"
} > "$NETLAB_DIR/state.env"

ms=$(( ($(date +%s%N) - T0) / 1000000 ))
faults=()
[ "$USE_DELAY" = 1 ] && faults+=("delay ${DELAY_MS}ms/dir jitter ±${JITTER_MS}ms$([ "$REORDER" = 1 ] && echo ' (reorder)' || true)")
[ -n "$LOSS" ] && faults+=("loss $LOSS ($LOSS_DIR)")
[ -n "$MTU_BH" ] && faults+=("PMTU black hole (MTU $MTU_BH toward the client)")
[ "$RESET_X224" = 1 ] && faults+=("reset after X.224")
[ "$RESET_TLS" = 1 ] && faults+=("reset during TLS")
[ "$ZERO_WINDOW" = 1 ] && faults+=("zero window after X.224")
for p in "${DROP_PORTS[@]}"; do faults+=("SYNs to port $p dropped"); done
say "up in $((ms / 1000)).$(printf '%03d' $((ms % 1000)))s; state in $NETLAB_DIR"
faults_text=$(IFS=";"; echo "${faults[*]:-none}" | sed "s/;/; /g")
say "faults: $faults_text"
say "client $NETLAB_CLIENT_IP (ns $C)  ->  router ($R)  ->  server $NETLAB_SERVER_IP (ns $S)"
if [ "$NO_RDP" = 0 ]; then
    say "  xrdp negotiate, self-signed  $NETLAB_SERVER_IP:$NETLAB_XRDP_PORT"
    say "  shadow NLA (tester/Correct-Horse-9)  $NETLAB_SERVER_IP:$NETLAB_SHADOW_NLA_PORT"
fi
say "  http $NETLAB_SERVER_IP:$NETLAB_HTTP_PORT   echo $NETLAB_SERVER_IP:$NETLAB_ECHO_PORT   closed $NETLAB_SERVER_IP:$NETLAB_CLOSED_PORT"
say "  silent host $NETLAB_SILENT_HOST   unreachable $NETLAB_UNREACHABLE_HOST   down host $NETLAB_DOWN_HOST"
say "run a client:  scripts/netlab/exec.sh CMD...   tear down:  scripts/netlab/down.sh"
UP_DONE=1
