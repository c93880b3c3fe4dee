#!/usr/bin/env bash
# Builds the documentation of every module (DocC: the catalogs in Sources/*/*.docc and the API reference)
# and fails on any warning: a broken link, an undocumented parameter, a symbol that does not exist.
#
#   bash scripts/docs.sh        the archives land in .build/plugins/Swift-DocC/outputs/<Module>.doccarchive
set -euo pipefail
cd "$(dirname "$0")/.."
swift package generate-documentation --warnings-as-errors "$@"
