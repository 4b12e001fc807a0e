#!/usr/bin/env bash
# A throw-away Tryton server: a fresh copy of the template database (tests/env/setup-tryton.sh) served by
# trytond on 127.0.0.1 only, on a free port.
#
#   tests/env/tryton.sh run [PORT]     prints the connection lines, then becomes trytond (same PID), so the
#                                      caller (the test fixture) owns the process and stops it by its PID
#   tests/env/tryton.sh start [PORT]   the same in the background; prints TRYTON_PID too
#   tests/env/tryton.sh stop PID DIR   stops that trytond by PID and deletes its copy DIR
#
# Printed lines (KEY=VALUE): TRYTON_URL, TRYTON_DATABASE, TRYTON_USER, TRYTON_PASSWORD, TRYTON_DIR, then
# TRYTON_READY=1 (after which nothing more is printed by this script).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DATABASE=integration

prepare() {
  local port=$1 template dir
  template=$(bash "$REPO_ROOT/tests/env/setup-tryton.sh")
  dir=$(mktemp -d "$ARTIFACTS/tryton/run.XXXXXX")
  cp "$template/$DATABASE.sqlite" "$dir/"
  cat >"$dir/trytond.conf" <<CONF
[web]
listen = 127.0.0.1:$port
[database]
uri = sqlite://
path = $dir
list = False
CONF
  cat <<INFO
TRYTON_URL=http://127.0.0.1:$port/
TRYTON_DATABASE=$DATABASE
TRYTON_USER=admin
TRYTON_PASSWORD=$(cat "$template/admin-password")
TRYTON_DIR=$dir
INFO
  TRYTON_RUN_DIR=$dir
}

case "${1:-}" in
  run)
    port=${2:-$(free_port)}
    prepare "$port"
    echo "TRYTON_READY=1"
    exec /usr/bin/trytond -c "$TRYTON_RUN_DIR/trytond.conf" -d "$DATABASE"
    ;;
  start)
    port=${2:-$(free_port)}
    prepare "$port"
    /usr/bin/trytond -c "$TRYTON_RUN_DIR/trytond.conf" -d "$DATABASE" >"$TRYTON_RUN_DIR/trytond.log" 2>&1 &
    pid=$!
    wait_for_port "$port" 60 "$pid" || { cat "$TRYTON_RUN_DIR/trytond.log" >&2; die "trytond did not start."; }
    echo "TRYTON_PID=$pid"
    echo "TRYTON_READY=1"
    ;;
  stop)
    [[ $# -eq 3 ]] || die "usage: tests/env/tryton.sh stop PID DIR"
    stop_pid "$2"
    [[ "$3" == "$ARTIFACTS/tryton/run."* ]] && rm -rf "$3"
    ;;
  *) echo "usage: tests/env/tryton.sh run [PORT] | start [PORT] | stop PID DIR" >&2; exit 2 ;;
esac
