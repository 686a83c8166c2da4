#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests on 127.0.0.1 and prints its URL on stdout (logs go to stderr).
# Idempotent: when the server is already running it only prints the URL. Installs Debian's `postgresql` package when
# no PostgreSQL binaries are found. Usage in CI:
#   HERD_TEST_POSTGRES_URL="$(scripts/ci/start-postgres.sh)"; export HERD_TEST_POSTGRES_URL
# Settings (environment): HERD_TEST_POSTGRES_PORT (default 54329), HERD_TEST_POSTGRES_DIR (default /tmp/herd-postgres-<port>).
set -euo pipefail

port="${HERD_TEST_POSTGRES_PORT:-54329}"
root="${HERD_TEST_POSTGRES_DIR:-/tmp/herd-postgres-${port}}"
database=herd_test
url="postgresql://postgres@127.0.0.1:${port}/${database}"

log() { echo "start-postgres: $*" >&2; }

# Debian puts the server binaries in /usr/lib/postgresql/<major>/bin, which is not on PATH.
find_bin() {
  if command -v initdb >/dev/null 2>&1; then
    # Resolve symlinks (e.g. /usr/local/bin/initdb): pg_isready and psql sit beside the real binary.
    dirname "$(readlink -f "$(command -v initdb)")"
    return 0
  fi
  local newest
  newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$newest" ] && [ -x "$newest/initdb" ]; then
    echo "$newest"
    return 0
  fi
  return 1
}

if ! bin="$(find_bin)"; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "no PostgreSQL binaries (initdb) found; install PostgreSQL (e.g. apt-get install -y postgresql) and run again"
    exit 1
  fi
  log "installing postgresql from Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  # The package's own 'main' cluster is not needed; skipping it keeps the install quick.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/herd-no-main-cluster.conf
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bin="$(find_bin)" || { log "postgresql installed but initdb was not found"; exit 1; }
fi

# The server refuses to run as root: as root, run everything as the `postgres` system user.
if [ "$(id -u)" = 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi
  as_owner() { runuser -u postgres -- "$@"; }
  owner=postgres
else
  as_owner() { "$@"; }
  owner="$(id -un)"
fi

mkdir -p "$root"
chown "$owner" "$root"
chmod 700 "$root"

# Two concurrent callers must not both run initdb.
exec 9>"${root}.lock"
flock 9

ready() { "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; }

create_cluster() {
  log "creating a cluster in $root/data"
  rm -rf "$root/data"
  as_owner "$bin/initdb" -D "$root/data" -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync >"$root/initdb.log" 2>&1 \
    || { cat "$root/initdb.log" >&2; return 1; }
}

start_server() {
  log "starting the server on 127.0.0.1:$port"
  : >"$root/server.log"
  chown "$owner" "$root/server.log"
  # Durability is irrelevant for a throwaway test server; turning it off keeps the tests fast. The server must not
  # inherit the lock (fd 9) nor the caller's stdout, or later callers and "$(...)" would wait for it forever.
  as_owner "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 30 start \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$root -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
    9>&- </dev/null >&2
}

if ! ready; then
  if [ ! -f "$root/data/PG_VERSION" ]; then
    create_cluster
  fi
  if ! start_server; then
    # A cluster left by an older run (another PostgreSQL major, a killed server, another owner) is disposable.
    cat "$root/server.log" >&2
    log "could not start the existing cluster; creating a new one"
    as_owner "$bin/pg_ctl" -D "$root/data" stop -m immediate 9>&- >/dev/null 2>&1 || true
    create_cluster
    start_server || { cat "$root/server.log" >&2; exit 1; }
  fi
fi

exists="$("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'")"
if [ "$exists" != 1 ]; then
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$database"
fi

echo "$url"
