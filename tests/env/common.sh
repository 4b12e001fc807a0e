#!/usr/bin/env bash
# Shared shell helpers for build.sh and the test-environment scripts. Everything listens on 127.0.0.1 only,
# and everything started here is stopped by its process id.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ARTIFACTS="$REPO_ROOT/.artifacts"
mkdir -p "$ARTIFACTS"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# A free TCP port on 127.0.0.1 (asks the kernel through Node, which the project requires anyway).
free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();});"
}

# port_in_use PORT: true when something accepts connections on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for_port PORT SECONDS PID: until something accepts on 127.0.0.1:PORT, the process PID dies, or time runs out.
wait_for_port() {
  local port=$1 seconds=$2 pid=${3:-} i
  for ((i = 0; i < seconds * 10; i++)); do
    if port_in_use "$port"; then return 0; fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}

# stop_pid PID...: TERM to each at once, then KILL whichever is still running after 10 s; never touches anything but
# those processes. All at once, so stopping a run takes the slowest process's time, not the sum of them all.
stop_pid() {
  local pid i alive=()
  for pid in "$@"; do
    if [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null; then alive+=("$pid"); fi
  done
  for ((i = 0; i < 100 && ${#alive[@]} > 0; i++)); do
    sleep 0.1
    local still=()
    for pid in "${alive[@]}"; do
      if kill -0 "$pid" 2>/dev/null; then still+=("$pid"); fi
    done
    alive=("${still[@]}")
  done
  for pid in "${alive[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  return 0
}

# ensure_node_tools [run]: installs the npm tools from tests/tools/package-lock.json when missing or out of date.
# The tests need all of them; "run" needs only what ./build.sh run uses (Azurite: the lock's "dependencies"),
# so a run on a fresh clone installs neither Prism nor the third-party API clients (the "devDependencies").
ensure_node_tools() {
  command -v node >/dev/null || die "Node.js is required (https://nodejs.org or 'apt-get install nodejs npm')."
  local dir="$REPO_ROOT/tests/tools" full="$REPO_ROOT/tests/tools/node_modules/.installed-lock"
  local runtime="$REPO_ROOT/tests/tools/node_modules/.installed-lock-run"
  if cmp -s "$dir/package-lock.json" "$full" 2>/dev/null; then return 0; fi
  if [[ "${1:-}" == run ]]; then
    cmp -s "$dir/package-lock.json" "$runtime" 2>/dev/null && return 0
    log "Installing the run's tools (Azurite) with npm ci --omit=dev"
    (cd "$dir" && npm ci --omit=dev --no-audit --no-fund --loglevel=error) >&2
    cp "$dir/package-lock.json" "$runtime"
  else
    log "Installing test tools (Azurite, Prism, third-party API clients) with npm ci"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) >&2
    cp "$dir/package-lock.json" "$full"
  fi
}

AZURITE_PID=""
# start_azurite [--location DIR]: starts Azurite on free loopback ports and exports
# INTEGRATION_AZURITE_CONNECTION_STRING. In-memory unless --location (then its data and log under DIR).
start_azurite() {
  local blob queue table storage=(--inMemoryPersistence) azurite_log="$ARTIFACTS/azurite.log"
  blob=$(free_port); queue=$(free_port); table=$(free_port)
  if [[ "${1:-}" == "--location" ]]; then
    mkdir -p "$2"
    storage=(--location "$2")
    azurite_log="$2/azurite.log"
  fi
  "$REPO_ROOT/tests/tools/node_modules/.bin/azurite" --silent --disableTelemetry --skipApiVersionCheck --loose \
    "${storage[@]}" \
    --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" >"$azurite_log" 2>&1 &
  AZURITE_PID=$!
  local port
  for port in "$blob" "$queue" "$table"; do
    wait_for_port "$port" 30 "$AZURITE_PID" || { cat "$azurite_log" >&2; die "Azurite did not start."; }
  done
  local key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  export INTEGRATION_AZURITE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
  log "Azurite (pid $AZURITE_PID) on 127.0.0.1: blob $blob, queue $queue, table $table"
}

stop_azurite() { stop_pid "$AZURITE_PID"; AZURITE_PID=""; }
