#!/usr/bin/env bash
# Installs Tryton 6.0 from Debian when missing and initialises the template SQLite database once, under
# .artifacts/tryton/template-<hash of this script>/ (a changed script initialises a new template).
# tests/env/tryton.sh starts a copy of it. See docs/erp-tryton.md.
#
# The template holds: the modules party, company, currency, product, stock, sale, stock_package_shipping
# (carriers on shipments, tracking numbers on shipments and packages, entered by hand), product_price_list and
# sale_price_list (price lists, a party's sale price list: issue 26); the USD currency;
# a company ("Integration Test Company", USD); countries (from python3-pycountry); the admin user (password
# generated here, stored beside the template, never committed) attached to the company; sales invoiced
# manually (sale_invoice_method = manual), so no chart of accounts is needed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PACKAGES=(tryton-server tryton-modules-party tryton-modules-company tryton-modules-currency
  tryton-modules-product tryton-modules-stock tryton-modules-sale tryton-modules-stock-package-shipping
  tryton-modules-product-price-list tryton-modules-sale-price-list python3-pycountry)
MODULES=(party company currency product stock sale stock_package_shipping product_price_list sale_price_list)
DATABASE=integration

install_packages() {
  local missing=() package
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "Installing ${missing[*]} from Debian"
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# Runs inside Tryton (its own Python, its own API) once the modules are activated.
configure_database() {
  /usr/bin/python3 - "$1" "$DATABASE" <<'PY'
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

initialise_template() {
  local template=$1 work
  work=$(mktemp -d "$ARTIFACTS/tryton/init.XXXXXX")
  log "Initialising the Tryton template database (once; about a minute)"
  openssl rand -hex 16 >"$work/admin-password" 2>/dev/null || node -e "console.log(require('crypto').randomBytes(16).toString('hex'))" >"$work/admin-password"
  cat >"$work/trytond.conf" <<CONF
[database]
uri = sqlite://
path = $work
CONF
  : >"$work/$DATABASE.sqlite"
  TRYTONPASSFILE="$work/admin-password" /usr/bin/trytond-admin -c "$work/trytond.conf" -d "$DATABASE" \
    -u "${MODULES[@]}" --activate-dependencies --email admin@example.invalid >"$work/init.log" 2>&1 \
    || { tail -50 "$work/init.log" >&2; die "trytond-admin failed (log: $work/init.log)"; }
  configure_database "$work/trytond.conf" >>"$work/init.log" 2>&1 \
    || { tail -50 "$work/init.log" >&2; die "Configuring the Tryton template failed (log: $work/init.log)"; }
  rm -f "$work/trytond.conf"
  # Publish atomically, so an interrupted run never leaves half a template; drop templates of older scripts.
  find "$ARTIFACTS/tryton" -maxdepth 1 -name 'template-*' -type d -exec rm -rf {} +
  mv -T "$work" "$template"
}

main() {
  local hash template
  hash=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-12)
  template="$ARTIFACTS/tryton/template-$hash"
  mkdir -p "$ARTIFACTS/tryton"
  # Test projects start in parallel: one installs and initialises, the others wait and reuse.
  exec 9>"$ARTIFACTS/tryton/.setup.lock"
  flock 9
  install_packages
  if [[ ! -f "$template/$DATABASE.sqlite" ]]; then
    initialise_template "$template"
  fi
  echo "$template"
}

main "$@"
