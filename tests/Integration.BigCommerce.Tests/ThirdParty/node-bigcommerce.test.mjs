// node-bigcommerce 4.1.0, unchanged, against the emulator. Run by NodeBigCommerceTests.cs (node --test).
// The client has no base-URL option: it always requests https://api.bigcommerce.com:443. Its documented `agent`
// option is how it is pointed elsewhere: an https.Agent whose connections go to the emulator's loopback port
// (plain HTTP, since the emulator does not speak TLS). Nothing in the client is patched.
import { createRequire } from 'node:module';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';

const require = createRequire(path.join(process.env.NODE_TOOLS_DIR, 'node_modules', 'package.json'));
const BigCommerce = require('node-bigcommerce');

const storeHash = process.env.BIGCOMMERCE_STORE_HASH;
const accessToken = process.env.BIGCOMMERCE_TOKEN;

class EmulatorAgent extends https.Agent {
  constructor(url) {
    super({ keepAlive: false });
    this.target = new URL(url);
  }

  createConnection() {
    return net.connect(Number(this.target.port), this.target.hostname);
  }
}

const client = (url, apiVersion) =>
  new BigCommerce({ storeHash, accessToken, clientId: 'third-party', responseType: 'json', apiVersion, agent: new EmulatorAgent(url) });

const v3 = client(process.env.BIGCOMMERCE_EMULATOR_URL, 'v3');
const v2 = client(process.env.BIGCOMMERCE_EMULATOR_URL, 'v2');

test('pages through every product', async () => {
  const first = await v3.get('/catalog/products?limit=50&page=1');
  const { total, total_pages: pages } = first.meta.pagination;
  let seen = first.data.length;
  for (let page = 2; page <= pages; page++) {
    const next = await v3.get(`/catalog/products?limit=50&page=${page}`);
    seen += next.data.length;
  }
  assert.equal(seen, total);
  assert.ok(total >= 120);
});

test('reads and updates one product and its variants', async () => {
  const { data: product } = await v3.get('/catalog/products/7?include=variants');
  assert.equal(product.id, 7);
  assert.ok(product.variants.length >= 1);
  assert.equal(typeof product.is_visible, 'boolean');

  const { data: updated } = await v3.put('/catalog/products/7', { price: 99.5 });
  assert.equal(updated.price, 99.5);
  assert.equal(updated.name, product.name, 'fields not sent stay unchanged');

  const { data: variants } = await v3.get('/catalog/products/7/variants');
  const variant = variants[0];
  const { data: changed } = await v3.put(`/catalog/products/7/variants/${variant.id}`, { price: 12.25 });
  assert.equal(changed.price, 12.25);
  const { data: reread } = await v3.get(`/catalog/products/7/variants/${variant.id}`);
  assert.equal(reread.price, 12.25);
  assert.equal(reread.sku, variant.sku);
});

test('lists and reads v2 orders, following their resource links', async () => {
  const orders = await v2.get('/orders?limit=5');
  assert.ok(Array.isArray(orders) && orders.length > 0);
  for (const order of orders) {
    const single = await v2.get(`/orders/${order.id}`);
    assert.equal(single.id, order.id);
    const lines = await v2.get(order.products.resource);
    assert.ok(lines.length > 0 && lines.every(l => l.order_id === order.id));
    const addresses = await v2.get(order.shipping_addresses.resource);
    assert.ok(addresses.length > 0);
    assert.equal(typeof order.refunded_amount, 'string');
    assert.equal(typeof order.payment_method, 'string');
  }
  const count = await v2.get('/orders/count');
  assert.ok(count.count >= orders.length);
});

test('creates a hook and finds it in the list', async () => {
  const { data: hook } = await v3.post('/hooks', { scope: 'store/order/created', destination: 'https://hub.example.com/hooks', is_active: true });
  assert.ok(hook.id > 0);
  const { data: hooks } = await v3.get('/hooks?is_active=true');
  assert.ok(hooks.some(h => h.id === hook.id));
});

test('an unknown route is a 404 with a body, after auth', async () => {
  await assert.rejects(v3.get('/catalog/nothing-here'), err => err.code === 404 && err.responseBody.length > 0);
  const stranger = new BigCommerce({ storeHash, accessToken: 'wrong', clientId: 'third-party', responseType: 'json', apiVersion: 'v3', agent: new EmulatorAgent(process.env.BIGCOMMERCE_EMULATOR_URL) });
  await assert.rejects(stranger.get('/catalog/nothing-here'), err => err.code === 401);
});

test('survives an exhausted rate-limit window by waiting X-Retry-After', async () => {
  const throttled = client(process.env.BIGCOMMERCE_THROTTLED_URL, 'v3');
  const calls = Array.from({ length: 12 }, (_, i) => throttled.get(`/catalog/products/${i + 1}`));
  const results = await Promise.all(calls);
  assert.deepEqual(results.map(r => r.data.id), Array.from({ length: 12 }, (_, i) => i + 1));
});

