#!/usr/bin/env bash
# The ERP's PostgreSQL cluster (sourced by setup-tryton.sh and tryton.sh; see docs/erp-tryton.md).
#
# One cluster per template (.artifacts/tryton/template-pg-<hash>/): its data in pgdata/, the template database
# integration_template in it, built once. Every Tryton a test or a run starts gets its own database, copied with
# CREATE DATABASE ... TEMPLATE integration_template (a few hundred ms), and a lease: the run directory
# (.artifacts/tryton/run.XXXXXX/lease) naming its database and the process it belongs to. The cluster is started by
# the first lease and stopped (by its pid) when the last lease is released; a lease whose owner process is gone is
# released by the next script that takes the lock (its trytond stopped, its database dropped). All of it under the
# flock .artifacts/tryton/.cluster.lock, so parallel test processes share one cluster safely.
#
# It listens on 127.0.0.1 (a free port chosen at start, scram-sha-256 password) and on a unix socket in a
# directory of ours (trust; the directory is the cluster owner's, mode 0700). initdb and postgres refuse to run as
# root: as root the cluster belongs to Debian's `postgres` user (runuser); otherwise to the user running the script.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_TEMPLATE_DATABASE=integration_template
PG_ROLE=tryton

# tryton_backend: TRYTON_DB (postgresql by default, or sqlite), checked.
tryton_backend() {
  case "${TRYTON_DB:-postgresql}" in
    postgresql | postgres | pg) echo postgresql ;;
    sqlite) echo sqlite ;;
    *) die "TRYTON_DB must be postgresql (the default) or sqlite, not '${TRYTON_DB}'." ;;
  esac
}

# template_hash: what the template is built from (these scripts and the connector's Tryton module); a change to any
# of them builds a new template.
template_hash() {
  cat "$REPO_ROOT/tests/env/setup-tryton.sh" "$REPO_ROOT/tests/env/tryton-postgres.sh" | sha256sum | cut -c1-12
}

# pg_as_owner CMD...: runs CMD as the cluster's owner.
pg_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_chown() {
  if [[ $(id -u) -eq 0 ]]; then chown -R postgres:postgres "$@"; fi
}

# pg_postmaster_pid CLUSTER_DIR: the running postmaster's pid, or nothing.
pg_postmaster_pid() {
  local pidfile="$1/pgdata/postmaster.pid" pid
  [[ -f "$pidfile" ]] || return 0
  pid=$(head -1 "$pidfile" 2>/dev/null || true)
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && grep -qa postgres "/proc/$pid/cmdline" 2>/dev/null; then echo "$pid"; fi
}

