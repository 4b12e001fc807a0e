#!/usr/bin/env python3
"""Local runs only: creates in Tryton a salable product for every variant SKU the emulated store sells, at the
store's price, so orders placed in the emulator can be applied to the ERP and the day starts with prices in step. (In production the ERP is the system of record and the nightly
reconciliation pushes its catalog to BigCommerce, not the other way round.)

usage: seed-tryton-catalog.py TRYTON_URL DATABASE USER PASSWORD EMULATOR_URL STORE_HASH API_TOKEN
Prints the number of products created. Talks only to the two loopback URLs it is given."""
import base64
import json
import sys
import urllib.request


def call(url, payload, headers=None):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.load(response)
    if answer.get("error"):
        sys.exit(f"Tryton refused {payload['method']}: {answer['error']}")
    return answer["result"]


def main(tryton, database, user, password, emulator, store, token):
    endpoint = f"{tryton.rstrip('/')}/{database}/"
    user_id, session = call(endpoint, {"id": 1, "method": "common.db.login", "params": [user, {"password": password}]})
    auth = {"Authorization": "Session " + base64.b64encode(f"{user}:{user_id}:{session}".encode()).decode()}

    prices, page = {}, 1
    while True:
        request = urllib.request.Request(
            f"{emulator.rstrip('/')}/stores/{store}/v3/catalog/products?include=variants&limit=250&page={page}",
            headers={"X-Auth-Token": token, "Accept": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = json.load(response)
        for product in body["data"]:
            for variant in product.get("variants") or []:
                if variant.get("sku"):
                    price = variant.get("price")
                    prices[variant["sku"].strip().upper()] = product.get("price", 0) if price is None else price
        if page >= body["meta"]["pagination"]["total_pages"]:
            break
        page += 1

    existing = call(endpoint, {"id": 2, "method": "model.product.product.search_read",
                               "params": [[["code", "in", sorted(prices)]], 0, None, None, ["code"], {}]}, auth)
    missing = sorted(set(prices) - {p["code"] for p in existing})
    templates = [{"name": f"Product {sku}", "type": "goods", "default_uom": 1, "sale_uom": 1, "salable": True,
                  "list_price": {"__class__": "Decimal", "decimal": f"{prices[sku]:.2f}"},
                  "products": [["create", [{"suffix_code": sku}]]]} for sku in missing]
    if templates:
        call(endpoint, {"id": 3, "method": "model.product.template.create", "params": [templates, {}]}, auth)
    print(len(templates))


if __name__ == "__main__":
    if len(sys.argv) != 8:
        sys.exit(__doc__)
    main(*sys.argv[1:])
