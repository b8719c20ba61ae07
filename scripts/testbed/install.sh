#!/usr/bin/env bash
# Install the Debian packages the rdpdoctor testbed needs (idempotent).
#
#   scripts/testbed/install.sh            # servers, xfreerdp + tools for start.sh
#   scripts/testbed/install.sh --peers    # also nmap, blackbox_exporter and hyperfine (benchmarks)
#
# Runs `apt-get update` once, and only when something is missing. Must run as
# root (or with sudo available). Package services are prevented from starting
# during the install (a temporary policy-rc.d), so the stock xrdp never
# listens on 0.0.0.0:3389; start.sh runs its own loopback-only instances.
# weston (its rdp-backend.so is the WESTON server) and freerdp2-x11 (xfreerdp,
# the real client the integration tests hold sessions with) are in the base
# set, and tshark (dumpcap records checks on loopback; tshark is the reference
# the capture reader is compared with).
set -euo pipefail

PACKAGES=(xrdp freerdp2-shadow-x11 xvfb weston freerdp2-x11 winpr-utils openssl python3 procps
          util-linux iproute2 iptables tshark prometheus python3-cryptography)
PEERS=(nmap prometheus-blackbox-exporter hyperfine)

for arg in "$@"; do
    case "$arg" in
        --peers) PACKAGES+=("${PEERS[@]}") ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done

installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
    echo "testbed: all packages present: ${PACKAGES[*]}"
    exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install.sh: run as root" >&2; exit 1; }
    SUDO=(sudo)
fi

# Keep package maintainer scripts from starting services (xrdp, xrdp-sesman).
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\n# temporary, created by rdpdoctor scripts/testbed/install.sh\nexit 101\n' |
        "${SUDO[@]}" tee "$POLICY" >/dev/null
    "${SUDO[@]}" chmod 755 "$POLICY"
    trap '"${SUDO[@]}" rm -f "$POLICY"' EXIT
fi

echo "testbed: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${missing[@]}"

still=()
for pkg in "${missing[@]}"; do installed "$pkg" || still+=("$pkg"); done
if [ "${#still[@]}" -gt 0 ]; then
    echo "testbed: ERROR: still missing after install: ${still[*]}" >&2
    exit 1
fi
# xrdp's postinst makes the RSA key used for standard RDP security.
[ -s /etc/xrdp/rsakeys.ini ] || echo "testbed: warning: /etc/xrdp/rsakeys.ini missing (run: xrdp-keygen xrdp auto)" >&2
echo "testbed: installed ${missing[*]}"
