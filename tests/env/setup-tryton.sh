#!/usr/bin/env bash
# Installs Tryton 6.0, PostgreSQL 15 and psycopg2 from Debian when missing and initialises the template database
# once, under .artifacts/tryton/template-<backend>-<hash of the scripts>/ (a changed script initialises a new
# template). tests/env/tryton.sh starts a copy of it. See docs/erp-tryton.md.
#
# TRYTON_DB chooses the database: postgresql (the default: a cluster of the project's own, tests/env/tryton-postgres.sh,
# holding the template database integration_template) or sqlite (the template is one file, integration.sqlite).
#
# The template holds: the modules party, company, currency, product, stock, sale and stock_package_shipping
# (carriers on shipments, tracking numbers on shipments and packages, entered by hand); the USD currency;
# a company ("Integration Test Company", USD); countries (from python3-pycountry); the admin user (password
# generated here, stored beside the template, never committed) attached to the company; sales invoiced
# manually (sale_invoice_method = manual), so no chart of accounts is needed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/tryton-postgres.sh"

PACKAGES=(tryton-server tryton-modules-party tryton-modules-company tryton-modules-currency
  tryton-modules-product tryton-modules-stock tryton-modules-sale tryton-modules-stock-package-shipping python3-pycountry
  postgresql python3-psycopg2)
MODULES=(party company currency product stock sale stock_package_shipping)
DATABASE=integration
BACKEND=$(tryton_backend)

install_packages() {
  local missing=() package
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "Installing ${missing[*]} from Debian"
  local sudo=() debian_cluster_was_online=0
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  # Debian's package creates and may start its default cluster (15/main); the project never uses it, and a service
  # the install started is stopped again (one that was already running is left alone).
  pg_lsclusters -h 2>/dev/null | grep -q '^15 *main .*online' && debian_cluster_was_online=1
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  if [[ $debian_cluster_was_online -eq 0 ]] && pg_lsclusters -h 2>/dev/null | grep -q '^15 *main .*online'; then
    log "Stopping the Debian default PostgreSQL cluster the install started (the project runs its own)"
    "${sudo[@]}" pg_ctlcluster --skip-systemctl-redirect 15 main stop >&2 || true
    if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then "${sudo[@]}" systemctl disable --now postgresql >&2 || true; fi
  fi
}

# Runs inside Tryton (its own Python, its own API) once the modules are activated.
configure_database() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import sys
from decimal import Decimal

from trytond.config import config
config.update_etc(sys.argv[1])
from trytond.pool import Pool
from trytond.transaction import Transaction

database = sys.argv[2]
Pool.start()
pool = Pool(database)
pool.init()
with Transaction().start(database, 0, context={}) as transaction:
    Currency = pool.get('currency.currency')
    Country = pool.get('country.country')
    Party = pool.get('party.party')
    Company = pool.get('company.company')
    User = pool.get('res.user')
    SaleConfiguration = pool.get('sale.configuration')

    usd, = Currency.create([{'name': 'US Dollar', 'code': 'USD', 'symbol': '$',
        'rounding': Decimal('0.01'), 'digits': 2}])
    party, = Party.create([{'name': 'Integration Test Company'}])
    company, = Company.create([{'party': party.id, 'currency': usd.id}])
    admin, = User.search([('login', '=', 'admin')])
    User.write([admin], {'companies': [('add', [company.id])], 'company': company.id})

    import pycountry
    Country.create([{'name': c.name, 'code': c.alpha_2, 'code3': c.alpha_3, 'code_numeric': c.numeric}
        for c in pycountry.countries])

    with transaction.set_context(company=company.id):
        configuration = SaleConfiguration(1)
        configuration.sale_invoice_method = 'manual'
        configuration.sale_shipment_method = 'order'
        configuration.save()
    transaction.commit()
print(f'company {company.id}')
PY
}

# initialise_sqlite WORK: the template in WORK/integration.sqlite.
initialise_sqlite() {
  local work=$1
  cat >"$work/trytond.conf" <<CONF
[database]
uri = sqlite://
path = $work
CONF
  : >"$work/$DATABASE.sqlite"
  admin_and_configure "$work" "$DATABASE"
}

# initialise_postgresql WORK: a cluster in WORK/pgdata holding the template database integration_template.
initialise_postgresql() {
  local work=$1 password
  password=$(random_secret)
  pg_initdb "$work" "$password"
  printf '%s\n' "$password" >"$work/db-password"
  pg_sql "CREATE DATABASE $PG_TEMPLATE_DATABASE OWNER $PG_ROLE"
  cat >"$work/trytond.conf" <<CONF
[database]
uri = $(pg_uri)
CONF
  admin_and_configure "$work" "$PG_TEMPLATE_DATABASE" || { pg_stop "$work"; exit 1; }
  # A template: copied per run (CREATE DATABASE ... TEMPLATE), never served itself.
  pg_sql "ALTER DATABASE $PG_TEMPLATE_DATABASE IS_TEMPLATE true"
  pg_stop "$work"
}

random_secret() {
  openssl rand -hex 16 2>/dev/null || node -e "console.log(require('crypto').randomBytes(16).toString('hex'))"
}

# admin_and_configure WORK DATABASE: activates the modules and configures the company (trytond-admin, then Python).
admin_and_configure() {
  local work=$1 database=$2
  local started=$SECONDS
  TRYTONPASSFILE="$work/admin-password" /usr/bin/trytond-admin -c "$work/trytond.conf" -d "$database" \
    -u "${MODULES[@]}" --activate-dependencies --email admin@example.invalid >"$work/init.log" 2>&1 \
    || { tail -50 "$work/init.log" >&2; echo "trytond-admin failed (log: $work/init.log)" >&2; return 1; }
  configure_database "$work/trytond.conf" "$database" >>"$work/init.log" 2>&1 \
    || { tail -50 "$work/init.log" >&2; echo "Configuring the Tryton template failed (log: $work/init.log)" >&2; return 1; }
  rm -f "$work/trytond.conf"
  log "Tryton template initialised in $((SECONDS - started)) s"
}

initialise_template() {
  local template=$1 work old
  work=$(mktemp -d "$ARTIFACTS/tryton/init.XXXXXX")
  log "Initialising the Tryton template database on $BACKEND (once; about a minute)"
  random_secret >"$work/admin-password"
  "initialise_$BACKEND" "$work" || die "Initialising the Tryton template failed (see $work)"
  # Publish atomically, so an interrupted run never leaves half a template; drop templates of older scripts
  # (except a cluster still running: its runs are still using it).
  for old in "$ARTIFACTS"/tryton/template-*; do
    [[ -d "$old" && "$old" != *"-$TEMPLATE_HASH" ]] || continue
    [[ -z "$(pg_postmaster_pid "$old")" ]] && rm -rf "$old"
  done
  mv -T "$work" "$template"
}

main() {
  local template
  TEMPLATE_HASH=$(template_hash)
  template="$ARTIFACTS/tryton/template-$BACKEND-$TEMPLATE_HASH"
  mkdir -p "$ARTIFACTS/tryton"
  # Test projects start in parallel: one installs and initialises, the others wait and reuse.
  exec 9>"$ARTIFACTS/tryton/.setup.lock"
  flock 9
  install_packages
  if [[ ! -f "$template/admin-password" ]]; then
    initialise_template "$template"
  fi
  echo "$template"
}

main "$@"