// ---- issue 27: query forms BigCommerce documents (products_catalog.v3.yml, customers.v3.yml) ----

test('filters catalog products by id range: id:min, id:max (inclusive), id:greater, id:less (exclusive)', async () => {
  const ids = async (query) => (await v3.get(`/catalog/products?${query}&limit=50`)).data.map(p => p.id);
  assert.deepEqual(await ids('id:min=10&id:max=14'), [10, 11, 12, 13, 14]);
  assert.deepEqual(await ids('id:greater=10&id:less=14'), [11, 12, 13]);
  const tail = await v3.get('/catalog/products?id:min=115&limit=50');
  assert.deepEqual(tail.data.map(p => p.id).slice(0, 6), [115, 116, 117, 118, 119, 120]);
  assert.equal(tail.meta.pagination.total, tail.data.length);
  assert.deepEqual(await ids('id:max=3&sort=id&direction=desc'), [3, 2, 1]);
});

test('sorts v3 customers by each documented sort (date_created, last_name, date_modified; asc and desc)', async () => {
  const stamp = Date.now();
  const names = ['Zeller', 'Abbott', 'Moreau'];
  const { data: created } = await v3.post('/customers', names.map((last, i) => ({
    email: `sort-${i}-${stamp}@example.org`, first_name: 'Sort', last_name: last })));
  assert.equal(created.length, 3);
  // The last created is modified now, so the modified order differs from the created one.
  await v3.put('/customers', [{ id: created[0].id, notes: 'touched' }]);

  const page = async (sort) => (await v3.get(`/customers?sort=${sort}&limit=250`)).data;
  const ordered = (items, key, desc) => items.every((c, i) => i === 0
    || (desc ? key(items[i - 1]) >= key(c) : key(items[i - 1]) <= key(c)));
  for (const [field, key] of [
    ['date_created', c => Date.parse(c.date_created)],
    ['last_name', c => c.last_name.toLowerCase()],
    ['date_modified', c => Date.parse(c.date_modified)],
  ]) {
    for (const direction of ['asc', 'desc']) {
      const items = await page(`${field}:${direction}`);
      assert.ok(items.length >= 3, `${field}:${direction}: ${items.length} customers`);
      assert.ok(ordered(items, key, direction === 'desc'), `${field}:${direction} is not ordered: ${items.map(c => `${c.id}/${c.last_name}`).join(', ')}`);
    }
  }

  const byName = (await page('last_name:asc')).filter(c => created.some(x => x.id === c.id)).map(c => c.last_name);
  assert.deepEqual(byName, ['Abbott', 'Moreau', 'Zeller']);
  const newestFirst = await page('date_modified:desc');
  assert.equal(newestFirst[0].id, created[0].id);

  await assert.rejects(v3.get('/customers?sort=email:asc'), err => err.code === 422);
});

// ---- breadth: every call src/Integration.BigCommerce makes, and each answer it branches on ----

test('adapter paths, catalog: products by id:in, sku:in, date_modified:min with variants; variants by product; batch updates and a 207/422 item', async () => {
  const { data: byIds } = await v3.get('/catalog/products?id:in=3,5,8&include=variants&limit=50');
  assert.deepEqual(byIds.map(p => p.id), [3, 5, 8]);
  assert.ok(byIds.every(p => p.variants.length >= 1 && p.variants.every(v => v.product_id === p.id)));
  const skus = byIds.map(p => p.sku);
  const { data: bySku } = await v3.get(`/catalog/products?sku:in=${skus.join(',')}&limit=50`);
  assert.deepEqual(bySku.map(p => p.sku).sort(), [...skus].sort());

  const since = new Date(Date.now() - 1000).toISOString();
  await v3.put('/catalog/products', [{ id: 9, price: 19.5 }, { id: 10, price: 20.5 }]);
  const { data: modified } = await v3.get(`/catalog/products?date_modified:min=${encodeURIComponent(since)}&limit=50`);
  assert.deepEqual(modified.map(p => p.id).filter(id => id === 9 || id === 10), [9, 10]);

  const { data: variants } = await v3.get('/catalog/variants?product_id:in=3,5&limit=50');
  assert.ok(variants.length >= 2 && variants.every(v => v.product_id === 3 || v.product_id === 5));
  const { data: changed } = await v3.put('/catalog/variants', [{ id: variants[0].id, price: 7.25 }]);
  assert.equal(changed[0].price, 7.25);

  // One item that does not exist: a 207 whose errors name it, the valid item applied (the adapter reads item
  // failures from it). node-bigcommerce rejects any JSON answer carrying "errors", with their text as the message.
  await assert.rejects(v3.put('/catalog/products', [{ id: 11, price: 21.5 }, { id: 99999999, price: 1 }]),
    err => err.code === undefined && /99999999/.test(err.message));
  assert.equal((await v3.get('/catalog/products/11')).data.price, 21.5);
});

