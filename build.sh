#!/usr/bin/env bash
# The project's two commands (see README.md):
#   ./build.sh run    runs the product locally: Azurite, Tryton, the BigCommerce and HubSpot emulators and the
#                     Standalone host, wired together; prints where everything is and places a first order
#   ./build.sh run --store-day   the same, then plays a store's day and checks convergence (docs/store-day.md)
#   ./build.sh run --store-day --peak   the same day, then a peak: 10,000 orders at 2/s at a Pro store's quota, the hub
#                     and Tryton each killed (-9) once and restarted by a supervisor (docs/store-day.md, "A peak day")
#   ./build.sh run --host functions [--store-day]   the same with the Azure Functions worker (src/Integration.Functions)
#                     under the Functions test host in place of the Standalone host (docs/functions-test-host.md)
#   ./build.sh test   runs every test, after installing and starting what the tests need
#   ./build.sh fidelity   runs the emulators' outside checks alone and writes docs/emulator-fidelity.md
# and, beside them:
#   ./build.sh hub COMMAND...   runs an operations command of the hub (Integration.Standalone COMMAND..., e.g.
#                               quarantine list --store abc123) against the local run that is going
set -euo pipefail

# Ctrl+C and SIGTERM stop everything however the script was started. bash starts a background job of a
# non-interactive shell (`./build.sh run &` in a script) with SIGINT ignored, and a signal ignored on entry cannot
# be trapped: then the script starts itself again (same pid, exec) with SIGINT and SIGTERM set back to default, so
# the traps below take them.
# The marker holds the pid (exec keeps it), so a script this one starts (the tests start runs in the background, under
# a ./build.sh test that may itself be a background job) makes its own check rather than inheriting a "done".
if [[ "${INTEGRATION_SIGNALS_RESET:-}" != "$$" && -r /proc/$$/status ]] \
  && (( 16#$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status) & 0x4002 )); then
  export INTEGRATION_SIGNALS_RESET=$$
  exec env --default-signal=INT,TERM bash "$0" "$@"
fi

source "$(dirname "${BASH_SOURCE[0]}")/tests/env/common.sh"
cd "$REPO_ROOT"

# One local run at a time per directory: its Azurite data, logs, the pids it started and the settings the
# operations commands read (hub.env). INTEGRATION_RUN_DIR puts a second run elsewhere.
RUN_DIR=${INTEGRATION_RUN_DIR:-$ARTIFACTS/run}
STANDALONE_DLL=src/Integration.Standalone/bin/Release/net10.0/Integration.Standalone.dll
FUNCTIONS_HOST_DLL=tests/Integration.Functions.LocalHost/bin/Release/net10.0/Integration.Functions.LocalHost.dll

PIDS_TO_STOP=()
TRYTON_STOP=()
FUNCTIONS_WORKER_PID=""
SUPERVISORS=() SUPERVISED=()
cleanup() {
  # Supervisors first (they would start what they watch again), then what they started last.
  [[ ${#SUPERVISORS[@]} -eq 0 ]] || stop_pid "${SUPERVISORS[@]}"
  local file
  for file in "${SUPERVISED[@]}"; do stop_pid "$(cat "$file" 2>/dev/null)"; done
  stop_pid "${PIDS_TO_STOP[@]}"
  # The Functions host stops its worker; this stops it by its pid when the host could not.
  [[ -z "$FUNCTIONS_WORKER_PID" ]] || stop_pid "$FUNCTIONS_WORKER_PID"
  [[ ${#TRYTON_STOP[@]} -eq 0 ]] || "${TRYTON_STOP[@]}"
  stop_azurite
  # The settings describe a run that is gone: the operations commands must not reach for it.
  [[ ! -f "$RUN_DIR/owner" || "$(cat "$RUN_DIR/owner")" != "$$" ]] || rm -f "$RUN_DIR/hub.env" "$RUN_DIR/owner"
}
trap cleanup EXIT
# A signal arriving while a step runs in the foreground (a build, Tryton's start) is taken when that step ends.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# node_json METHOD URL [BODY] [HEADER...]: an HTTP call through Node (always present here), printing the JSON answer.
node_json() {
  node -e '
    const [method, url, body, ...headers] = process.argv.slice(1);
    const h = { "Content-Type": "application/json", Accept: "application/json" };
    for (const x of headers) { const i = x.indexOf(":"); h[x.slice(0, i)] = x.slice(i + 1).trim(); }
    fetch(url, { method, headers: h, body: body || undefined })
      .then(async r => { const t = await r.text(); if (!r.ok) { console.error(r.status, t); process.exit(1); } console.log(t); })
      .catch(e => { console.error(e.message); process.exit(1); });' "$@"
}

# started PID: remembers a process this run started, to stop it at the end (and for RUN_DIR/pids).
started() {
  PIDS_TO_STOP+=("$1")
  echo "$1" >>"$RUN_DIR/pids"
}

# supervise PIDFILE CMD...: a service manager's restart policy, for the peak day (which kills the hub and trytond with
# -9): whenever the process whose pid PIDFILE holds is gone, starts CMD and writes its pid there. Its own children are
# waited for; a process it did not start (trytond from tests/env/tryton.sh) is polled. Run it in the background and
# pass its pid to `supervised`.
supervise() {
  local pidfile=$1 pid; shift
  while true; do
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null || sleep 0.5
      continue
    fi
    "$@" &
    echo $! >"$pidfile"
    echo $! >>"$RUN_DIR/pids"
  done
}

# supervised SUPERVISOR_PID PIDFILE: stops the supervisor, then what it started last, at the end of the run.
supervised() {
  SUPERVISORS+=("$1") SUPERVISED+=("$2")
  echo "$1" >>"$RUN_DIR/pids"
}

run() {
  local store_day=0 host=standalone peak=0
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --store-day) store_day=1 ;;
      --peak) peak=1 ;;
      --host)
        [[ "${2:-}" == standalone || "${2:-}" == functions ]] || die "--host takes standalone (the default) or functions, not '${2:-}'."
        host=$2; shift ;;
      *) die "Unknown option '$1' for ./build.sh run: use [--host standalone|functions] [--store-day [--peak]]." ;;
    esac
    shift
  done
  if [[ $peak -eq 1 ]]; then
    [[ $store_day -eq 1 ]] || die "--peak is a store day's peak: use ./build.sh run --store-day --peak."
    [[ $host == standalone ]] || die "--peak kills and restarts the Standalone host: it runs with --host standalone only."
  fi
  [[ $store_day -eq 1 ]] && EMULATOR_EXTRA_ARGS=("${STORE_DAY_EMULATOR_ARGS[@]}") CRM_EXTRA_ARGS=("${STORE_DAY_CRM_ARGS[@]}")
  [[ $peak -eq 1 ]] && EMULATOR_EXTRA_ARGS+=("${PEAK_EMULATOR_ARGS[@]}") CRM_EXTRA_ARGS+=("${PEAK_CRM_ARGS[@]}")
  # A port given but taken fails here, before anything is started or announced.
  local hub_port=${INTEGRATION_PORT:-}
  if [[ -n "$hub_port" ]]; then
    [[ "$hub_port" =~ ^[0-9]+$ && "$hub_port" -ge 1 && "$hub_port" -le 65535 ]] || die "INTEGRATION_PORT=$hub_port is not a port number."
    ! port_in_use "$hub_port" \
      || die "INTEGRATION_PORT=$hub_port: 127.0.0.1:$hub_port is already in use. Choose a free port, or unset INTEGRATION_PORT for any free one."
  fi
  if [[ -f "$RUN_DIR/owner" ]] && kill -0 "$(cat "$RUN_DIR/owner")" 2>/dev/null; then
    die "A local run (pid $(cat "$RUN_DIR/owner")) is already using $RUN_DIR: stop it, or set INTEGRATION_RUN_DIR for a second one."
  fi
  # Every run starts fresh, like Tryton and the emulator: no quarantine rows or event ids from an earlier run.
  rm -rf "$RUN_DIR"
  mkdir -p "$RUN_DIR"
  echo $$ >"$RUN_DIR/owner"
  echo $$ >"$RUN_DIR/pids"

  ensure_node_tools run
  bash tests/env/setup-tryton.sh >/dev/null
  if [[ "${INTEGRATION_SKIP_BUILD:-}" != 1 ]]; then
    log "Building"
    dotnet build src/Integration.Standalone -c Release -nologo -v quiet -clp:ErrorsOnly >&2
    if [[ $host == functions ]]; then
      dotnet build src/Integration.Functions -c Release -nologo -v quiet -clp:ErrorsOnly >&2
      dotnet build tests/Integration.Functions.LocalHost -c Release -nologo -v quiet -clp:ErrorsOnly >&2
    fi
    dotnet build src/Integration.BigCommerce.Emulator -c Release -nologo -v quiet -clp:ErrorsOnly >&2
    dotnet build src/Integration.Crm.HubSpot.Emulator -c Release -nologo -v quiet -clp:ErrorsOnly >&2
    # The store day runs the relay the hub reaches Tryton through: built now, so it starts right after the hub.
    [[ $store_day -eq 1 ]] && dotnet build src/Integration.StoreDay -c Release -nologo -v quiet -clp:ErrorsOnly >&2
  fi
  start_azurite --location "$RUN_DIR/azurite"
  echo "$AZURITE_PID" >>"$RUN_DIR/pids"

  # Tryton: a fresh copy of the template database on a free loopback port.
  local line tryton_pid="" tryton_dir=""
  while IFS='=' read -r key value; do
    case "$key" in
      TRYTON_URL) TRYTON_URL=$value ;; TRYTON_DATABASE) TRYTON_DATABASE=$value ;; TRYTON_USER) TRYTON_USER=$value ;;
      TRYTON_PASSWORD) TRYTON_PASSWORD=$value ;; TRYTON_DIR) tryton_dir=$value ;; TRYTON_PID) tryton_pid=$value ;;
    esac
  done < <(TRYTON_OWNER_PID=$$ bash tests/env/tryton.sh start)
  [[ -n "$tryton_pid" ]] || die "Tryton did not start."
  TRYTON_STOP=(bash tests/env/tryton.sh stop "$tryton_pid" "$tryton_dir")
  echo "$tryton_pid" >>"$RUN_DIR/pids"
  log "Tryton (pid $tryton_pid) on $TRYTON_URL"
  if [[ $peak -eq 1 ]]; then
    # The peak kills trytond (-9): it comes back on the same database and port, as under a service manager.
    echo "$tryton_pid" >"$RUN_DIR/tryton.pid"
    supervise "$RUN_DIR/tryton.pid" /usr/bin/trytond -c "$tryton_dir/trytond.conf" -d "$TRYTON_DATABASE" >>"$RUN_DIR/trytond-restarted.log" 2>&1 &
    supervised $! "$RUN_DIR/tryton.pid"
  fi

  # The BigCommerce emulator: one store with a seeded catalog and shoppers.
  local store=${INTEGRATION_STORE_HASH:-abc123} token emulator_port emulator_url
  token=$(node -e "console.log(require('crypto').randomBytes(16).toString('hex'))")
  emulator_port=$(free_port)
  emulator_url="http://127.0.0.1:$emulator_port"
  dotnet src/Integration.BigCommerce.Emulator/bin/Release/net10.0/Integration.BigCommerce.Emulator.dll \
    --Emulator:Urls="$emulator_url" --Emulator:Stores:0:StoreHash="$store" --Emulator:Stores:0:ApiToken="$token" \
    --Emulator:Seed:Products=25 --Emulator:Seed:Customers=10 --Emulator:Seed:Orders=0 "${EMULATOR_EXTRA_ARGS[@]}" >"$RUN_DIR/emulator.log" 2>&1 &
  started $!
  wait_for_port "$emulator_port" 60 "$!" || { cat "$RUN_DIR/emulator.log" >&2; die "The emulator did not start."; }
  log "BigCommerce emulator (pid ${PIDS_TO_STOP[-1]}) on $emulator_url"
  local seeded
  seeded=$(python3 tests/env/seed-tryton-catalog.py "$TRYTON_URL" "$TRYTON_DATABASE" "$TRYTON_USER" "$TRYTON_PASSWORD" \
    "$emulator_url" "$store" "$token") || die "Could not create the emulated catalog's SKUs in Tryton."
  log "Created $seeded Tryton products for the emulated catalog's SKUs"

  # The HubSpot emulator: the CRM orders and customers also reach. Its token is made up per run and handed over in the
  # environment (never on a command line other users can read, never in a committed file).
  local crm_token crm_port crm_url
  crm_token=pat-$(node -e "console.log(require('crypto').randomBytes(16).toString('hex'))")
  crm_port=$(free_port)
  crm_url="http://127.0.0.1:$crm_port"
  HubSpotEmulator__AccessToken="$crm_token" dotnet src/Integration.Crm.HubSpot.Emulator/bin/Release/net10.0/Integration.Crm.HubSpot.Emulator.dll \
    --HubSpotEmulator:Urls="$crm_url" "${CRM_EXTRA_ARGS[@]}" >"$RUN_DIR/hubspot.log" 2>&1 &
  started $!
  wait_for_port "$crm_port" 60 "$!" || { cat "$RUN_DIR/hubspot.log" >&2; die "The HubSpot emulator did not start."; }
  log "HubSpot emulator (pid ${PIDS_TO_STOP[-1]}) on $crm_url"

  # The hub (Standalone host, or the Functions worker under the Functions test host): intake, Storage queues,
  # consumers, ERP and CRM sync.
  local secret url
  hub_port=${hub_port:-$(free_port)}
  url="http://127.0.0.1:$hub_port"
  secret=${INTEGRATION_WEBHOOK_SECRET:-$(node -e "console.log(require('crypto').randomBytes(24).toString('hex'))")}
  if [[ $host == standalone ]]; then
    export Standalone__Urls="$url"
  else
    # The store day posts its hooks to the worker's intake through the Functions host's front door.
    export StoreDay__WebhookUrl="$url/api/webhooks/bigcommerce"
  fi
  export Transport__Kind=StorageQueues
  export Transport__StorageQueues__ConnectionString="$INTEGRATION_AZURITE_CONNECTION_STRING"
  export State__ConnectionString="$INTEGRATION_AZURITE_CONNECTION_STRING"
  export BigCommerce__Api__BaseAddress="$emulator_url"
  export BigCommerce__Stores__0__StoreHash="$store"
  export BigCommerce__Stores__0__WebhookSecret="$secret"
  export BigCommerce__Stores__0__ApiToken="$token"
  export BigCommerce__Stores__0__WebhookDestination="$url/api/webhooks/bigcommerce"
  export Erp__Tryton__Url="$TRYTON_URL" Erp__Tryton__Database="$TRYTON_DATABASE" Erp__Tryton__User="$TRYTON_USER"
  export Erp__Tryton__Password="$TRYTON_PASSWORD" Erp__Tryton__CompanyId=1 Erp__Tryton__Warehouses__main=WH
  export Erp__Tryton__OrderWarehouse=main
  export Crm__HubSpot__BaseAddress="$crm_url/" Crm__HubSpot__AccessToken="$crm_token"
  # In a store day the hub reaches Tryton through a relay the store day runs and stops for the ERP's outage
  # (StoreDay:ErpOutageSeconds, 3 minutes): the hub's Erp__Tryton__Url names the relay's port, the store day reads
  # Tryton itself at $TRYTON_URL (STORE_DAY_TRYTON_URL).
  if [[ $store_day -eq 1 ]]; then
    STORE_DAY_RELAY_PORT=$(free_port) STORE_DAY_TRYTON_URL="$TRYTON_URL"
    export Erp__Tryton__Url="http://127.0.0.1:$STORE_DAY_RELAY_PORT/"
  fi
  # The day's CRM outage (StoreDay:OutageSeconds, 3 minutes) outlasts an event's attempts (10, back-off capped at 10 s:
  # about 75 s), so only the per-target circuit keeps its events out of quarantine.
  [[ $store_day -eq 1 ]] && export Processing__MaxBackoffSeconds=10
  # The operator console on the hub's (loopback) address, with an admin key made up per run, handed over in the
  # environment like the other secrets (docs/console.md).
  local console_key
  console_key=$(node -e "console.log(require('crypto').randomBytes(24).toString('hex'))")
  export Console__Enabled=true Console__AdminKey="$console_key"
  # The operations commands (./build.sh hub ...) read the same settings from here while the run is going.
  (umask 077; export -p | grep -E '^declare -x (Standalone|Transport|State|BigCommerce|Erp|Crm)__' >"$RUN_DIR/hub.env")
  if [[ $host == functions ]]; then
    start_functions_host "$hub_port"
  elif [[ $peak -eq 1 ]]; then
    # The peak kills the hub (-9): its supervisor starts it again, as a container's restart policy would.
    supervise "$RUN_DIR/hub.pid" dotnet "$STANDALONE_DLL" &
    supervised $! "$RUN_DIR/hub.pid"
    PIDS_TO_STOP+=("$!")
  else
    dotnet "$STANDALONE_DLL" &
    started $!
    # Our hub answering, not merely something on the port (it could have been taken since the check above).
    local deadline=$((SECONDS + 120))
    until [[ "$(node_json GET "$url/healthz" 2>/dev/null)" == ok ]]; do
      kill -0 "${PIDS_TO_STOP[-1]}" 2>/dev/null || die "The Standalone host stopped at start (see above)."
      ((SECONDS < deadline)) || die "The Standalone host did not answer on $url/healthz within 120 s."
      sleep 0.2
    done
  fi
  local hub_pid=${PIDS_TO_STOP[-1]} # the Standalone host, or the Functions host process

  # BigCommerce calls the hub back with the shared secret in a header, as a real store's hook does.
  node_json POST "$emulator_url/stores/$store/v3/hooks" \
    "{\"scope\":\"store/order/*\",\"destination\":\"$url/api/webhooks/bigcommerce\",\"is_active\":true,\"headers\":{\"X-Webhook-Secret\":\"$secret\"}}" \
    "X-Auth-Token: $token" >/dev/null
  local variant
  variant=$(node_json GET "$emulator_url/stores/$store/v3/catalog/products?include=variants&limit=1" "" "X-Auth-Token: $token" \
    | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).data[0].variants[0].id))")
  local hub_line="hub (Standalone)    " console_line="operator console      $url/console     admin key $console_key (this run's; sign in with it)"
  if [[ $host == functions ]]; then
    hub_line="hub (Functions)     "
    console_line="operator console      not served by the Functions app (the Standalone host's; ./build.sh hub works)"
  fi
  cat <<INFO

  The integration hub is running, with everything it talks to, on 127.0.0.1:
    $hub_line  $url             webhook URL $url/api/webhooks/bigcommerce
                                                       X-Webhook-Secret $secret
    BigCommerce emulator  $emulator_url    store $store, X-Auth-Token $token
    Tryton ERP            $TRYTON_URL      database $TRYTON_DATABASE, user $TRYTON_USER, password $TRYTON_PASSWORD
    HubSpot CRM emulator  $crm_url    Authorization: Bearer $crm_token
    Azurite               queues commerce-events-erp/-crm, tables syncstate/quarantine (data in $RUN_DIR/azurite)
    $console_line

  Operations commands run against this run from another terminal, e.g.:
    ./build.sh hub quarantine list --store $store

  Place an order in the store (a shopper's checkout); its webhook flows through the hub into a Tryton sale and a
  HubSpot deal with its contact (watch below for one outcome line per target, erp then crm, with the outcome
  "applied": Event <event id> for <target> applied: store ... target id <sale or deal id>):
    curl -X POST $emulator_url/stores/$store/_emulator/orders -H 'X-Auth-Token: $token' \\
      -H 'Content-Type: application/json' -d '{"customer_id":1,"lines":[{"variant_id":$variant,"quantity":2}]}'

  Placing one now. Press Ctrl+C to stop (or send SIGTERM to pid $$); everything started here is stopped with it.

INFO
  local order
  order=$(node_json POST "$emulator_url/stores/$store/_emulator/orders" "{\"customer_id\":1,\"lines\":[{\"variant_id\":$variant,\"quantity\":2}]}" \
    "X-Auth-Token: $token" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>console.log(JSON.parse(s).id))")
  cat <<INFO

  Placed order $order. To deliver a webhook for it by hand (README, "Try the intake by hand"):
    curl -i -X POST $url/api/webhooks/bigcommerce -H 'Content-Type: application/json' -H 'X-Webhook-Secret: $secret' \\
      -d '{"scope":"store/order/updated","store_id":"1","data":{"type":"order","id":$order},"hash":"by-hand-$order","created_at":$(date +%s),"producer":"stores/$store"}'
  The hub reads order $order from the store and finds the sale and the deal up to date (outcome "unchanged" per target).

INFO
  if [[ $store_day -eq 1 ]]; then local code=0; store_day "$peak" || code=$?; exit "$code"; fi
  wait "$hub_pid"
}

