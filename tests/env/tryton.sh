#!/usr/bin/env bash
# A throw-away Tryton server: a fresh copy of the template database (tests/env/setup-tryton.sh) served by
# trytond on 127.0.0.1 only, on a free port. On PostgreSQL (the default; TRYTON_DB=sqlite for SQLite) the copy is a
# database of its own in the project's cluster (tests/env/tryton-postgres.sh), leased to the calling process
# (TRYTON_OWNER_PID, by default the parent process): the cluster runs while any lease is held.
#
#   tests/env/tryton.sh run [PORT]     prints the connection lines, then becomes trytond (same PID), so the
#                                      caller (the test fixture) owns the process and stops it by its PID
#   tests/env/tryton.sh start [PORT]   the same in the background; prints TRYTON_PID too
#   tests/env/tryton.sh stop PID DIR   stops that trytond by PID and releases its copy DIR (drops its database,
#                                      stops the cluster when no other copy is left)
#   tests/env/tryton.sh release DIR    releases the copy DIR (its trytond already stopped)
#   tests/env/tryton.sh hold           starts the cluster and holds it for the calling process (a lease without a
#                                      database; prints TRYTON_DIR): ./build.sh test holds it for the whole suite,
#                                      so it starts once, not once per test process
#   tests/env/tryton.sh gc             releases the copies of processes that are gone; stops an idle cluster
#
# Printed lines (KEY=VALUE): TRYTON_URL, TRYTON_DATABASE, TRYTON_USER, TRYTON_PASSWORD, TRYTON_DIR, then
# TRYTON_READY=1 (after which nothing more is printed by this script).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/tryton-postgres.sh"

DATABASE=integration
CLUSTER_LOCK="$ARTIFACTS/tryton/.cluster.lock"

with_cluster_lock() {
  mkdir -p "$ARTIFACTS/tryton"
  exec 8>"$CLUSTER_LOCK"
  flock 8
}

prepare() {
  local port=$1 template dir database uri
  template=$(bash "$REPO_ROOT/tests/env/setup-tryton.sh")
  dir=$(mktemp -d "$ARTIFACTS/tryton/run.XXXXXX")
  if [[ -f "$template/$DATABASE.sqlite" ]]; then
    cp "$template/$DATABASE.sqlite" "$dir/"
    database=$DATABASE
    uri="sqlite://
path = $dir"
  else
    database="integration_$(basename "$dir" | cut -d. -f2 | tr '[:upper:]' '[:lower:]')"
    with_cluster_lock
    pg_start "$template"
    pg_prune "$template"
    local started=$EPOCHREALTIME
    printf 'CLUSTER=%s\nDATABASE=%s\nOWNER=%s\nSERVER=%s\n' "$template" "$database" "${TRYTON_OWNER_PID:-$PPID}" "$$" >"$dir/lease"
    pg_sql "CREATE DATABASE \"$database\" OWNER $PG_ROLE TEMPLATE $PG_TEMPLATE_DATABASE"
    log "Tryton database $database copied from the template in $(awk "BEGIN{printf \"%.2f\", $EPOCHREALTIME - $started}") s"
    flock -u 8
    uri=$(pg_uri)
  fi
  cat >"$dir/trytond.conf" <<CONF
[web]
listen = 127.0.0.1:$port
[database]
uri = $uri
list = False
CONF
  cat <<INFO
TRYTON_URL=http://127.0.0.1:$port/
TRYTON_DATABASE=$database
TRYTON_USER=admin
TRYTON_PASSWORD=$(cat "$template/admin-password")
TRYTON_DIR=$dir
INFO
  TRYTON_RUN_DIR=$dir TRYTON_RUN_DATABASE=$database
}

# release DIR: drops the copy's database (PostgreSQL; the cluster stops when it was the last) and deletes DIR.
release() {
  local dir=$1 cluster
  [[ "$dir" == "$ARTIFACTS/tryton/run."* ]] || die "not a Tryton run directory: $dir"
  if [[ -f "$dir/lease" ]]; then
    cluster=$(sed -n 's/^CLUSTER=//p' "$dir/lease")
    with_cluster_lock
    pg_start "$cluster"
    pg_lease_release "$dir"
    pg_prune "$cluster"
    pg_stop_if_idle "$cluster"
  else
    rm -rf "$dir"
  fi
}

gc() {
  local cluster
  with_cluster_lock
  for cluster in "$ARTIFACTS"/tryton/template-postgresql-*; do
    [[ -n "$(pg_postmaster_pid "$cluster")" ]] || continue
    pg_start "$cluster"
    pg_prune "$cluster"
    pg_stop_if_idle "$cluster"
  done
}

case "${1:-}" in
  run)
    port=${2:-$(free_port)}
    prepare "$port"
    echo "TRYTON_READY=1"
    exec 8>&-
    exec /usr/bin/trytond -c "$TRYTON_RUN_DIR/trytond.conf" -d "$TRYTON_RUN_DATABASE"
    ;;
  start)
    port=${2:-$(free_port)}
    prepare "$port"
    /usr/bin/trytond -c "$TRYTON_RUN_DIR/trytond.conf" -d "$TRYTON_RUN_DATABASE" >"$TRYTON_RUN_DIR/trytond.log" 2>&1 8>&- &
    pid=$!
    [[ ! -f "$TRYTON_RUN_DIR/lease" ]] || sed -i "s/^SERVER=.*/SERVER=$pid/" "$TRYTON_RUN_DIR/lease"
    wait_for_port "$port" 60 "$pid" || { cat "$TRYTON_RUN_DIR/trytond.log" >&2; die "trytond did not start."; }
    echo "TRYTON_PID=$pid"
    echo "TRYTON_READY=1"
    ;;
  stop)
    [[ $# -eq 3 ]] || die "usage: tests/env/tryton.sh stop PID DIR"
    stop_pid "$2"
    [[ ! -d "$3" ]] || release "$3"
    ;;
  release)
    [[ $# -eq 2 ]] || die "usage: tests/env/tryton.sh release DIR"
    [[ ! -d "$2" ]] || release "$2"
    ;;
  hold)
    template=$(bash "$REPO_ROOT/tests/env/setup-tryton.sh")
    dir=$(mktemp -d "$ARTIFACTS/tryton/run.XXXXXX")
    if [[ ! -f "$template/$DATABASE.sqlite" ]]; then
      with_cluster_lock
      printf 'CLUSTER=%s\nOWNER=%s\n' "$template" "${TRYTON_OWNER_PID:-$PPID}" >"$dir/lease"
      pg_start "$template"
      pg_prune "$template"
    fi
    echo "TRYTON_DIR=$dir"
    ;;
  gc) gc ;;
  *) echo "usage: tests/env/tryton.sh run [PORT] | start [PORT] | stop PID DIR | release DIR | hold | gc" >&2; exit 2 ;;
esac
