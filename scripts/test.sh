#!/usr/bin/env bash
# Runs Godwit's whole test suite on a fresh machine: installs what is missing, starts a throwaway
# PostgreSQL 15 (SCRAM, TLS), builds, runs `swift test`, stops the server, exits with the tests' status.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/dependencies.sh
source scripts/lib/postgres.sh

godwit_install_dependencies
godwit_postgres_start
# A failed run also prints what the server and the poolers logged about it.
trap 'status=$?; ((status == 0)) || godwit_postgres_report; godwit_postgres_stop' EXIT

swift build --build-tests
GODWIT_BIN="$(swift build --show-bin-path)/godwit"
export GODWIT_BIN
# The example service: a user's package with Swift migrations built in by Godwit's plugin.
swift build --package-path Examples/supabase-service
GODWIT_EXAMPLE_DIR="$PWD/Examples/supabase-service"
export GODWIT_EXAMPLE_DIR
# At most 8 tests at a time. Unbounded, the suite's start ran some 80 processes at once on 2 cores (25
# godwit runs, 155 server connections, two swift builds): a connection then took more than its 10 s
# connect_timeout and a binary more than a second to start, and tests failed for no fault of Godwit's.
# Bounded, the run takes no longer: the two package builds (about 4 minutes) are its critical path.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=${SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH:-8}
swift test --skip-build "$@"
