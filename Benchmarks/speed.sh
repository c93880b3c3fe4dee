#!/usr/bin/env bash
# Godwit's cost against the floor: what PostgreSQL and SQLite need for the same work, measured side by side
# in one run (interleaved, medians), on a throwaway PostgreSQL 15 of its own. Prints figures; asserts
# nothing. Not part of the test suite.
#
#   bash Benchmarks/speed.sh [ROUNDS=5] [SIZES="100 1000 10000"]
#
# Figures:
#   no-op `latest` (all applied)      vs psql -c 'select 1' (the connect floor), and vs that plus cat of
#                                     the files (a no-op reads them all); its statements
#   N trivial migrations, fresh db    vs psql -1 -f (PostgreSQL), the sqlite3 shell in one transaction
#   latest with no migrations         vs the same select 1: the fixed cost (start-up, libraries, TLS)
#   the no-op over a 10 ms round trip vs select 1 through the same proxy (Benchmarks/latency-proxy.py)
#   status / list with 10,000 applied, `godwit --version`, peak memory of each (/usr/bin/time)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/dependencies.sh
source scripts/lib/postgres.sh
ROUNDS=${1:-5}
SIZES=${2:-"100 1000 10000"}

godwit_install_dependencies
GODWIT_PG_EXTRA_CONF="log_line_prefix = '%a|'" godwit_postgres_start
WORK=$(mktemp -d /tmp/godwit-speed.XXXXXX)
trap 'godwit_postgres_stop; rm -rf "$WORK"' EXIT
# Built as the Docker image ships it: the Swift runtime linked in (it starts in 10 ms instead of 14).
echo "building release…" >&2
swift build -c release --product godwit --static-swift-stdlib >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
GODWIT=$(swift build -c release --show-bin-path)/godwit
export PGPASSWORD=$GODWIT_PG_PASSWORD PGSSLMODE=require
# PostgreSQL's own psql binary: Debian's `psql` on PATH is a Perl wrapper that adds about 20 ms to every run,
# which would flatter every ratio below.
PSQL=("$GODWIT_PG_BIN/psql" -h 127.0.0.1 -p "$GODWIT_PG_PORT" -U postgres -X -q)
url() { echo "postgres://postgres:$GODWIT_PG_PASSWORD@127.0.0.1:$GODWIT_PG_PORT/$1?sslmode=require"; }

# A folder of N trivial migrations, and the same SQL as one file.
make_migrations() {  # N folder
  mkdir -p "$2/migrations"
  : >"$2/all.sql"
  local i name
  for ((i = 1; i <= $1; i++)); do
    printf -v name '%06d_t_%d.sql' "$i" "$i"
    printf -- '-- migrate:up\nCREATE TABLE t_%d (id serial primary key, name text);\n-- migrate:down\nDROP TABLE t_%d;\n' \
      "$i" "$i" >"$2/migrations/$name"
    printf 'CREATE TABLE t_%d (id serial primary key, name text);\n' "$i" >>"$2/all.sql"
  done
}

# Runs a command under /usr/bin/time (for its peak memory); appends "seconds kilobytes" to the file $1, the
# seconds from the shell's microsecond clock (time's own has 10 ms steps).
measure() {  # output-file command…
  local out=$1 start end; shift
  start=$EPOCHREALTIME
  /usr/bin/time -f '%M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" || {
    echo "failed: $*" >&2; cat "$WORK/stderr" >&2; return 1; }
  end=$EPOCHREALTIME
  awk -v s="$start" -v e="$end" -v k="$(cat "$WORK/time")" 'BEGIN { printf "%.4f %s\n", e - s, k }' >>"$out"
}

