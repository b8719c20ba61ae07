#!/bin/sh
# Builds a release rdpdoctor with the Swift runtime linked in statically and
# installs it as one file: PREFIX/bin/rdpdoctor (PREFIX is /usr/local unless
# set). The code catalogue is compiled in, so nothing else is needed beside it.
# Run from the repository root; root is needed for /usr/local.
set -eu
PREFIX="${PREFIX:-/usr/local}"
swift build -c release --product rdpdoctor --static-swift-stdlib
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)"
install -d "$PREFIX/bin"
install -m 755 "$bin/rdpdoctor" "$PREFIX/bin/"
echo "installed $PREFIX/bin/rdpdoctor"