# start_functions_host PORT: the Functions worker (src/Integration.Functions) under the Functions test host
# (tests/Integration.Functions.LocalHost, docs/functions-test-host.md) with the hub's settings from the environment: its
# front door on 127.0.0.1:PORT forwards to the worker's HTTP intake, its Service Bus triggers are fed by the broker
# double from what the intake queues on Azurite, its timers fire on their schedules. The worker's pid is recorded too,
# so it is stopped by its pid even if the host process is killed before it could stop it.
start_functions_host() {
  local port=$1 ready="$RUN_DIR/functions-host.ready" worker_pid_file="$RUN_DIR/functions-worker.pid"
  dotnet "$FUNCTIONS_HOST_DLL" --port "$port" --ready-file "$ready" --worker-pid-file "$worker_pid_file" &
  local host_pid=$! deadline=$((SECONDS + 180))
  started "$host_pid"
  until [[ -f "$ready" ]]; do
    kill -0 "$host_pid" 2>/dev/null || die "The Functions host stopped at start (see above)."
    ((SECONDS < deadline)) || die "The Functions worker did not load its functions within 180 s."
    sleep 0.2
  done
  FUNCTIONS_WORKER_PID=$(cat "$worker_pid_file")
  echo "$FUNCTIONS_WORKER_PID" >>"$RUN_DIR/pids"
}