median() {  # file column
  sort -n -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.2f×" : "n/a"), a / b }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }

fresh_db() { "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" 2>/dev/null; }

printf '\n%-52s %9s %9s %7s %11s %10s\n' "what (median of $ROUNDS)" "godwit" "floor" "ratio" "godwit mem" "floor mem"
row() {  # label godwit-file floor-file
  local g f
  g=$(median "$2" 1); f=$(median "$3" 1)
  printf '%-52s %8.3fs %8.3fs %7s %11s %10s\n' "$1" "$g" "$f" "$(ratio "$g" "$f")" "$(mb "$(median "$2" 2)")" "$(mb "$(median "$3" 2)")"
}

# --- start-up
for ((r = 0; r < ROUNDS * 4; r++)); do
  measure "$WORK/version" "$GODWIT" --version
  measure "$WORK/true" /bin/true
done
row "godwit --version (vs /bin/true)" "$WORK/version" "$WORK/true"

# --- The fixed cost every run pays: a latest with no migrations (start-up, libraries, a TLS connection,
# creating the tracking tables once), against the same connect through psql
mkdir -p "$WORK/none/migrations"
fresh_db bench_e
for ((r = 0; r < ROUNDS * 2; r++)); do
  (cd "$WORK/none" && measure "$WORK/none-g" "$GODWIT" latest --database-url "$(url bench_e)")
  measure "$WORK/none-p" "${PSQL[@]}" -d bench_e -c 'select 1'
done
row "PostgreSQL: latest, no migrations (vs select 1)" "$WORK/none-g" "$WORK/none-p"

# --- PostgreSQL: N migrations into a fresh database, interleaved with psql -1 -f
for n in $SIZES; do
  folder="$WORK/pg-$n"
  make_migrations "$n" "$folder"
  for ((r = 0; r < ROUNDS; r++)); do
    fresh_db bench_g
    (cd "$folder" && measure "$WORK/pg-g-$n" "$GODWIT" latest --database-url "$(url bench_g)")
    fresh_db bench_p
    measure "$WORK/pg-p-$n" "${PSQL[@]}" -d bench_p -1 -f "$folder/all.sql"
  done
  row "PostgreSQL: $n migrations (vs psql -1 -f)" "$WORK/pg-g-$n" "$WORK/pg-p-$n"
done

# --- PostgreSQL: the no-op latest at each size, then status/list with the largest size applied. A no-op
# still reads every file (an edited applied migration must be noticed), so it is also set against the
# connect plus reading the files with cat.
for n in $SIZES; do
  folder="$WORK/pg-$n"
  fresh_db bench_g
  (cd "$folder" && "$GODWIT" latest --database-url "$(url bench_g)" >/dev/null)
  for ((r = 0; r < ROUNDS * 2; r++)); do
    (cd "$folder" && measure "$WORK/noop-$n" "$GODWIT" latest --database-url "$(url bench_g)")
    measure "$WORK/select1-$n" "${PSQL[@]}" -d bench_g -c 'select 1'
    (cd "$folder" && measure "$WORK/select1-cat-$n" sh -c "$(printf '%q ' "${PSQL[@]}") -d bench_g -c 'select 1' && cat migrations/*.sql")
  done
  row "PostgreSQL: no-op latest, $n applied (vs select 1)" "$WORK/noop-$n" "$WORK/select1-$n"
  row "  the same (vs select 1, then cat of the $n files)" "$WORK/noop-$n" "$WORK/select1-cat-$n"
done
for command in status list; do
  for ((r = 0; r < ROUNDS; r++)); do
    (cd "$folder" && measure "$WORK/$command" "$GODWIT" "$command" --database-url "$(url bench_g)")
  done
  row "PostgreSQL: $command, $n applied (vs select 1)" "$WORK/$command" "$WORK/select1-$n"
done

# --- The same no-op as a hosted database sees it: through a proxy adding a 10 ms round trip (5 ms each way),
# where the handshake's round trips weigh and start-up matters less
wan_n=${SIZES%% *}
WAN_PORT=$(godwit_free_port)
python3 Benchmarks/latency-proxy.py "$WAN_PORT" "$GODWIT_PG_PORT" 5 &
WAN_PID=$!
trap 'kill "$WAN_PID" 2>/dev/null || true; godwit_postgres_stop; rm -rf "$WORK"' EXIT
wan_url() { echo "postgres://postgres:$GODWIT_PG_PASSWORD@127.0.0.1:$WAN_PORT/$1?sslmode=require"; }
fresh_db bench_w
(cd "$WORK/pg-$wan_n" && "$GODWIT" latest --database-url "$(url bench_w)" >/dev/null)
for ((r = 0; r < ROUNDS * 2; r++)); do
  (cd "$WORK/pg-$wan_n" && measure "$WORK/wan-g" "$GODWIT" latest --database-url "$(wan_url bench_w)")
  measure "$WORK/wan-p" "$GODWIT_PG_BIN/psql" -h 127.0.0.1 -p "$WAN_PORT" -U postgres -X -q -d bench_w -c 'select 1'
done
row "PostgreSQL, 10 ms round trip: no-op, $wan_n applied" "$WORK/wan-g" "$WORK/wan-p"
kill "$WAN_PID" 2>/dev/null || true

# --- SQLite: N migrations into a new file, interleaved with the sqlite3 shell in one transaction
for n in $SIZES; do
  folder="$WORK/pg-$n"
  # The very SQL of the files (SQLite takes `serial primary key` as a typed key with its own index).
  { echo 'BEGIN;'; cat "$folder/all.sql"; echo 'COMMIT;'; } >"$folder/all-sqlite.sql"
  for ((r = 0; r < ROUNDS; r++)); do
    rm -f "$WORK/g.sqlite3" "$WORK/s.sqlite3"
    (cd "$folder" && measure "$WORK/sq-g-$n" "$GODWIT" latest --database-url "sqlite:$WORK/g.sqlite3")
    measure "$WORK/sq-s-$n" sh -c "sqlite3 '$WORK/s.sqlite3' < '$folder/all-sqlite.sql'"
  done
  row "SQLite: $n migrations (vs sqlite3 shell, 1 tx)" "$WORK/sq-g-$n" "$WORK/sq-s-$n"
done

# --- The statements a no-op latest sends, and those per applied migration (the server's statement log)
statements() {  # database folder command…
  local log="$GODWIT_PG_DIR/server.log" before
  "${PSQL[@]}" -d postgres -c "ALTER DATABASE $1 SET log_statement = 'all'" >/dev/null
  before=$(wc -l <"$log")
  (cd "$2" && "$GODWIT" "${@:3}" --database-url "$(url "$1")" >/dev/null)
  sleep 0.2
  tail -n +"$((before + 1))" "$log" | grep -c '^godwit|LOG:  \(statement\|execute\)' || true
}
fresh_db bench_s
noop_folder="$WORK/pg-${SIZES%% *}"
(cd "$noop_folder" && "$GODWIT" latest --database-url "$(url bench_s)" >/dev/null)
echo
echo "statements from the server's log (the connect-time pg_backend_pid() shares the first query's round trip):"
echo "  no-op latest:                 $(statements bench_s "$noop_folder" latest)"
tail -n 20 "$GODWIT_PG_DIR/server.log" | grep '^godwit|LOG:  \(statement\|execute\)' | cut -c1-160 | sed 's/^/    /'

fresh_db bench_s
one="$WORK/one"; make_migrations 1 "$one"
ten="$WORK/ten"; make_migrations 10 "$ten"
s1=$(statements bench_s "$one" latest)
cp "$ten/migrations/000002_t_2.sql" "$one/migrations/"
s2=$(statements bench_s "$one" latest)
fresh_db bench_s
s10=$(statements bench_s "$ten" latest)
echo "  latest applying 1 migration:  $s1 into a fresh database (creating the tracking tables), $s2 into one already tracked"
echo "  latest applying 10:           $s10 into a fresh database (consecutive SQL migrations travel together)"
