#!/usr/bin/env bash
# The docker-compose topology, natively on 127.0.0.1, in one directory:
# a private PostgreSQL, `postimap migrate`, two `postimap serve` workers
# and HAProxy (docker/haproxy.cfg) in front of them, sending PROXY v2.
#
#   scripts/cluster.sh start DIR    create or reuse DIR, start everything
#   scripts/cluster.sh stop DIR     stop whatever runs from DIR
#   scripts/cluster.sh env DIR      print the running cluster's settings
#
# Ports (all on 127.0.0.1) and other settings, from the environment:
#   CLUSTER_IMAP_PORT=10143  CLUSTER_IMAPS_PORT=10993  CLUSTER_LMTP_PORT=10024
#   CLUSTER_STATS_PORT=10404                 HAProxy (stats: /stats, /metrics)
#   CLUSTER_WORKER1_IMAP_PORT=11143  CLUSTER_WORKER1_IMAPS_PORT=11993
#   CLUSTER_WORKER1_LMTP_PORT=11024  CLUSTER_WORKER1_HTTP_PORT=11080
#   CLUSTER_WORKER2_IMAP_PORT=12143  CLUSTER_WORKER2_IMAPS_PORT=12993
#   CLUSTER_WORKER2_LMTP_PORT=12024  CLUSTER_WORKER2_HTTP_PORT=12080
#   CLUSTER_PG_PORT=                         empty: PostgreSQL on its Unix
#                                            socket in DIR/pg only; a port:
#                                            also on 127.0.0.1:port
#   CLUSTER_DRAIN_TIMEOUT=10                 the workers' drain_timeout (s)
#   CLUSTER_TIMEOUT=60                       longest wait for each step (s)
#   POSTIMAP_BIN=build/server/postimap
#   POSTIMAP_PG_BINDIR=/usr/lib/postgresql/15/bin
# Other POSTIMAP_<KEY> settings in the environment reach the workers (e.g.
# POSTIMAP_LOG_LEVEL, default info); the topology's own settings win.
#
# DIR holds:
#   pg/               the cluster (pg/data), its socket, pg/postgres.log
#   tls/              cert.pem, key.pem: self-signed for localhost
#   worker1.log worker2.log haproxy.log setup.log
#   worker1.pid worker2.pid haproxy.pid
#   cluster.env       the settings in use, for `env` (shell syntax)
#
# Database users, as in docker/docker-compose.yml (docker/postgres-init.sh
# creates them): postimap owns the schema (migrate, provisioning),
# postimap_worker is the workers' login, a member of postimap_app.
# The demo account demo@example.com / demo is created when missing.
# PostgreSQL refuses to run as root: when root, it runs as the user postgres.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
HOST=127.0.0.1

usage() {
  echo "usage: $0 start|stop|env DIR" >&2
  exit 2
}

[ $# -eq 2 ] || usage
command=$1
case "$command" in start | stop | env) ;; *) usage ;; esac
[ "$command" = start ] && mkdir -p "$2"
[ -d "$2" ] || { echo "cluster: no directory $2" >&2; exit 1; }
DIR=$(cd "$2" && pwd -P)  # physical: compared with /proc/PID/cwd

