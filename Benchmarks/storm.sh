#!/usr/bin/env bash
# The storm: many runners start `godwit latest` at the same moment (replicas at a deploy), and runners
# killed with SIGKILL mid-batch. Prints figures; asserts only correctness (every runner exits 0, each
# migration is recorded once, in one batch, and no lock is left). Not part of the test suite.
# Then the chaos rounds: CHAOS_RUNNERS runners at once on a fresh database while runners are killed and
# their server connections ended (pg_terminate_backend) at random moments: every migration applied once,
# in one batch, no lock left, every runner neither killed nor cut off exits 0, and a cut-off one fails
# only as a lost connection.
#
#   bash Benchmarks/storm.sh [RUNNERS=32] [MIGRATIONS=20] [ROUNDS=3]
#   CHAOS_RUNNERS=64 CHAOS_ROUNDS=20 (CHAOS_ROUNDS=0: none)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/dependencies.sh
source scripts/lib/postgres.sh
RUNNERS=${1:-32} MIGRATIONS=${2:-20} ROUNDS=${3:-3}
CHAOS_RUNNERS=${CHAOS_RUNNERS:-64} CHAOS_ROUNDS=${CHAOS_ROUNDS:-20}

godwit_install_dependencies
godwit_postgres_start
WORK=$(mktemp -d /tmp/godwit-storm.XXXXXX)
trap 'godwit_postgres_stop; rm -rf "$WORK"' EXIT
swift build -c release --product godwit >/dev/null
GODWIT=$(swift build -c release --show-bin-path)/godwit
ADMIN="postgres://postgres:$GODWIT_PG_PASSWORD@127.0.0.1:$GODWIT_PG_PORT/postgres?sslmode=require"

