#!/usr/bin/env bash
# The project's two commands (see README.md):
#   ./build.sh run    runs the product locally: Azurite + the Standalone host, printing where to post webhooks
#   ./build.sh test   runs every test, after installing and starting what the tests need
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/tests/env/common.sh"
cd "$REPO_ROOT"

PIDS_TO_STOP=()
cleanup() {
  local pid
  for pid in "${PIDS_TO_STOP[@]}"; do stop_pid "$pid"; done
  stop_azurite
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run() {
  ensure_node_tools
  log "Building"
  dotnet build src/Integration.Standalone -c Release -nologo -v quiet -clp:ErrorsOnly >&2
  start_azurite --persist

  local port secret url
  port=${INTEGRATION_PORT:-$(free_port)}
  url="http://127.0.0.1:$port"
  secret=$(node -e "console.log(require('crypto').randomBytes(24).toString('hex'))")
  export Standalone__Urls="$url"
  export Transport__Kind=StorageQueues
  export Transport__StorageQueues__ConnectionString="$INTEGRATION_AZURITE_CONNECTION_STRING"
  export State__ConnectionString="$INTEGRATION_AZURITE_CONNECTION_STRING"
  export BigCommerce__Stores__0__StoreHash="${INTEGRATION_STORE_HASH:-abc123}"
  export BigCommerce__Stores__0__WebhookSecret="${INTEGRATION_WEBHOOK_SECRET:-$secret}"

  dotnet src/Integration.Standalone/bin/Release/net10.0/Integration.Standalone.dll &
  PIDS_TO_STOP+=($!)
  wait_for_port "$port" 60 "$!" || die "The Standalone host did not start."
  cat <<INFO

  The integration hub is running (Standalone host, pid ${PIDS_TO_STOP[0]}).

  Webhook URL:    $url/api/webhooks/bigcommerce
  Store hash:     $BigCommerce__Stores__0__StoreHash
  Shared secret:  send it in the X-Webhook-Secret header (generated for this run; set INTEGRATION_WEBHOOK_SECRET to fix it)

  Try it:
    curl -i -X POST $url/api/webhooks/bigcommerce \\
      -H 'Content-Type: application/json' -H 'X-Webhook-Secret: $BigCommerce__Stores__0__WebhookSecret' \\
      -d '{"scope":"store/order/created","store_id":"1025646","data":{"type":"order","id":250},"hash":"dd70c0976e06b67aaf671e73f49dcb79230ebf9d","created_at":1561479335,"producer":"stores/$BigCommerce__Stores__0__StoreHash"}'

  Accepted events land on the Azurite queues commerce-events-erp and commerce-events-crm
  (connection string in INTEGRATION_AZURITE_CONNECTION_STRING; Azure Storage Explorer can open it).
  Press Ctrl+C to stop; everything started here is stopped with it.

INFO
  wait "${PIDS_TO_STOP[0]}"
}

test_all() {
  ensure_node_tools
  for setup in tests/env/setup-*.sh; do
    [[ -e "$setup" ]] && bash "$setup"
  done
  start_azurite

  local results="$ARTIFACTS/test-results" status=0
  rm -rf "$results"
  log "Running the test suite"
  dotnet test Integration.sln -c Release -nologo --logger "trx" --results-directory "$results" || status=$?

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
  if [[ $status -ne 0 || $failed -ne 0 || $total -eq 0 ]]; then
    exit 1
  fi
}

case "${1:-}" in
  run) run ;;
  test) test_all ;;
  *) echo "usage: ./build.sh run | test" >&2; exit 2 ;;
esac
