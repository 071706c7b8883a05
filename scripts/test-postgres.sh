#!/usr/bin/env bash
# The PostgreSQL the tests use, exported as TEST_DATABASE_URL:
#   1. TEST_DATABASE_URL when it is set;
#   2. else the one answering on 127.0.0.1:5432 (user postgres, trust auth);
#   3. else a throwaway cluster: Debian's postgresql (installed when missing), initdb into a
#      temporary directory, started on a free loopback port, stopped and removed when the shell exits.
# It prints one line saying which. Sourced by scripts/test.sh (`test_postgres`), or run directly to
# run one command with it: `bash scripts/test-postgres.sh corepack pnpm --filter @byoi/bff test`.
# TEST_PG_PORT_PROBE=<port> probes that port instead of 5432 (to try the throwaway path on a machine
# that has a PostgreSQL on 5432, which is left alone either way).
# shellcheck shell=bash

# port_answers PORT — true when something accepts TCP connections on 127.0.0.1:PORT.
port_answers() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# The directory of the newest PostgreSQL server binaries (Debian keeps them off PATH).
pg_bin_dir() {
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
    echo "$dir"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  fi
}

# A loopback port nothing listens on, from the range above PostgreSQL's default.
free_pg_port() {
  local port
  for port in $(shuf -i 54320-54999 -n 50); do
    if ! port_answers "$port"; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port found in 54320-54999" >&2
  return 1
}

TEST_PG_DIR=""
TEST_PG_BIN=""

# PostgreSQL refuses to run as root: the cluster belongs to `postgres` then.
as_pg_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop_test_postgres() {
  [ -n "$TEST_PG_DIR" ] || return 0
  as_pg_owner "$TEST_PG_BIN/pg_ctl" -D "$TEST_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$TEST_PG_DIR"
  TEST_PG_DIR=""
}

start_test_postgres() {
  TEST_PG_BIN=$(pg_bin_dir)
  if [ -z "$TEST_PG_BIN" ]; then
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "Installing Debian's postgresql for the tests"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql
    TEST_PG_BIN=$(pg_bin_dir)
    [ -n "$TEST_PG_BIN" ] || { echo "postgresql installed, but no initdb found" >&2; return 1; }
  fi
  local port
  port=$(free_pg_port)
  TEST_PG_DIR=$(mktemp -d /tmp/byoi-test-pg.XXXXXX)
  # The socket lives in the cluster's own directory: nothing is shared with a system cluster.
  [ "$(id -u)" -eq 0 ] && chown postgres: "$TEST_PG_DIR"
  trap stop_test_postgres EXIT
  # An interrupted run exits through the EXIT trap too.
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if ! as_pg_owner "$TEST_PG_BIN/initdb" -D "$TEST_PG_DIR/data" -U postgres -A trust -E UTF8 \
    --locale=C --no-sync >"$TEST_PG_DIR/initdb.log" 2>&1; then
    cat "$TEST_PG_DIR/initdb.log" >&2
    return 1
  fi
  # Durability is not under test: a cluster that dies with the run needs no fsync. A port found
  # free can be taken before the server binds it (it is in the kernel's ephemeral range): another
  # port is tried then.
  local attempt
  for attempt in 1 2 3 4 5; do
    if as_pg_owner "$TEST_PG_BIN/pg_ctl" -D "$TEST_PG_DIR/data" -l "$TEST_PG_DIR/server.log" -w -t 60 \
      -o "-k $TEST_PG_DIR -p $port -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null; then
      break
    fi
    if [ "$attempt" -eq 5 ] || ! grep -q "Address already in use" "$TEST_PG_DIR/server.log"; then
      cat "$TEST_PG_DIR/server.log" >&2
      return 1
    fi
    port=$(free_pg_port)
  done
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "Tests use a throwaway PostgreSQL ($("$TEST_PG_BIN/postgres" --version | awk '{print $3}')) on 127.0.0.1:$port, in $TEST_PG_DIR, removed on exit"
}

test_postgres() {
  if [ -n "${TEST_DATABASE_URL:-}" ]; then
    echo "Tests use the PostgreSQL of TEST_DATABASE_URL"
    export TEST_DATABASE_URL
    return 0
  fi
  local port=${TEST_PG_PORT_PROBE:-5432}
  if port_answers "$port"; then
    export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
    echo "Tests use the PostgreSQL answering on 127.0.0.1:$port"
    return 0
  fi
  start_test_postgres
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  test_postgres
  if [ $# -gt 0 ]; then
    "$@"
  fi
fi
