#!/bin/sh
# Builds a release rdpdoctor with the Swift runtime and Foundation linked in
# statically and installs it as one file: PREFIX/bin/rdpdoctor (PREFIX is
# /usr/local unless set). Run from the repository root; root is needed for
# /usr/local.
#
# SwiftPM's --static-swift-stdlib alone does not link Foundation's own static
# libraries on Linux with Swift 6.3 (undefined _FoundationICU, CoreFoundation,
# Synchronization symbols), so they are named here, in one group.
set -eu
PREFIX="${PREFIX:-/usr/local}"
set -- -c release --product rdpdoctor --static-swift-stdlib -Xlinker --start-group
for lib in Foundation CoreFoundation _FoundationICU _FoundationCollections _FoundationCShims \
           FoundationEssentials FoundationInternationalization swiftSynchronization swiftDispatch \
           dispatch BlocksRuntime swiftCore; do
    set -- "$@" -Xlinker "-l$lib"
done
set -- "$@" -Xlinker --end-group
swift build "$@"
bin="$(swift build -c release --static-swift-stdlib --show-bin-path)"
install -d "$PREFIX/bin"
install -m 755 "$bin/rdpdoctor" "$PREFIX/bin/"
echo "installed $PREFIX/bin/rdpdoctor"