# hub COMMAND...: an operations command of the hub (Integration.Standalone COMMAND...) with the settings of the local
# run that is going (RUN_DIR/hub.env); with no run going, says so (exit 2) rather than running without settings.
hub() {
  if [[ ! -f "$RUN_DIR/hub.env" ]] || ! kill -0 "$(cat "$RUN_DIR/owner" 2>/dev/null)" 2>/dev/null; then
    echo "error: no local run is going (no $RUN_DIR/hub.env): start ./build.sh run first, then run ./build.sh hub $* in another terminal." >&2
    exit 2
  fi
  [[ -f "$STANDALONE_DLL" ]] || dotnet build src/Integration.Standalone -c Release -nologo -v quiet -clp:ErrorsOnly >&2
  # shellcheck disable=SC1091
  source "$RUN_DIR/hub.env"
  exec dotnet "$STANDALONE_DLL" "$@"
}

# --- A store's day (./build.sh run --store-day; docs/store-day.md) ---------------------------------------------------
# The emulators run with their delivery and API faults on; after the first order the store-day player plays the day
# against it, waits (bounded) for the hub to settle, checks convergence and prints the summary. The script exits with
# the check's code: 0 converged, 1 not converged (each violation printed), 2 configuration or store error.
EMULATOR_EXTRA_ARGS=() CRM_EXTRA_ARGS=()
# HubSpot answers some calls 502 or with another app's 429: the hub's CRM client retries them.
STORE_DAY_CRM_ARGS=(--HubSpotEmulator:Faults:ServerErrorRate=0.03 --HubSpotEmulator:Faults:ThrottleRate=0.02)
STORE_DAY_EMULATOR_ARGS=(--Emulator:Faults:DuplicateDeliveryRate=0.2 --Emulator:Faults:ReorderDeliveryRate=0.2
  --Emulator:Faults:MaxDeliveryDelayMs=1500 --Emulator:Faults:ServerErrorRate=0.05 --Emulator:Webhooks:RetryScale=0.01)