# MIGRATIONS files; every fifth runs outside a transaction (CREATE INDEX CONCURRENTLY on PostgreSQL),
# unless the third argument is "transactional": then all are transactional and each also works for about
# 50 ms, so that a batch lasts long enough to be killed in the middle.
write_migrations() {  # folder kind [transactional]
  mkdir -p "$1/migrations"
  local work='SELECT pg_sleep(0.05);'
  [[ $2 == sqlite ]] && work='WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000) SELECT count(*) FROM c;'
  for i in $(seq -w 1 "$MIGRATIONS"); do
    if [[ ${3:-} == transactional ]]; then
      printf -- '-- migrate:up\nCREATE TABLE t_%s (id integer primary key, name text);\n%s\n-- migrate:down\nDROP TABLE t_%s;\n' \
        "$((10#$i))" "$work" "$((10#$i))" >"$1/migrations/0${i}_table_$i.sql"
    elif ((10#$i % 5 == 0)); then
      local concurrently=""; [[ $2 != sqlite ]] && concurrently="CONCURRENTLY "
      printf -- '-- migrate:up transaction:false\nCREATE INDEX %st_%s_name ON t_%s (name);\n-- migrate:down\nDROP INDEX t_%s_name;\n' \
        "$concurrently" "$((10#$i - 1))" "$((10#$i - 1))" "$((10#$i - 1))" >"$1/migrations/0${i}_index_$i.sql"
    else
      printf -- '-- migrate:up\nCREATE TABLE t_%s (id integer primary key, name text);\n-- migrate:down\nDROP TABLE t_%s;\n' \
        "$((10#$i))" "$((10#$i))" >"$1/migrations/0${i}_table_$i.sql"
    fi
  done
}

check() {  # kind url label
  local rows batches locked
  if [[ $1 != sqlite ]]; then
    rows=$(psql "$2" -Atc 'select count(*), count(distinct name), max(batch) from knex_migrations')
    locked=$(psql "$2" -Atc 'select max(is_locked) from knex_migrations_lock')
  else
    rows=$(sqlite3 -separator '|' "${2#sqlite:}" 'select count(*), count(distinct name), max(batch) from knex_migrations')
    locked=$(sqlite3 "${2#sqlite:}" 'select max(is_locked) from knex_migrations_lock')
  fi
  if [[ $rows != "$MIGRATIONS|$MIGRATIONS|1" || $locked != 0 ]]; then
    echo "FAIL $3: knex_migrations count|distinct|batch = $rows (want $MIGRATIONS|$MIGRATIONS|1), is_locked = $locked" >&2
    exit 1
  fi
}

# Writes the migrations into a new folder and prints a new database's URL.
new_database() {  # kind folder name [transactional]
  write_migrations "$2" "$1" "${4:-}"
  if [[ $1 != sqlite ]]; then
    psql "$ADMIN" -qc "create database $3" >/dev/null
    local port=$GODWIT_PG_PORT; [[ $1 == pgbouncer ]] && port=$GODWIT_PGBOUNCER_PORT
    echo "postgres://postgres:$GODWIT_PG_PASSWORD@127.0.0.1:$port/$3?sslmode=require"
  else
    echo "sqlite:$2/$3.sqlite3"
  fi
}

storm() {  # kind round
  local folder="$WORK/$1-$2" url
  url=$(new_database "$1" "$folder" "storm_$1_$2")
  local start=$(date +%s%N) pids=() failed=0
  for _ in $(seq "$RUNNERS"); do
    (cd "$folder" && DATABASE_URL=$url "$GODWIT" latest >"$folder/out.$BASHPID" 2>&1) & pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
  local ms=$(( ($(date +%s%N) - start) / 1000000 ))
  local applied=$(grep -l "Batch 1 run: $MIGRATIONS migrations" "$folder"/out.* | wc -l)
  ((failed == 0)) || { echo "FAIL storm $1 round $2: $failed runners failed" >&2; cat "$folder"/out.* >&2; exit 1; }
  check "$1" "$url" "storm $1 round $2"
  printf '%-8s round %s: %2d runners, %2d migrations: all exit 0, %d applied, %d up to date, %5d ms wall\n' \
    "$1" "$2" "$RUNNERS" "$MIGRATIONS" "$applied" "$((RUNNERS - applied))" "$ms"
}

# A runner killed after a random delay, then a plain `latest` that must finish the work by itself.
kill_round() {  # kind round
  local folder="$WORK/kill-$1-$2" url
  url=$(new_database "$1" "$folder" "kill_$1_$2")
  local delay_ms=$((RANDOM % 250))
  (cd "$folder" && DATABASE_URL=$url GODWIT_LOCK_LEASE=2 exec "$GODWIT" latest >/dev/null 2>&1) & local pid=$!
  sleep "$(printf "0.%03d" "$delay_ms")"; kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  local start=$(date +%s%N) out
  out=$(cd "$folder" && DATABASE_URL=$url GODWIT_LOCK_LEASE=2 "$GODWIT" latest 2>&1) || {
    # Killed inside a transaction:false migration (one CREATE INDEX [CONCURRENTLY]): the next run must say
    # so. The statement may or may not have run, so do what the message says: undo it, then --restart.
    local interrupted
    interrupted=$(sed -n 's/^error: \(0[0-9]*_index_[0-9]*\.sql\) did not finish applying$/\1/p' <<<"$out")
    [[ -n $interrupted ]] || { echo "FAIL kill $1 round $2: $out" >&2; exit 1; }
    local index="t_$((10#$(sed 's/^0*\([0-9]*\)_.*/\1/' <<<"$interrupted") - 1))_name"
    if [[ $1 == sqlite ]]; then sqlite3 "${url#sqlite:}" "DROP INDEX IF EXISTS $index"
    else psql "$url" -qc "DROP INDEX CONCURRENTLY IF EXISTS $index" >/dev/null; fi
    out=$(cd "$folder" && DATABASE_URL=$url GODWIT_LOCK_LEASE=2 "$GODWIT" latest --restart 2>&1) || { echo "FAIL restart: $out" >&2; exit 1; }
    echo "  (killed inside $interrupted: reported; its index dropped, then --restart)"
  }
  local ms=$(( ($(date +%s%N) - start) / 1000000 ))
  local rows
  if [[ $1 != sqlite ]]; then rows=$(psql "$url" -Atc 'select count(distinct name) = count(*) and count(*) = '"$MIGRATIONS"' from knex_migrations')
  else rows=$(sqlite3 "${url#sqlite:}" "select count(distinct name) = count(*) and count(*) = $MIGRATIONS from knex_migrations"); fi
  [[ $rows == t || $rows == 1 ]] || { echo "FAIL kill $1 round $2: migrations missing or doubled" >&2; exit 1; }
  printf '%-8s kill round %s: SIGKILL after %2d ms, next run finished by itself in %5d ms, no lock left\n' "$1" "$2" "$delay_ms" "$ms"
}

# CHAOS_RUNNERS runners at once on a fresh database, all of its migrations transactional (an interrupted
# transaction:false migration stops every later runner by design, until told --resume or --restart: the
# kill rounds above cover it). Meanwhile 4 runners are killed and (PostgreSQL) 4 of their server
# connections ended, each at a random moment.
chaos_round() {  # kind round
  local folder="$WORK/chaos-$1-$2" url db="chaos_$1_$2"
  url=$(new_database "$1" "$folder" "$db" transactional)
  local pids=() n
  for n in $(seq "$CHAOS_RUNNERS"); do
    local runner_url=$url
    [[ $1 != sqlite ]] && runner_url="$url&application_name=storm_$n"
    (cd "$folder" && DATABASE_URL=$runner_url GODWIT_LOCK_LEASE=2 exec "$GODWIT" latest >"$folder/out.$n" 2>&1) & pids+=($!)
  done
  local killed=() drops=0 k
  for k in 1 2 3 4; do
    sleep "$(printf "0.%03d" $((RANDOM % 400)))"
    n=$((RANDOM % CHAOS_RUNNERS))
    # Every other kill on PostgreSQL goes to a runner in the middle of a statement: the one migrating.
    if [[ $1 != sqlite ]] && ((k % 2 == 0)); then
      local busy
      busy=$(psql "$ADMIN" -Atc "select substr(application_name, 7) from pg_stat_activity where datname = '$db' and application_name like 'storm_%' and state = 'active' and query like '%pg_sleep%' limit 1")
      [[ -n $busy ]] && n=$((busy - 1))
    fi
    kill -9 "${pids[$n]}" 2>/dev/null && killed+=($((n + 1)))
    if [[ $1 != sqlite ]]; then
      local ended
      ended=$(psql "$ADMIN" -Atc "select count(pg_terminate_backend(pid)) from (select pid from pg_stat_activity where datname = '$db' and application_name like 'storm_%' order by random() limit 1) s")
      drops=$((drops + ended))
    fi
  done
  local status survivors_ok=0 cut_off=0
  for n in $(seq "$CHAOS_RUNNERS"); do
    status=0; wait "${pids[$((n - 1))]}" 2>/dev/null || status=$?
    [[ " ${killed[*]} " == *" $n "* ]] && continue
    if ((status == 0)); then survivors_ok=$((survivors_ok + 1)); continue; fi
    # Only an ended connection may fail a runner that was not killed, and one such failure per drop.
    if grep -q "^  connection error: \|terminating connection due to administrator command" "$folder/out.$n"; then
      cut_off=$((cut_off + 1))
    else
      echo "FAIL chaos $1 round $2: runner $n exited $status:" >&2; cat "$folder/out.$n" >&2; exit 1
    fi
  done
  ((cut_off <= drops)) || { echo "FAIL chaos $1 round $2: $cut_off runners lost their connection, $drops were ended" >&2; exit 1; }
  # The survivors finished the work; a last run finds nothing to do.
  local last
  last=$(cd "$folder" && DATABASE_URL=$url "$GODWIT" latest 2>&1) || { echo "FAIL chaos $1 round $2: $last" >&2; exit 1; }
  grep -q "Already up to date" <<<"$last" || { echo "FAIL chaos $1 round $2: the survivors left work: $last" >&2; exit 1; }
  check "$1" "$url" "chaos $1 round $2"
  printf '%-8s chaos round %2s: %d runners, %d killed, %d connections ended (%d runners failed as lost), %d exit 0; each migration once, no lock left\n' \
    "$1" "$2" "$CHAOS_RUNNERS" "${#killed[@]}" "$drops" "$cut_off" "$survivors_ok"
}

for round in $(seq "$ROUNDS"); do
  storm postgres "$round"
  storm pgbouncer "$round"
  storm sqlite "$round"
done
for round in $(seq $((ROUNDS * 3))); do
  kill_round postgres "$round"
  kill_round pgbouncer "$round"
  kill_round sqlite "$round"
done
for round in $(seq "$CHAOS_ROUNDS"); do
  chaos_round postgres "$round"
  chaos_round pgbouncer "$round"
  chaos_round sqlite "$round"
done
echo "storm: all rounds passed"
