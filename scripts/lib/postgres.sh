# A throwaway PostgreSQL 15 cluster as Supabase has it: SCRAM passwords, TLS with a certificate from a CA of
# its own, a role that may log in over TLS only, and PgBouncer in transaction mode in front, on free ports.
# Sourced by scripts/test.sh and the benchmarks. After godwit_postgres_start:
#   GODWIT_PG_PORT, GODWIT_PG_PASSWORD, GODWIT_PG_DIR, GODWIT_TEST_POSTGRES_URL   the server, as postgres
#   GODWIT_PG_CA, GODWIT_PG_OTHER_CA       the CA that signed the server's certificate (for localhost), another CA
#   GODWIT_TLS_ROLE, GODWIT_TLS_ROLE_PASSWORD   a role that pg_hba.conf lets in over TLS only; its password
#                                               holds @ : / ? # % so URL escaping is tested for real
#   GODWIT_PGBOUNCER_PORT, GODWIT_TEST_PGBOUNCER_URL   PgBouncer (pool_mode = transaction), TLS on both sides
#   GODWIT_TEST_PLAIN_POOLER_URL    a second PgBouncer in session mode that offers clients no TLS
#   GODWIT_PG_TEMPLATE_DATA         a stopped copy of the fresh cluster (same password and TLS files, no
#                                   TLS-only role): tests copy it and start the copy late, on a port of their own
# godwit_postgres_stop stops both and removes their files.
GODWIT_PG_BIN=${GODWIT_PG_BIN:-/usr/lib/postgresql/15/bin}

# Runs a program as the cluster's owner (root may not run the server, nor PgBouncer).
godwit_as_postgres() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

godwit_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A CA, and a server certificate it signs for the name localhost only (so verify-full fails for 127.0.0.1).
godwit_make_certificates() {  # folder
  local dir=$1
  openssl req -new -x509 -days 2 -nodes -subj "/CN=Godwit test CA" -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -new -x509 -days 2 -nodes -subj "/CN=Untrusted test CA" -keyout "$dir/other-ca.key" -out "$dir/other-ca.crt" 2>/dev/null
  openssl req -new -nodes -subj "/CN=localhost" -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName = DNS:localhost\n' >"$dir/server.ext"
  openssl x509 -req -days 2 -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
  chmod 600 "$dir/server.key"
}

godwit_postgres_start() {
  GODWIT_PG_DIR=$(mktemp -d /tmp/godwit-postgres.XXXXXX)
  chmod 755 "$GODWIT_PG_DIR"
  GODWIT_PG_PORT=$(godwit_free_port)
  GODWIT_PG_PASSWORD="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  GODWIT_TLS_ROLE=godwit_tls_only
  GODWIT_TLS_ROLE_PASSWORD="p@ss:w/rd?#%-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  local tls="$GODWIT_PG_DIR/tls"
  mkdir "$tls"
  godwit_make_certificates "$tls"
  GODWIT_PG_CA="$tls/ca.crt" GODWIT_PG_OTHER_CA="$tls/other-ca.crt"
  [[ $(id -u) == 0 ]] && chown -R postgres: "$GODWIT_PG_DIR"
  printf '%s\n' "$GODWIT_PG_PASSWORD" >"$GODWIT_PG_DIR/password"
  godwit_as_postgres "$GODWIT_PG_BIN/initdb" -D "$GODWIT_PG_DIR/data" -U postgres --auth=scram-sha-256 \
    --pwfile="$GODWIT_PG_DIR/password" -E UTF8 --locale=C.UTF-8 >"$GODWIT_PG_DIR/initdb.log"
  cat >>"$GODWIT_PG_DIR/data/postgresql.conf" <<CONF
port = $GODWIT_PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$GODWIT_PG_DIR'
ssl = on
ssl_cert_file = '$tls/server.crt'
ssl_key_file = '$tls/server.key'
max_connections = 500
# A throwaway cluster: durability is not what is tested, speed is welcome.
fsync = off
synchronous_commit = off
full_page_writes = off
${GODWIT_PG_EXTRA_CONF:-}
CONF
  # The TLS-only role: a hostssl line lets it in, the next line turns it away without TLS.
  { printf 'hostssl all %s 127.0.0.1/32 scram-sha-256\nhost all %s 127.0.0.1/32 reject\n' "$GODWIT_TLS_ROLE" "$GODWIT_TLS_ROLE"
    cat "$GODWIT_PG_DIR/data/pg_hba.conf"; } >"$GODWIT_PG_DIR/hba" && mv "$GODWIT_PG_DIR/hba" "$GODWIT_PG_DIR/data/pg_hba.conf"
  [[ $(id -u) == 0 ]] && chown postgres: "$GODWIT_PG_DIR/data/pg_hba.conf"
  GODWIT_PG_TEMPLATE_DATA="$GODWIT_PG_DIR/template-data"
  cp -a "$GODWIT_PG_DIR/data" "$GODWIT_PG_TEMPLATE_DATA"
  godwit_as_postgres "$GODWIT_PG_BIN/pg_ctl" -D "$GODWIT_PG_DIR/data" -l "$GODWIT_PG_DIR/server.log" -w -t 60 start >/dev/null
  PGPASSWORD=$GODWIT_PG_PASSWORD psql -h "$GODWIT_PG_DIR" -p "$GODWIT_PG_PORT" -U postgres -d postgres -qAt \
    -v role="$GODWIT_TLS_ROLE" -v password="$GODWIT_TLS_ROLE_PASSWORD" <<'SQL' >/dev/null
CREATE ROLE :"role" LOGIN CREATEDB PASSWORD :'password';
SQL
  godwit_pgbouncer_start pgbouncer transaction allow
  GODWIT_PGBOUNCER_PORT=$GODWIT_POOLER_PORT
  godwit_pgbouncer_start plain-pooler session disable
  GODWIT_TEST_PLAIN_POOLER_URL="postgres://postgres:$GODWIT_PG_PASSWORD@127.0.0.1:$GODWIT_POOLER_PORT/postgres"
  GODWIT_TEST_POSTGRES_URL="postgres://postgres:$GODWIT_PG_PASSWORD@127.0.0.1:$GODWIT_PG_PORT/postgres?sslmode=require"
  GODWIT_TEST_PGBOUNCER_URL="postgres://postgres:$GODWIT_PG_PASSWORD@127.0.0.1:$GODWIT_PGBOUNCER_PORT/postgres?sslmode=require"
  export GODWIT_PG_DIR GODWIT_PG_PORT GODWIT_PG_PASSWORD GODWIT_TEST_POSTGRES_URL GODWIT_PG_CA GODWIT_PG_OTHER_CA
  export GODWIT_PG_TEMPLATE_DATA GODWIT_TLS_ROLE GODWIT_TLS_ROLE_PASSWORD GODWIT_PGBOUNCER_PORT GODWIT_TEST_PGBOUNCER_URL GODWIT_TEST_PLAIN_POOLER_URL
  echo "PostgreSQL 15 on 127.0.0.1:$GODWIT_PG_PORT (SCRAM, TLS), PgBouncer (transaction mode) on $GODWIT_PGBOUNCER_PORT, files in $GODWIT_PG_DIR" >&2
}

