#!/usr/bin/env bash
# Stop every process the rdpdoctor testbed started for this state dir
# ($TESTBED_DIR, default $REPO/.testbed) and remove its pid files.
#
# It kills the process groups recorded in $TESTBED_DIR/pids/*.pid, and also
# any stray process carrying RDPDOCTOR_TESTBED=$TESTBED_DIR in its environment
# (start.sh sets it on everything it launches; xrdp's per-connection children
# inherit it, and so do weston's weston-keyboard and weston-desktop-shell).
# Nothing else is touched. SIGTERM first, SIGKILL after 3 s.
# Exits non-zero if something is still alive at the end.
#
#   scripts/testbed/stop.sh [--quiet]
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
TESTBED_DIR=${TESTBED_DIR:-$REPO/.testbed}
QUIET=0
[ "${1:-}" = "--quiet" ] && QUIET=1
say() { [ "$QUIET" = 1 ] || printf 'testbed: %s\n' "$*"; }

if [ -d "$TESTBED_DIR" ]; then
    TESTBED_DIR=$(cd "$TESTBED_DIR" && pwd)   # same spelling as start.sh
else
    # state dir deleted while servers run: still find them by their marker
    case "$TESTBED_DIR" in /*) ;; *) TESTBED_DIR=$PWD/$TESTBED_DIR ;; esac
fi
PIDS=$TESTBED_DIR/pids
MARK="RDPDOCTOR_TESTBED=$TESTBED_DIR"

# PIDs of live processes whose environment holds exactly our marker.
marked_pids() {
    grep -lzxF -- "$MARK" /proc/[0-9]*/environ 2>/dev/null |
        sed -n 's|^/proc/\([0-9]*\)/environ$|\1|p' | grep -vxF "$$" || true
}

# Process groups to signal: recorded ones (if a process of ours is still in
# them, so a recycled id is never hit) plus the groups of marked strays.
groups=()
declare -A seen=()
recorded=$(cat "$PIDS"/*.pid 2>/dev/null)
marked=$(marked_pids)
for pid in $marked; do
    pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')
    [ -n "$pgid" ] || continue
    if grep -qxF "$pgid" <<< "$recorded"$'\n'"$marked"; then
        target="-$pgid"     # a group start.sh created with setsid
    else
        target="$pid"       # unexpected: signal only the marked process
    fi
    [ -n "${seen[$target]:-}" ] && continue
    seen[$target]=1
    groups+=("$target")
done

xvfb_pid=""
[ -f "$PIDS/XVFB.pid" ] && xvfb_pid=$(cat "$PIDS/XVFB.pid")

if [ "${#groups[@]}" -gt 0 ]; then
    say "stopping ${#groups[@]} process group(s)"
    for g in "${groups[@]}"; do kill -TERM -- "$g" 2>/dev/null; done
    for _ in $(seq 30); do
        [ -z "$(marked_pids)" ] && break
        sleep 0.1
    done
    left=$(marked_pids)
    if [ -n "$left" ]; then
        say "escalating to SIGKILL for: $(echo $left)"
        for g in "${groups[@]}"; do kill -KILL -- "$g" 2>/dev/null; done
        for pid in $left; do kill -KILL "$pid" 2>/dev/null; done
        for _ in $(seq 20); do
            [ -z "$(marked_pids)" ] && break
            sleep 0.1
        done
    fi
fi

# Xvfb removes its lock on SIGTERM; after a SIGKILL, clean the stale lock it
# left, but only when the lock names the Xvfb this testbed started.
if [ -n "$xvfb_pid" ]; then
    for lock in /tmp/.X[0-9]*-lock; do
        [ -e "$lock" ] || continue
        if [ "$(tr -dc '0-9' < "$lock")" = "$xvfb_pid" ] && ! kill -0 "$xvfb_pid" 2>/dev/null; then
            n=${lock#/tmp/.X}; n=${n%-lock}
            rm -f "$lock" "/tmp/.X11-unix/X$n"
        fi
    done
fi

left=$(marked_pids)
if [ -z "$left" ]; then
    # Killed processes stay zombies until their parent (init, since start.sh
    # has exited) reaps them; wait a little so `pgrep` shows nothing after us.
    for _ in $(seq 50); do
        z=""
        for pid in $recorded $marked; do [ -e "/proc/$pid" ] && z="$z $pid"; done
        [ -z "$z" ] && break
        sleep 0.1
    done
    [ -n "$z" ] && say "note: not yet reaped by init (zombies):$z"
fi
if [ -n "$left" ]; then
    echo "testbed: ERROR: still running after stop:" >&2
    for pid in $left; do ps -o pid=,pgid=,args= -p "$pid" >&2; done
    exit 1
fi
rm -f "$PIDS"/*.pid
say "stopped"
exit 0