# A peak (--peak): a Pro store's quota (450 requests per 30 s) and a Professional HubSpot portal (190 calls per 10 s).
PEAK_EMULATOR_ARGS=(--Emulator:RateLimit:Quota=450)
PEAK_CRM_ARGS=(--HubSpotEmulator:RateLimit:Max=190 --HubSpotEmulator:RateLimit:Daily=650000)
store_day() {
  local peak=${1:-0} dll=src/Integration.StoreDay/bin/Release/net10.0/Integration.StoreDay.dll
  [[ -f "$dll" ]] || { log "Building the store-day player"; dotnet build src/Integration.StoreDay -c Release -nologo -v quiet -clp:ErrorsOnly >&2; }
  local peak_env=()
  if [[ $peak -eq 1 ]]; then
    # INTEGRATION_PEAK_ORDERS and INTEGRATION_PEAK_RATE size the burst (10,000 at 2/s: about 83 minutes); the day's
    # two outages are one minute each, the drain may take up to two hours.
    peak_env=(StoreDay__Peak__Orders="${INTEGRATION_PEAK_ORDERS:-10000}" StoreDay__Peak__OrdersPerSecond="${INTEGRATION_PEAK_RATE:-2}"
      StoreDay__Peak__HubPidFile="$RUN_DIR/hub.pid" StoreDay__Peak__ErpPidFile="$RUN_DIR/tryton.pid"
      StoreDay__OutageSeconds=60 StoreDay__ErpOutageSeconds=60 StoreDay__DrainTimeoutSeconds=7200)
  fi
  env "${peak_env[@]}" Erp__Tryton__Url="$STORE_DAY_TRYTON_URL" StoreDay__ErpRelayPort="$STORE_DAY_RELAY_PORT" dotnet "$dll" day
}

