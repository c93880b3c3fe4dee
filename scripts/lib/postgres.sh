# A throwaway PostgreSQL 15 cluster: SCRAM passwords and TLS on, as Supabase has them, on a free port.
# Sourced by scripts/test.sh and the benchmarks. After godwit_postgres_start:
#   GODWIT_PG_PORT, GODWIT_PG_PASSWORD, GODWIT_PG_DIR and GODWIT_TEST_POSTGRES_URL are set;
#   godwit_postgres_stop stops the cluster and removes its files.
GODWIT_PG_BIN=${GODWIT_PG_BIN:-/usr/lib/postgresql/15/bin}

# Runs a PostgreSQL program as the cluster's owner (root may not run the server).
godwit_as_postgres() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

godwit_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

godwit_postgres_start() {
  GODWIT_PG_DIR=$(mktemp -d /tmp/godwit-postgres.XXXXXX)
  GODWIT_PG_PORT=$(godwit_free_port)
  GODWIT_PG_PASSWORD="pw-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  [[ $(id -u) == 0 ]] && chown postgres: "$GODWIT_PG_DIR"
  printf '%s\n' "$GODWIT_PG_PASSWORD" >"$GODWIT_PG_DIR/password"
  godwit_as_postgres "$GODWIT_PG_BIN/initdb" -D "$GODWIT_PG_DIR/data" -U postgres --auth=scram-sha-256 \
    --pwfile="$GODWIT_PG_DIR/password" -E UTF8 --locale=C.UTF-8 >"$GODWIT_PG_DIR/initdb.log"
  openssl req -new -x509 -days 2 -nodes -subj "/CN=localhost" \
    -keyout "$GODWIT_PG_DIR/data/server.key" -out "$GODWIT_PG_DIR/data/server.crt" 2>/dev/null
  chmod 600 "$GODWIT_PG_DIR/data/server.key"
  [[ $(id -u) == 0 ]] && chown postgres: "$GODWIT_PG_DIR/data/server.key" "$GODWIT_PG_DIR/data/server.crt"
  cat >>"$GODWIT_PG_DIR/data/postgresql.conf" <<CONF
port = $GODWIT_PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$GODWIT_PG_DIR'
ssl = on
max_connections = 300
# A throwaway cluster: durability is not what is tested, speed is welcome.
fsync = off
synchronous_commit = off
full_page_writes = off
${GODWIT_PG_EXTRA_CONF:-}
CONF
  godwit_as_postgres "$GODWIT_PG_BIN/pg_ctl" -D "$GODWIT_PG_DIR/data" -l "$GODWIT_PG_DIR/server.log" -w -t 60 start >/dev/null
  GODWIT_TEST_POSTGRES_URL="postgres://postgres:$GODWIT_PG_PASSWORD@127.0.0.1:$GODWIT_PG_PORT/postgres?sslmode=require"
  export GODWIT_PG_DIR GODWIT_PG_PORT GODWIT_PG_PASSWORD GODWIT_TEST_POSTGRES_URL
  echo "PostgreSQL 15 on 127.0.0.1:$GODWIT_PG_PORT (SCRAM, TLS), files in $GODWIT_PG_DIR" >&2
}

godwit_postgres_stop() {
  [[ -n ${GODWIT_PG_DIR:-} && -d $GODWIT_PG_DIR ]] || return 0
  godwit_as_postgres "$GODWIT_PG_BIN/pg_ctl" -D "$GODWIT_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$GODWIT_PG_DIR"
}