BIN=${POSTIMAP_BIN:-$ROOT/build/server/postimap}
case "$BIN" in /*) ;; *) BIN=$ROOT/$BIN ;; esac
PG_BINDIR=${POSTIMAP_PG_BINDIR:-/usr/lib/postgresql/15/bin}
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
TIMEOUT=${CLUSTER_TIMEOUT:-60}
DRAIN_TIMEOUT=${CLUSTER_DRAIN_TIMEOUT:-10}

IMAP_PORT=${CLUSTER_IMAP_PORT:-10143}
IMAPS_PORT=${CLUSTER_IMAPS_PORT:-10993}
LMTP_PORT=${CLUSTER_LMTP_PORT:-10024}
STATS_PORT=${CLUSTER_STATS_PORT:-10404}
W1_IMAP=${CLUSTER_WORKER1_IMAP_PORT:-11143}
W1_IMAPS=${CLUSTER_WORKER1_IMAPS_PORT:-11993}
W1_LMTP=${CLUSTER_WORKER1_LMTP_PORT:-11024}
W1_HTTP=${CLUSTER_WORKER1_HTTP_PORT:-11080}
W2_IMAP=${CLUSTER_WORKER2_IMAP_PORT:-12143}
W2_IMAPS=${CLUSTER_WORKER2_IMAPS_PORT:-12993}
W2_LMTP=${CLUSTER_WORKER2_LMTP_PORT:-12024}
W2_HTTP=${CLUSTER_WORKER2_HTTP_PORT:-12080}
PG_TCP_PORT=${CLUSTER_PG_PORT:-}
PG_PORT=${PG_TCP_PORT:-5432}

PG_DIR=$DIR/pg
PGDATA=$PG_DIR/data
SETUP_LOG=$DIR/setup.log
MARK=
OWNER_DSN="host=$PG_DIR port=$PG_PORT dbname=postimap user=postimap"
WORKER_DSN="host=$PG_DIR port=$PG_PORT dbname=postimap user=postimap_worker"

as_root() { [ "$(id -u)" -eq 0 ]; }

# Runs a PostgreSQL server program as the cluster's owner.
as_pg_owner() {
  if as_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# True while the process in pid file $1 runs from DIR (its working
# directory), so a stale pid file never names a stranger.
running_pid() {
  local file=$1 pid state
  [ -f "$file" ] || return 1
  pid=$(cat "$file")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$DIR" ] || return 1
  state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c1)
  [ -n "$state" ] && [ "$state" != Z ] || return 1
  echo "$pid"
}

# SIGTERM to the processes of the given pid files, up to $1 seconds for
# them to exit, then SIGKILL.
stop_pids() {
  local wait_s=$1 file pid left i
  shift
  local pids=()
  for file in "$@"; do
    if pid=$(running_pid "$file"); then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  for ((i = 0; i < wait_s * 10; i++)); do
    left=0
    for pid in "${pids[@]}"; do
      [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$DIR" ] &&
        [ "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c1)" != Z ] && left=1
    done
    [ "$left" -eq 0 ] && break
    sleep 0.1
  done
  for file in "$@"; do
    if pid=$(running_pid "$file"); then
      echo "cluster: $(basename "$file" .pid) did not exit in ${wait_s} s, killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
  done
}

pg_running() {
  [ -f "$PGDATA/PG_VERSION" ] &&
    as_pg_owner "$PG_BINDIR/pg_ctl" status -D "$PGDATA" >/dev/null 2>&1
}

stop_all() {
  # Workers first: they drain and say BYE through HAProxy to their clients.
  stop_pids $((DRAIN_TIMEOUT + 5)) "$DIR/worker1.pid" "$DIR/worker2.pid"
  stop_pids 10 "$DIR/haproxy.pid"
  if pg_running; then
    as_pg_owner "$PG_BINDIR/pg_ctl" stop -D "$PGDATA" -m fast -w -t 30 >>"$SETUP_LOG" 2>&1 ||
      as_pg_owner "$PG_BINDIR/pg_ctl" stop -D "$PGDATA" -m immediate -w -t 30 >>"$SETUP_LOG" 2>&1 ||
      echo "cluster: PostgreSQL in $PGDATA did not stop; see $SETUP_LOG" >&2
  fi
}

psql_as() {
  local user=$1 db=$2
  shift 2
  "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U "$user" -d "$db" "$@"
}

# The environment of a postimap process: the caller's, without
# POSTIMAP_BIN (the server refuses unknown POSTIMAP_* keys), with the
# settings given after this on top.
POSTIMAP_ENV=(env -u POSTIMAP_BIN POSTIMAP_CONFIG=/dev/null "POSTIMAP_LOG_LEVEL=${POSTIMAP_LOG_LEVEL:-info}")

# GET /healthz answers 200 on 127.0.0.1:$1.
healthy() {
  POSTIMAP_HTTP_LISTEN="$HOST:$1" "$ROOT/docker/healthcheck.sh" >/dev/null 2>&1
}

# The first line the server at 127.0.0.1:$1 sends starts with $2.
greets() {
  local port=$1 want=$2 line=
  { exec 3<>"/dev/tcp/$HOST/$port"; } 2>/dev/null || return 1
  IFS= read -r -t 2 line <&3 || true
  exec 3<&-
  [[ "$line" == "$want"* ]]
}

accepts() {
  { exec 3<>"/dev/tcp/$HOST/$1"; } 2>/dev/null || return 1
  exec 3<&-
}

fail() {
  echo "cluster: $*" >&2
  exit 1
}

# What this start wrote to each log: the lines after its marker.
tail_logs() {
  local f lines
  for f in "$SETUP_LOG" "$PG_DIR/postgres.log" "$DIR/worker1.log" "$DIR/worker2.log" "$DIR/haproxy.log"; do
    [ -s "$f" ] || continue
    grep -qF "$MARK" "$f" || [ "$f" = "$PG_DIR/postgres.log" ] || continue
    lines=$(awk -v mark="$MARK" 'index($0, mark) { n = 0; next } { line[n++] = $0 }
      END { for (i = (n > 20 ? n - 20 : 0); i < n; i++) print line[i] }' "$f")
    if [ -n "$lines" ]; then
      printf -- '---- %s (this start, last 20 lines)\n%s\n' "$f" "$lines" >&2
    fi
  done
}

start_pg() {
  local sock=$PG_DIR/.s.PGSQL.$PG_PORT
  [ ${#sock} -le 107 ] || fail "$DIR is too long a path for PostgreSQL's Unix socket; choose a shorter one"
  [ -x "$PG_BINDIR/initdb" ] || fail "no PostgreSQL in $PG_BINDIR (set POSTIMAP_PG_BINDIR)"
  mkdir -p "$PG_DIR"
  chmod 700 "$PG_DIR"
  if as_root; then
    id postgres >/dev/null 2>&1 || fail "running as root needs the user postgres (package postgresql)"
    chown -R postgres:postgres "$PG_DIR"
    runuser -u postgres -- test -x "$PG_DIR" ||
      fail "the user postgres cannot reach $PG_DIR (a parent directory is not searchable); choose a directory elsewhere, e.g. under /tmp"
  fi
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    rm -rf "$PGDATA"
    as_pg_owner "$PG_BINDIR/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 \
      --locale=C.UTF-8 --no-sync >>"$SETUP_LOG" 2>&1 || fail "initdb failed; see $SETUP_LOG"
    # A scratch cluster: speed over durability.
    as_pg_owner tee -a "$PGDATA/postgresql.conf" >/dev/null <<EOF

# Added by scripts/cluster.sh
unix_socket_directories = '$PG_DIR'
unix_socket_permissions = 0700
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  fi
  if ! pg_running; then
    local listen=""
    [ -n "$PG_TCP_PORT" ] && listen=$HOST
    as_pg_owner "$PG_BINDIR/pg_ctl" start -D "$PGDATA" -l "$PG_DIR/postgres.log" -w -t "$TIMEOUT" \
      -o "-c listen_addresses='$listen' -c port=$PG_PORT" >>"$SETUP_LOG" 2>&1 ||
      fail "PostgreSQL did not start; see $PG_DIR/postgres.log"
  fi
}

# Roles and database as the compose file's postgres service makes them.
create_database() {
  local have
  have=$(psql_as postgres postgres -tA -c "select 1 from pg_database where datname = 'postimap'")
  [ "$have" = 1 ] && return 0
  PATH=$PG_BINDIR:$PATH PGHOST=$PG_DIR PGPORT=$PG_PORT POSTGRES_USER=postgres \
    PG_OWNER_PASSWORD=unused-with-trust PG_WORKER_PASSWORD=unused-with-trust \
    "$ROOT/docker/postgres-init.sh" >>"$SETUP_LOG" 2>&1 ||
    fail "creating the roles and the database failed; see $SETUP_LOG"
}

migrate_and_provision() {
  (cd "$DIR" && "${POSTIMAP_ENV[@]}" "POSTIMAP_DSN=$OWNER_DSN" "$BIN" migrate) >>"$SETUP_LOG" 2>&1 ||
    fail "postimap migrate failed; see $SETUP_LOG"
  psql_as postimap postimap >>"$SETUP_LOG" 2>&1 <<'SQL' || fail "provisioning failed; see $SETUP_LOG"
select create_tenant('example.com')
 where not exists (select from domains where name = 'example.com');
select create_user('demo@example.com', 'demo')
 where not exists (select from users where local_part = 'demo' and domain = 'example.com');
SQL
}

make_certificate() {
  local tls=$DIR/tls
  [ -s "$tls/cert.pem" ] && [ -s "$tls/key.pem" ] && return 0
  mkdir -p "$tls"
  chmod 700 "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -subj /CN=localhost \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$tls/key.pem" -out "$tls/cert.pem" >>"$SETUP_LOG" 2>&1 ||
    fail "openssl could not make a certificate; see $SETUP_LOG"
}

# start_worker N IMAP IMAPS LMTP HTTP
start_worker() {
  local n=$1
  # The child starts in DIR at once (running_pid checks its cwd): cd here,
  # not inside the background subshell, which may not have run yet.
  cd "$DIR"
  (
    exec "${POSTIMAP_ENV[@]}" \
      "POSTIMAP_DSN=$WORKER_DSN" \
      POSTIMAP_DB_ROLE=postimap_app \
      POSTIMAP_AUTO_MIGRATE=false \
      "POSTIMAP_LISTEN=$HOST:$2" \
      "POSTIMAP_TLS_LISTEN=$HOST:$3" \
      "POSTIMAP_LMTP_LISTEN=$HOST:$4" \
      POSTIMAP_LMTP_SOCKET= \
      "POSTIMAP_HTTP_LISTEN=$HOST:$5" \
      "POSTIMAP_TLS_CERT=$DIR/tls/cert.pem" \
      "POSTIMAP_TLS_KEY=$DIR/tls/key.pem" \
      POSTIMAP_PROXY_NETWORKS=127.0.0.0/8 \
      "POSTIMAP_DRAIN_TIMEOUT=$DRAIN_TIMEOUT" \
      "$BIN" serve
  ) </dev/null >>"$DIR/worker$n.log" 2>&1 &
  echo $! >"$DIR/worker$n.pid"
  cd "$ROOT"
}

wait_worker() {
  local n=$1 http=$2 i
  for ((i = 0; i < TIMEOUT * 10; i++)); do
    running_pid "$DIR/worker$n.pid" >/dev/null || fail "worker $n exited; see $DIR/worker$n.log"
    healthy "$http" && return 0
    sleep 0.1
  done
  fail "worker $n did not answer /healthz on $HOST:$http within $TIMEOUT s"
}

start_haproxy() {
  [ -x "$HAPROXY" ] || fail "no haproxy (package haproxy)"
  cd "$DIR"  # as in start_worker
  (
    exec env \
      "LB_IMAP_BIND=$HOST:$IMAP_PORT" "LB_IMAPS_BIND=$HOST:$IMAPS_PORT" \
      "LB_LMTP_BIND=$HOST:$LMTP_PORT" "LB_STATS_BIND=$HOST:$STATS_PORT" \
      "LB_WORKER1_IMAP=$HOST:$W1_IMAP" "LB_WORKER1_IMAPS=$HOST:$W1_IMAPS" \
      "LB_WORKER1_LMTP=$HOST:$W1_LMTP" "LB_WORKER1_HTTP=$W1_HTTP" \
      "LB_WORKER2_IMAP=$HOST:$W2_IMAP" "LB_WORKER2_IMAPS=$HOST:$W2_IMAPS" \
      "LB_WORKER2_LMTP=$HOST:$W2_LMTP" "LB_WORKER2_HTTP=$W2_HTTP" \
      "$HAPROXY" -db -f "$ROOT/docker/haproxy.cfg"
  ) </dev/null >>"$DIR/haproxy.log" 2>&1 &
  echo $! >"$DIR/haproxy.pid"
  cd "$ROOT"
}

# Ready when the frontends answer through to a worker: the IMAP greeting
# and the LMTP one arrive (so the PROXY header was accepted), IMAPS accepts.
wait_haproxy() {
  local i
  for ((i = 0; i < TIMEOUT * 10; i++)); do
    running_pid "$DIR/haproxy.pid" >/dev/null || fail "haproxy exited; see $DIR/haproxy.log"
    greets "$IMAP_PORT" "* OK" && greets "$LMTP_PORT" "220" && accepts "$IMAPS_PORT" && return 0
    sleep 0.1
  done
  fail "HAProxy's frontends did not answer within $TIMEOUT s"
}

# The settings in use, under the names that set them.
write_env() {
  {
    printf 'CLUSTER_DIR=%q\n' "$DIR"
    printf 'CLUSTER_IMAP_PORT=%q\nCLUSTER_IMAPS_PORT=%q\nCLUSTER_LMTP_PORT=%q\nCLUSTER_STATS_PORT=%q\n' \
      "$IMAP_PORT" "$IMAPS_PORT" "$LMTP_PORT" "$STATS_PORT"
    printf 'CLUSTER_WORKER1_IMAP_PORT=%q\nCLUSTER_WORKER1_IMAPS_PORT=%q\n' "$W1_IMAP" "$W1_IMAPS"
    printf 'CLUSTER_WORKER1_LMTP_PORT=%q\nCLUSTER_WORKER1_HTTP_PORT=%q\n' "$W1_LMTP" "$W1_HTTP"
    printf 'CLUSTER_WORKER2_IMAP_PORT=%q\nCLUSTER_WORKER2_IMAPS_PORT=%q\n' "$W2_IMAP" "$W2_IMAPS"
    printf 'CLUSTER_WORKER2_LMTP_PORT=%q\nCLUSTER_WORKER2_HTTP_PORT=%q\n' "$W2_LMTP" "$W2_HTTP"
    printf 'CLUSTER_PG_PORT=%q\n' "$PG_TCP_PORT"
    printf 'CLUSTER_DRAIN_TIMEOUT=%q\n' "$DRAIN_TIMEOUT"
    # Derived: the binary, where to reach PostgreSQL, the certificate to trust.
    printf 'CLUSTER_POSTIMAP_BIN=%q\n' "$BIN"
    printf 'CLUSTER_PGHOST=%q\nCLUSTER_PGPORT=%q\n' "$PG_DIR" "$PG_PORT"
    printf 'CLUSTER_OWNER_DSN=%q\nCLUSTER_WORKER_DSN=%q\n' "$OWNER_DSN" "$WORKER_DSN"
    printf 'CLUSTER_CA_FILE=%q\n' "$DIR/tls/cert.pem"
  } >"$DIR/cluster.env"
}

start_failed() {
  [ "$1" -eq 0 ] && return 0
  set +e
  tail_logs
  stop_all
}

start() {
  [ -x "$BIN" ] || fail "no postimap binary at $BIN (build it, or set POSTIMAP_BIN)"
  local f
  for f in worker1 worker2 haproxy; do
    running_pid "$DIR/$f.pid" >/dev/null && fail "$f already runs from $DIR; stop it first"
  done
  MARK="==== scripts/cluster.sh start $(date -u +%Y-%m-%dT%H:%M:%SZ) $$"
  for f in "$SETUP_LOG" "$DIR/worker1.log" "$DIR/worker2.log" "$DIR/haproxy.log"; do
    echo "$MARK" >>"$f"
  done
  # A failed start leaves nothing running.
  trap 'start_failed $?' EXIT
  start_pg
  create_database
  migrate_and_provision
  make_certificate
  start_worker 1 "$W1_IMAP" "$W1_IMAPS" "$W1_LMTP" "$W1_HTTP"
  start_worker 2 "$W2_IMAP" "$W2_IMAPS" "$W2_LMTP" "$W2_HTTP"
  wait_worker 1 "$W1_HTTP"
  wait_worker 2 "$W2_HTTP"
  start_haproxy
  wait_haproxy
  write_env
  trap - EXIT
  cat <<EOF
Postimap cluster running from $DIR
  IMAP (STARTTLS)  $HOST:$IMAP_PORT
  IMAPS            $HOST:$IMAPS_PORT   (certificate: $DIR/tls/cert.pem, CN localhost)
  LMTP             $HOST:$LMTP_PORT
  HAProxy stats    http://$HOST:$STATS_PORT/stats
  worker 1         IMAP $W1_IMAP, IMAPS $W1_IMAPS, LMTP $W1_LMTP, http://$HOST:$W1_HTTP/healthz
  worker 2         IMAP $W2_IMAP, IMAPS $W2_IMAPS, LMTP $W2_LMTP, http://$HOST:$W2_HTTP/healthz
  PostgreSQL       psql -h $PG_DIR -p $PG_PORT -U postimap postimap
Demo account demo@example.com / demo:
  curl -s --user demo@example.com:demo imap://$HOST:$IMAP_PORT/
  curl -s --cacert $DIR/tls/cert.pem --user demo@example.com:demo imaps://localhost:$IMAPS_PORT/
Stop with: $0 stop $DIR
EOF
}

case "$command" in
  start) start ;;
  stop)
    # The drain time the workers were started with.
    if [ -f "$DIR/cluster.env" ]; then
      DRAIN_TIMEOUT=$(sed -n 's/^CLUSTER_DRAIN_TIMEOUT=//p' "$DIR/cluster.env")
      DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-10}
    fi
    stop_all
    ;;
  env)
    [ -f "$DIR/cluster.env" ] || fail "no cluster started from $DIR"
    cat "$DIR/cluster.env"
    ;;
esac