test('adapter paths, customers and hooks: id:in, email:in with addresses, date_modified:min; hooks CRUD and admin', async () => {
  const { data: first } = await v3.get('/customers?limit=3');
  const ids = first.map(c => c.id);
  const { data: byId } = await v3.get(`/customers?id:in=${ids.join(',')}&include=addresses`);
  assert.deepEqual(byId.map(c => c.id), ids);
  assert.ok(byId.every(c => Array.isArray(c.addresses)));
  const { data: byEmail } = await v3.get(`/customers?email:in=${encodeURIComponent(first[0].email)}`);
  assert.deepEqual(byEmail.map(c => c.id), [ids[0]]);
  const since = new Date(Date.now() - 1000).toISOString();
  await v3.put('/customers', [{ id: ids[1], notes: 'breadth' }]);
  const { data: modified } = await v3.get(`/customers?date_modified:min=${encodeURIComponent(since)}`);
  assert.ok(modified.some(c => c.id === ids[1]));

  const { data: hook } = await v3.post('/hooks', { scope: 'store/customer/updated', destination: 'https://hub.example.com/breadth', is_active: true, headers: { 'X-Webhook-Secret': 's' } });
  const { data: read } = await v3.get(`/hooks/${hook.id}`);
  assert.equal(read.scope, 'store/customer/updated');
  const { data: updated } = await v3.put(`/hooks/${hook.id}`, { is_active: false });
  assert.equal(updated.is_active, false);
  const { data: admin } = await v3.get('/hooks/admin');
  assert.ok(admin !== undefined);
  await v3.delete(`/hooks/${hook.id}`);
  await assert.rejects(v3.get(`/hooks/${hook.id}`), err => err.code === 404);
});

test('adapter paths, inventory: items by sku:in, variant_id:in and location_id:in; absolute and relative adjustments', async () => {
  const { data: product } = await v3.get('/catalog/products/12?include=variants');
  const variant = product.variants[0];
  const { data: items } = await v3.get(`/inventory/items?variant_id:in=${variant.id}&location_id:in=1`);
  assert.equal(items.length, 1);
  assert.equal(items[0].identity.variant_id, variant.id);
  const { data: bySku } = await v3.get(`/inventory/items?sku:in=${encodeURIComponent(variant.sku)}`);
  assert.equal(bySku[0].identity.sku, variant.sku);

  await v3.put('/inventory/adjustments/absolute', { reason: 'breadth', items: [{ location_id: 1, variant_id: variant.id, quantity: 40 }] });
  await v3.post('/inventory/adjustments/relative', { reason: 'breadth', items: [{ location_id: 1, variant_id: variant.id, quantity: -3 }] });
  const { data: after } = await v3.get(`/inventory/items?variant_id:in=${variant.id}&location_id:in=1`);
  assert.equal(after[0].locations[0].total_inventory_onhand, 37);
});

test('adapter paths, v2 orders: modified since sorted by date_modified, products, addresses, status change, shipments, refunds; 404', async () => {
  const orders = await v2.get('/orders?min_date_modified=2000-01-01T00:00:00Z&sort=date_modified&page=1&limit=50');
  const modified = orders.map(o => Date.parse(o.date_modified));
  assert.ok(modified.every((m, i) => i === 0 || modified[i - 1] <= m), 'sorted by date_modified');
  const order = orders[0];
  const lines = await v2.get(`/orders/${order.id}/products`);
  const [address] = await v2.get(`/orders/${order.id}/shipping_addresses`);
  const shipment = await v2.post(`/orders/${order.id}/shipments`, {
    order_address_id: address.id, tracking_number: 'TRACK1', shipping_provider: '', tracking_carrier: 'ups',
    items: [{ order_product_id: lines[0].id, quantity: 1 }] });
  assert.equal(shipment.order_id, order.id);
  const changed = await v2.put(`/orders/${order.id}/shipments/${shipment.id}`, { tracking_number: 'TRACK2' });
  assert.equal(changed.tracking_number, 'TRACK2');
  const shipments = await v2.get(`/orders/${order.id}/shipments`);
  assert.ok(shipments.some(s => s.id === shipment.id));
  const status = await v2.put(`/orders/${order.id}`, { status_id: 10 });
  assert.equal(status.status_id, 10);
  const { data: refunds } = await v3.get(`/orders/${order.id}/payment_actions/refunds`);
  assert.ok(Array.isArray(refunds));
  await assert.rejects(v2.get('/orders/987654321'), err => err.code === 404);
});