# A PgBouncer for every database of the server, TLS to the server; sets GODWIT_POOLER_PORT.
godwit_pgbouncer_start() {  # name pool_mode client_tls_sslmode
  local dir="$GODWIT_PG_DIR/$1" port
  port=$(godwit_free_port)
  GODWIT_POOLER_PORT=$port
  mkdir "$dir"
  # userlist.txt: "user" "password", a double quote doubled.
  printf '"postgres" "%s"\n"%s" "%s"\n' "$GODWIT_PG_PASSWORD" "$GODWIT_TLS_ROLE" "${GODWIT_TLS_ROLE_PASSWORD//\"/\"\"}" >"$dir/userlist.txt"
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$GODWIT_PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = $2
max_client_conn = 1000
default_pool_size = 40
max_db_connections = 100
# Each test makes its own database, so each has its own pool: close idle server connections soon, or
# the pools together would use up the server's max_connections.
server_idle_timeout = 3
# After a failed server login PgBouncer turns the pool's new clients away for this long (15 s by
# default): one hiccup must not fail every test that uses that database for the next 15 s.
server_login_retry = 1
server_tls_sslmode = require
client_tls_sslmode = $3
client_tls_key_file = $GODWIT_PG_DIR/tls/server.key
client_tls_cert_file = $GODWIT_PG_DIR/tls/server.crt
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
admin_users = postgres
INI
  [[ $(id -u) == 0 ]] && chown -R postgres: "$dir"
  godwit_as_postgres pgbouncer -d "$dir/pgbouncer.ini"
  local tries=0
  until PGPASSWORD=$GODWIT_PG_PASSWORD psql "host=127.0.0.1 port=$port user=postgres dbname=postgres" -qAtc 'select 1' >/dev/null 2>&1; do
    ((++tries < 100)) || { echo "PgBouncer did not start; its log:" >&2; cat "$dir/pgbouncer.log" >&2; return 1; }
    sleep 0.1
  done
}

# What the server and the poolers said that a failed run may need to be understood: PgBouncer's
# warnings and errors, the server's FATAL and PANIC lines and its own process troubles (the tests cause
# plenty of ordinary ERRORs on purpose, those are left out). Printed to stderr, at most 40 lines each.
godwit_postgres_report() {
  [[ -n ${GODWIT_PG_DIR:-} && -d $GODWIT_PG_DIR ]] || return 0
  local log
  for log in "$GODWIT_PG_DIR"/*/pgbouncer.log; do
    [[ -f $log ]] || continue
    echo "--- ${log#"$GODWIT_PG_DIR"/}: warnings and errors (last 40)" >&2
    grep -E ' (WARNING|ERROR|FATAL) ' "$log" | tail -n 40 >&2 || true
  done
  echo "--- server.log: FATAL, PANIC and process lines (last 40)" >&2
  grep -E 'FATAL|PANIC|terminated by signal|out of memory|too many' "$GODWIT_PG_DIR/server.log" | tail -n 40 >&2 || true
}

godwit_postgres_stop() {
  [[ -n ${GODWIT_PG_DIR:-} && -d $GODWIT_PG_DIR ]] || return 0
  local pidfile
  for pidfile in "$GODWIT_PG_DIR"/*/pgbouncer.pid; do
    [[ -f $pidfile ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  local data
  # The server, and any late copy a killed test run left running.
  for data in "$GODWIT_PG_DIR/data" "$GODWIT_PG_DIR"/late-*/data; do
    [[ -f $data/postmaster.pid ]] && godwit_as_postgres "$GODWIT_PG_BIN/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  done
  rm -rf "$GODWIT_PG_DIR"
}
