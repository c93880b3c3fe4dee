#!/usr/bin/env bash
# Godwit's main job on the embedded SQLite default: builds godwit, then, in Examples/quickstart,
# applies its migrations to dev.sqlite3 (no server needed) and shows the status.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/dependencies.sh
godwit_install_dependencies
swift build --product godwit
godwit="$(swift build --show-bin-path)/godwit"
cd Examples/quickstart
set -x
"$godwit" latest
"$godwit" status