test_all() {
  ensure_node_tools
  for setup in tests/env/setup-*.sh; do
    [[ -e "$setup" ]] && bash "$setup"
  done
  start_azurite
  # The ERP's PostgreSQL cluster runs for the whole suite (each test process leases a database of its own in it).
  local hold
  hold=$(TRYTON_OWNER_PID=$$ bash tests/env/tryton.sh hold | sed -n 's/^TRYTON_DIR=//p')
  TRYTON_STOP=(bash tests/env/tryton.sh release "$hold")

  local results="$ARTIFACTS/test-results" status=0
  rm -rf "$results" "$ARTIFACTS/fidelity"
  log "Running the test suite"
  dotnet test Integration.sln -c Release -nologo --logger "trx" --results-directory "$results" || status=$?
  # The emulators' fidelity report (docs/emulator-fidelity.md) must be what this run's outside checks give.
  node tests/fidelity/report.mjs --check --trx-dir "$results" || status=$?

  local passed=0 failed=0 skipped=0 total=0 trx counters n
  for trx in "$results"/*.trx; do
    [[ -e "$trx" ]] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    n() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
    total=$((total + $(n total)))
    passed=$((passed + $(n passed)))
    failed=$((failed + $(n failed)))
  done
  skipped=$((total - passed - failed))
  echo
  echo "tests: $passed passed, $failed failed, $skipped skipped"
  # A skip is a failure unless tests/allowed-skips.txt names the test or its reason: no skipped-to-green.
  local skips=0
  if [[ $skipped -ne 0 ]]; then
    python3 tests/env/check-skips.py tests/allowed-skips.txt "$results"/*.trx || skips=$?
  fi
  if [[ $status -ne 0 || $failed -ne 0 || $total -eq 0 || $skips -ne 0 ]]; then
    exit 1
  fi
}

# The emulators' outside checks alone (the @hubspot/api-client and node-bigcommerce suites, the Prism contract tests),
# then docs/emulator-fidelity.md written from their results (tests/fidelity/report.mjs). Exit 1 when a check fails.
fidelity() {
  ensure_node_tools
  local out="$ARTIFACTS/fidelity" status=0 project
  rm -rf "$out"
  for project in tests/Integration.Crm.HubSpot.Tests tests/Integration.BigCommerce.Tests; do
    dotnet test "$project" -c Release -nologo --logger "trx" --results-directory "$out/trx" \
      --filter "FullyQualifiedName~HubSpotApiClientTests|FullyQualifiedName~NodeBigCommerceTests|FullyQualifiedName~PrismContractTests" || status=$?
  done
  node tests/fidelity/report.mjs --trx-dir "$out/trx" || status=$?
  return $status
}

main() {
  case "${1:-}" in
    run) shift; run "$@" ;;
    test) test_all ;;
    fidelity) fidelity ;;
    hub) shift; hub "$@" ;;
    *) echo "usage: ./build.sh run [--host standalone|functions] [--store-day [--peak]] | test | fidelity | hub COMMAND..." >&2; exit 2 ;;
  esac
}

# One line, so bash has read it whole before running it: editing this file during a run cannot derail the run.
main "$@"; exit $?