# pg_start CLUSTER_DIR: starts the cluster when it is not running; sets PG_PORT and PG_SOCKET (also kept in
# CLUSTER_DIR/cluster.env for later callers).
pg_start() {
  local dir=$1 pid socket port
  pid=$(pg_postmaster_pid "$dir")
  if [[ -n "$pid" && -f "$dir/cluster.env" ]]; then
    # shellcheck disable=SC1091
    source "$dir/cluster.env"
    return 0
  fi
  # A unix socket path is limited to 107 bytes: a deep checkout gets a socket directory under /tmp instead.
  socket="$dir/socket"
  if (( ${#socket} > 80 )); then socket=$(mktemp -d "${TMPDIR:-/tmp}/tryton-pg.XXXXXX"); fi
  mkdir -p "$socket"
  chmod 0700 "$socket"
  pg_chown "$socket"
  port=$(free_port)
  local started=$SECONDS
  pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/pgdata" -l "$dir/pgdata/server.log" -w -t 60 -s \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$socket" start 8>&- 9>&- >&2 \
    || { tail -30 "$dir/pgdata/server.log" >&2; die "PostgreSQL did not start (log: $dir/pgdata/server.log)"; }
  printf 'PG_PORT=%s\nPG_SOCKET=%s\n' "$port" "$socket" >"$dir/cluster.env"
  PG_PORT=$port PG_SOCKET=$socket
  log "PostgreSQL (pid $(pg_postmaster_pid "$dir")) on 127.0.0.1:$port, socket $socket ($((SECONDS - started)) s)"
}

# pg_stop CLUSTER_DIR: a fast shutdown (SIGINT) of the postmaster by its pid; waits until it is gone.
pg_stop() {
  local dir=$1 pid i
  pid=$(pg_postmaster_pid "$dir")
  if [[ -n "$pid" ]]; then
    kill -INT "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  if [[ -f "$dir/cluster.env" ]]; then
    local socket
    socket=$(sed -n 's/^PG_SOCKET=//p' "$dir/cluster.env")
    [[ "$socket" != "${TMPDIR:-/tmp}/tryton-pg."* ]] || rm -rf "$socket"
    rm -f "$dir/cluster.env"
  fi
  return 0
}

# pg_sql SQL [DATABASE]: runs SQL as the cluster's superuser over the socket.
pg_sql() {
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET" -p "$PG_PORT" -U postgres -d "${2:-postgres}" -c "$1" >&2
}

# pg_uri: trytond's [database] uri (the socket directory and port as libpq query parameters).
pg_uri() { echo "postgresql://$PG_ROLE@/?host=$PG_SOCKET&port=$PG_PORT"; }

# pg_initdb DIR PASSWORD: a new cluster in DIR/pgdata with the role trytond connects as; left running.
pg_initdb() {
  local dir=$1 password=$2
  mkdir -p "$dir/pgdata"
  chmod 0755 "$dir"
  pg_chown "$dir/pgdata"
  ( umask 077; printf '%s\n' "$password" >"$dir/.pwfile" )
  pg_chown "$dir/.pwfile"
  pg_as_owner "$PG_BIN/initdb" -D "$dir/pgdata" -U postgres --pwfile="$dir/.pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 \
    || { rm -f "$dir/.pwfile"; cat "$dir/initdb.log" >&2; die "initdb failed"; }
  rm -f "$dir/.pwfile"
  pg_start "$dir"
  pg_sql "CREATE ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$password'"
}

# pg_lease_release RUN_DIR: stops the lease's trytond when it still runs, drops its database, deletes RUN_DIR.
# Caller holds the cluster lock and has started the cluster (pg_start).
pg_lease_release() {
  local run=$1 database="" server=""
  # shellcheck disable=SC1091
  [[ -f "$run/lease" ]] && { database=$(sed -n 's/^DATABASE=//p' "$run/lease"); server=$(sed -n 's/^SERVER=//p' "$run/lease"); }
  if [[ -n "$server" ]] && grep -qa "$run/trytond.conf" "/proc/$server/cmdline" 2>/dev/null; then stop_pid "$server"; fi
  if [[ -n "$database" ]]; then pg_sql "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)"; fi
  rm -rf "$run"
}

# pg_leases CLUSTER_DIR: the run directories holding a lease on this cluster.
pg_leases() {
  local lease
  for lease in "$ARTIFACTS"/tryton/run.*/lease; do
    [[ -f "$lease" ]] && grep -qx "CLUSTER=$1" "$lease" && dirname "$lease"
  done
  return 0
}

# pg_prune CLUSTER_DIR: releases the leases whose owner process is gone. Caller holds the lock, cluster running.
pg_prune() {
  local run owner
  while read -r run; do
    [[ -n "$run" ]] || continue
    owner=$(sed -n 's/^OWNER=//p' "$run/lease")
    if [[ -z "$owner" ]] || ! kill -0 "$owner" 2>/dev/null; then
      log "Releasing the Tryton database of a process that is gone ($run)"
      pg_lease_release "$run"
    fi
  done < <(pg_leases "$1")
}

# pg_stop_if_idle CLUSTER_DIR: stops the cluster when no lease is left. Caller holds the lock.
pg_stop_if_idle() {
  [[ -n "$(pg_leases "$1")" ]] || pg_stop "$1"
}
