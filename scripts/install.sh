#!/usr/bin/env bash
# Installs the godwit command line: builds it in release mode with the Swift runtime linked in, and copies
# it to PREFIX/bin/godwit (PREFIX defaults to /usr/local). The binary needs no Swift toolchain to run: only
# libpq and SQLite from the system (Debian/Ubuntu: libpq5, libsqlite3-0), as the container image has.
#
#   scripts/install.sh [PREFIX]
#   GODWIT_BUILD_PATH=DIR scripts/install.sh …   builds in DIR instead of .build
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${1:-/usr/local}
source scripts/lib/dependencies.sh
godwit_install_dependencies
echo "building godwit (release, Swift runtime linked in)…" >&2
BUILD=(swift build -c release --static-swift-stdlib --scratch-path "${GODWIT_BUILD_PATH:-.build}")
"${BUILD[@]}" --product godwit >&2
built="$("${BUILD[@]}" --show-bin-path)/godwit"
install -d "$PREFIX/bin"
install -m 755 "$built" "$PREFIX/bin/godwit"
echo "installed $PREFIX/bin/godwit ($("$PREFIX/bin/godwit" --version))"
case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) echo "add $PREFIX/bin to PATH to run it as godwit" ;;
esac
