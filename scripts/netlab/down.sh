#!/usr/bin/env bash
# Tear the rdpdoctor network lab down: stop every process it started (servers,
# Xvfb, relay, and anything else still running inside its namespaces), then
# delete the namespaces (which removes the veth links, addresses, routes and
# iptables rules with them). Idempotent; safe to run when nothing is up.
#
#   scripts/netlab/down.sh [--quiet]
#
# Processes are found three ways, and only these are signalled:
#   - the process groups recorded in $NETLAB_DIR/pids/*.pid (if still ours),
#   - every pid inside the lab namespaces (`ip netns pids rdpd-...`),
#   - any process whose environment holds RDPDOCTOR_NETLAB=$NETLAB_DIR.
# SIGTERM first, SIGKILL after 3 s. Exits non-zero if anything is left.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
NETLAB_DIR=${NETLAB_DIR:-$REPO/.netlab}
# shellcheck source=netlab.env
. "$HERE/netlab.env"
QUIET=0
[ "${1:-}" = "--quiet" ] && QUIET=1
say() { [ "$QUIET" = 1 ] || printf 'netlab: %s\n' "$*"; }

if [ -d "$NETLAB_DIR" ]; then
    NETLAB_DIR=$(cd "$NETLAB_DIR" && pwd)
else
    case "$NETLAB_DIR" in /*) ;; *) NETLAB_DIR=$PWD/$NETLAB_DIR ;; esac
fi
PIDS=$NETLAB_DIR/pids
MARK="RDPDOCTOR_NETLAB=$NETLAB_DIR"
NAMESPACES=("$NETLAB_CLIENT_NS" "$NETLAB_ROUTER_NS" "$NETLAB_SERVER_NS")

ns_exists() { [ -e "/run/netns/$1" ]; }

# pids inside our namespaces plus pids carrying our marker (never ourselves)
lab_pids() {
    {
        for ns in "${NAMESPACES[@]}"; do
            ns_exists "$ns" && ip netns pids "$ns" 2>/dev/null
        done
        grep -lzxF -- "$MARK" /proc/[0-9]*/environ 2>/dev/null |
            sed -n 's|^/proc/\([0-9]*\)/environ$|\1|p'
    } | grep -E '^[0-9]+$' | grep -vxF -e "$$" -e "$BASHPID" | sort -un || true
}
# a live (non-zombie) process?
alive() { [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ]; }
live_lab_pids() { for p in $(lab_pids); do alive "$p" && echo "$p"; done; return 0; }

recorded=$(cat "$PIDS"/*.pid 2>/dev/null || true)
targets=$(live_lab_pids)
xvfb_pid=""
[ -f "$PIDS/xvfb.pid" ] && xvfb_pid=$(cat "$PIDS/xvfb.pid")

if [ -n "$targets" ]; then
    say "stopping $(wc -w <<< "$targets") process(es)"
    # whole groups when the group leader is one we recorded (xrdp's children)
    for pid in $targets; do
        pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')
        if [ -n "$pgid" ] && grep -qxF "$pgid" <<< "$recorded"; then
            kill -TERM -- "-$pgid" 2>/dev/null
        fi
        kill -TERM "$pid" 2>/dev/null
    done
    for _ in $(seq 30); do
        [ -z "$(live_lab_pids)" ] && break
        sleep 0.1
    done
    left=$(live_lab_pids)
    if [ -n "$left" ]; then
        say "escalating to SIGKILL for: $(echo $left)"
        for pid in $left; do kill -KILL "$pid" 2>/dev/null; done
        for _ in $(seq 20); do
            [ -z "$(live_lab_pids)" ] && break
            sleep 0.1
        done
    fi
fi

# Xvfb removes its lock on SIGTERM; after a SIGKILL remove the stale lock, but
# only when it names the Xvfb this lab started.
if [ -n "$xvfb_pid" ] && ! alive "$xvfb_pid"; then
    for lock in /tmp/.X[0-9]*-lock; do
        [ -e "$lock" ] || continue
        if [ "$(tr -dc '0-9' < "$lock")" = "$xvfb_pid" ]; then
            n=${lock#/tmp/.X}; n=${n%-lock}
            rm -f "$lock" "/tmp/.X11-unix/X$n"
        fi
    done
fi

left=$(live_lab_pids)
if [ -n "$left" ]; then
    echo "netlab: ERROR: still running after SIGKILL:" >&2
    for pid in $left; do ps -o pid=,pgid=,args= -p "$pid" >&2; done
    exit 1
fi

# Deleting a namespace removes its veth ends (and so the peers), its
# addresses, routes and iptables rules.
deleted=0
for ns in "${NAMESPACES[@]}"; do
    if ns_exists "$ns"; then
        ip netns del "$ns" 2>/dev/null || { echo "netlab: ERROR: ip netns del $ns failed" >&2; exit 1; }
        deleted=$((deleted + 1))
    fi
done
for ns in "${NAMESPACES[@]}"; do
    if ns_exists "$ns" || ip netns list 2>/dev/null | grep -qw "^$ns"; then
        echo "netlab: ERROR: namespace $ns still exists" >&2
        exit 1
    fi
done
[ "$deleted" -gt 0 ] && say "deleted $deleted namespace(s)"

# Killed processes stay zombies until init reaps them (about 1.3 s here);
# wait a little so that `pgrep` shows nothing once we return.
for _ in $(seq 50); do
    z=""
    for pid in $recorded $targets; do [ -e "/proc/$pid" ] && z="$z $pid"; done
    [ -z "$z" ] && break
    sleep 0.1
done
[ -n "${z:-}" ] && say "note: not yet reaped by init (zombies):$z"

# the hosts file up.sh wrote for the client namespace (only if it is ours)
for ns in "${NAMESPACES[@]}"; do
    f=/etc/netns/$ns/hosts
    if [ -f "$f" ] && grep -q '^# written by rdpdoctor scripts/netlab/up.sh' "$f"; then
        rm -f "$f"
        rmdir "/etc/netns/$ns" 2>/dev/null || true
    fi
done
rmdir /etc/netns 2>/dev/null || true   # only if empty

rm -f "$PIDS"/*.pid "$NETLAB_DIR/relay.ready" "$NETLAB_DIR/state.env" 2>/dev/null
say "down"
exit 0
