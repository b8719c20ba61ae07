#!/usr/bin/env bash
# Run a command inside the lab's client namespace (rdpd-client, 10.231.1.1):
#   scripts/netlab/exec.sh .build/release/rdpdoctor check 10.231.2.1
#   scripts/netlab/exec.sh python3 scripts/netlab/lab.py ping 10.231.2.1 -c 20
# The command runs as the caller, in the caller's directory and environment;
# only its network namespace changes. Its exit status is passed through.
# NETLAB_NS=rdpd-server (or rdpd-router) runs it in another lab namespace.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=netlab.env
. "$HERE/netlab.env"
NS=${NETLAB_NS:-$NETLAB_CLIENT_NS}
case $NS in rdpd-*) ;; *) echo "netlab: NETLAB_NS must be a lab namespace (rdpd-*)" >&2; exit 2 ;; esac
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
if [ ! -e "/run/netns/$NS" ]; then
    echo "netlab: namespace $NS does not exist; run scripts/netlab/up.sh first" >&2
    exit 2
fi
exec ip netns exec "$NS" "$@"
