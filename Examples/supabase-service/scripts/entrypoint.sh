#!/bin/sh
# The container's entrypoint: migrate, then become the app.
#
#   entrypoint.sh CMD [ARG...]
#
# 0. When CMD is the migration binary itself (`migrate`, `godwit`, or the GODWIT_BIN path), it is exec'd as
#    given and nothing runs first: `docker run IMAGE migrate status` shows the status, `… migrate rollback`
#    rolls back, `… migrate latest --dry-run` prints the plan. No implicit `latest` before them.
# 1. Otherwise, runs `latest` with the binary named by GODWIT_BIN, else `migrate` on PATH. It waits for the database
#    first (GODWIT_WAIT_TIMEOUT seconds, default 60 here) and takes Godwit's lock, so replicas that start
#    together migrate once: the others wait, then find the work done.
# 2. Only if that succeeded, execs CMD: the app replaces this shell (PID 1 stays the app), so its exit
#    status and the signals sent to the container reach it directly.
#
# SIGTERM or SIGINT while migrating is passed on: the migration stops cleanly (its statement cancelled,
# the batch rolled back, the lock freed), CMD is not started, and the script exits 128 + the signal's
# number. A failed migration prints its failure and exits with its status. Without CMD, it only migrates.
set -u

migrate=${GODWIT_BIN:-migrate}
if ! command -v "$migrate" >/dev/null 2>&1; then
  echo "entrypoint: cannot find the migration binary '$migrate' (set GODWIT_BIN, or put 'migrate' on PATH)" >&2
  exit 127
fi
GODWIT_WAIT_TIMEOUT=${GODWIT_WAIT_TIMEOUT:-60}
export GODWIT_WAIT_TIMEOUT

# The migration binary as the container's command: run it as given (it handles signals itself).
if [ "$#" -gt 0 ]; then
  case "$1" in
    migrate | godwit | "$migrate" | */migrate | */godwit)
      command=$1
      shift
      [ "$command" = migrate ] && command=$migrate
      exec "$command" "$@"
      ;;
  esac
fi

# The migration runs as a child so that this shell can pass a stop signal on to it.
stopped_by=
"$migrate" latest &
child=$!
trap 'stopped_by=143; kill -TERM "$child" 2>/dev/null' TERM
trap 'stopped_by=130; kill -INT "$child" 2>/dev/null' INT

# `wait` returns early when a trapped signal arrives: wait again until the child has really ended.
status=0
while :; do
  wait "$child"
  status=$?
  kill -0 "$child" 2>/dev/null || break
done
trap - TERM INT

if [ -n "$stopped_by" ]; then
  echo "entrypoint: stopped while migrating; not starting the app" >&2
  exit "$stopped_by"
fi
if [ "$status" -ne 0 ]; then
  echo "entrypoint: migrations failed (exit $status); not starting the app" >&2
  exit "$status"
fi
[ "$#" -eq 0 ] && exit 0
exec "$@"
