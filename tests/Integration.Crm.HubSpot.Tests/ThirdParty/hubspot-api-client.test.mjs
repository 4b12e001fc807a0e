// HubSpot's own Node client (@hubspot/api-client 14.0.1), unchanged but for basePath, against our emulator.
// Run by HubSpotApiClientTests (xunit), which starts the emulator and sets HUBSPOT_BASE_URL, HUBSPOT_TOKEN and
// TOOLS_NODE_MODULES (tests/tools/node_modules).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.env.TOOLS_NODE_MODULES, 'noop.js'));
const { Client, AssociationTypes } = require('@hubspot/api-client');

const basePath = process.env.HUBSPOT_BASE_URL.replace(/\/$/, '');
const accessToken = process.env.HUBSPOT_TOKEN;
const client = new Client({ accessToken, basePath, numberOfApiCallRetries: 3 });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function control(method, route) {
  const response = await fetch(`${basePath}/_emulator/${route}`, { method, headers: { Authorization: `Bearer ${accessToken}` } });
  assert.ok(response.ok, `control ${route}: ${response.status}`);
  return response.status === 204 ? null : response.json();
}

test('contact: create 201, read by id and by email, update, archive', async () => {
  const created = await client.crm.contacts.basicApi.create({ properties: { email: 'Ada@Example.org', firstname: 'Ada' }, associations: [] });
  assert.match(created.id, /^\d+$/);
  assert.equal(created.properties.email, 'ada@example.org');

  const byId = await client.crm.contacts.basicApi.getById(created.id, ['phone']);
  assert.equal(byId.properties.firstname, 'Ada');
  assert.ok(byId.createdAt instanceof Date);
  assert.ok('phone' in byId.properties);

  // The client encodes the e-mail in the path (a%40b): the emulator must decode it.
  const byEmail = await client.crm.contacts.basicApi.getById('ada@example.org', undefined, undefined, undefined, false, 'email');
  assert.equal(byEmail.id, created.id);

  const updated = await client.crm.contacts.basicApi.update(created.id, { properties: { lastname: 'Lovelace' } });
  assert.equal(updated.properties.lastname, 'Lovelace');

  await client.crm.contacts.basicApi.archive(created.id);
  await assert.rejects(client.crm.contacts.basicApi.getById(created.id), (e) => e.code === 404 && e.body.category === 'OBJECT_NOT_FOUND');
});

test('contact: a duplicate e-mail is a 409 naming the existing id in the message', async () => {
  const first = await client.crm.contacts.basicApi.create({ properties: { email: 'dup@example.org' }, associations: [] });
  await assert.rejects(client.crm.contacts.basicApi.create({ properties: { email: 'DUP@example.org' }, associations: [] }), (e) => {
    assert.equal(e.code, 409);
    assert.equal(e.body.category, 'CONFLICT');
    assert.equal(e.body.message.match(/Existing ID: (\d+)/)[1], first.id);
    return true;
  });
});

test('batch upsert by idProperty: creates then updates, "new" says which', async () => {
  const inputs = [
    { id: 'grace@example.org', idProperty: 'email', properties: { firstname: 'Grace' } },
    { id: 'alan@example.org', idProperty: 'email', properties: { firstname: 'Alan' } },
  ];
  const first = await client.crm.contacts.batchApi.upsert({ inputs });
  assert.equal(first.status, 'COMPLETE');
  assert.equal(first.results.length, 2);
  assert.ok(first.results.every((r) => r._new === true || r['new'] === true));

  inputs[0].properties.lastname = 'Hopper';
  const second = await client.crm.contacts.batchApi.upsert({ inputs });
  assert.equal(second.results.length, 2);
  const grace = second.results.find((r) => r.properties.email === 'grace@example.org');
  assert.equal(grace.properties.lastname, 'Hopper');
  assert.ok(second.results.every((r) => r._new === false || r['new'] === false));
  assert.deepEqual(new Set(second.results.map((r) => r.id)), new Set(first.results.map((r) => r.id)));
});

test('search: filters, sorts and paging; a new record becomes searchable after the lag', async () => {
  const lagMs = Number(process.env.HUBSPOT_SEARCH_LAG_MS);
  const email = `late-${Date.now()}@example.org`;
  const writtenBefore = Date.now();
  await client.crm.contacts.basicApi.create({ properties: { email, firstname: 'Late' }, associations: [] });
  const request = { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: email }] }], properties: ['firstname'], limit: 10, after: '0', sorts: [] };
  const immediately = await client.crm.contacts.searchApi.doSearch(request);
  // Only meaningful when the search was answered within the lag (a loaded machine can be slower than that).
  if (Date.now() - writtenBefore < lagMs) {
    assert.equal(immediately.total, 0, 'search must lag writes');
  }

  let found;
  for (let i = 0; i < 100 && !found?.total; i++) {
    await sleep(100);
    found = await client.crm.contacts.searchApi.doSearch(request);
  }
  assert.equal(found.total, 1);
  assert.equal(found.results[0].properties.firstname, 'Late');

  // IN, as the store day's convergence check asks for a chunk of e-mails at once: only the listed values match.
  const byIn = await client.crm.contacts.searchApi.doSearch({ ...request,
    filterGroups: [{ filters: [{ propertyName: 'email', operator: 'IN', values: [email, `nobody-${Date.now()}@example.org`] }] }] });
  assert.deepEqual(byIn.results.map((r) => r.properties.firstname), ['Late']);

  await assert.rejects(client.crm.contacts.searchApi.doSearch({ ...request, limit: 201 }), (e) => e.code === 400);
});

test('associations v4: default and labelled, listed with type ids', async () => {
  const contact = await client.crm.contacts.basicApi.create({ properties: { email: 'assoc@example.org' }, associations: [] });
  const company = await client.crm.companies.basicApi.create({ properties: { name: 'Analytical Engines', domain: 'engines.example' }, associations: [] });
  const pipelines = await client.crm.pipelines.pipelinesApi.getAll('deals');
  const stage = pipelines.results.find((p) => p.id === 'default').stages.find((s) => s.id === 'closedwon');
  assert.ok(stage);
  const deal = await client.crm.deals.basicApi.create({
    properties: { dealname: 'Order 1', dealstage: stage.id, pipeline: 'default', amount: '12.50' },
    associations: [{ to: { id: contact.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: AssociationTypes.dealToContact }] }],
  });

  const byDefault = await client.crm.associations.v4.basicApi.createDefault('contacts', contact.id, 'companies', company.id);
  assert.equal(byDefault.results[0].associationSpec.associationTypeId, AssociationTypes.contactToCompany);

  const labelled = await client.crm.associations.v4.basicApi.create('deals', deal.id, 'companies', company.id,
    [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: AssociationTypes.dealToCompany }]);
  assert.equal(String(labelled.toObjectId), company.id);

  const fromCompany = await client.crm.associations.v4.basicApi.getPage('companies', company.id, 'deals');
  assert.deepEqual(fromCompany.results.map((r) => String(r.toObjectId)), [deal.id]);
  assert.equal(fromCompany.results[0].associationTypes[0].typeId, AssociationTypes.companyToDeal);

  const fromContact = await client.crm.associations.v4.basicApi.getPage('contacts', contact.id, 'deals');
  assert.equal(fromContact.results[0].associationTypes[0].typeId, AssociationTypes.contactToDeal);

  const batch = await client.crm.associations.v4.batchApi.createDefault('deals', 'contacts', { inputs: [{ _from: { id: deal.id }, to: { id: contact.id } }] });
  assert.equal(batch.results.length, 1);
});

test('properties: create 201, then 409 when it exists', async () => {
  const property = { name: 'test_unique_key', label: 'Test key', type: 'string', fieldType: 'text', groupName: 'dealinformation', hasUniqueValue: true };
  const created = await client.crm.properties.coreApi.create('deals', property);
  assert.equal(created.hasUniqueValue, true);
  await assert.rejects(client.crm.properties.coreApi.create('deals', property), (e) => e.code === 409);
});

test('rate limits: the client itself retries 5xx, the burst 429 and the search 429', async () => {
  const contact = await client.crm.contacts.basicApi.create({ properties: { email: 'retry@example.org' }, associations: [] });
  const before = await control('GET', 'counters');

  await control('POST', 'faults?count=2&status=502');
  assert.equal((await client.crm.contacts.basicApi.getById(contact.id)).id, contact.id);

  await control('POST', 'faults?count=1&status=429'); // TEN_SECONDLY_ROLLING: the client waits 10 s, then retries
  assert.equal((await client.crm.contacts.basicApi.getById(contact.id)).id, contact.id);

  // Search allows 5 a second: 8 at once get SECONDLY 429s, which the client retries after 1 s.
  const searches = await Promise.all(Array.from({ length: 8 }, () =>
    client.crm.contacts.searchApi.doSearch({ filterGroups: [], properties: [], limit: 1, after: '0', sorts: [] })));
  assert.equal(searches.length, 8);

  const after = await control('GET', 'counters');
  assert.equal(after.faults - before.faults, 3);
  assert.ok(after.searchThrottled - before.searchThrottled >= 3, `search 429s: ${after.searchThrottled - before.searchThrottled}`);
  assert.equal(after.operations['GET /crm/v3/objects/{objectType}/{objectId}'] - (before.operations['GET /crm/v3/objects/{objectType}/{objectId}'] ?? 0), 5);
});

// ---- issue 27: behaviours HubSpot documents that the emulator once answered differently ----

test('read with archived=true: an archived record comes back with archived and archivedAt (404 without it)', async () => {
  const contact = await client.crm.contacts.basicApi.create({ properties: { email: `archived-${Date.now()}@example.org` }, associations: [] });
  await client.crm.contacts.basicApi.archive(contact.id);
  await assert.rejects(client.crm.contacts.basicApi.getById(contact.id), (e) => e.code === 404);

  const archived = await client.crm.contacts.basicApi.getById(contact.id, ['email'], undefined, undefined, true);
  assert.equal(archived.id, contact.id);
  assert.equal(archived.archived, true);
  assert.ok(archived.archivedAt instanceof Date && !Number.isNaN(archived.archivedAt.getTime()), `archivedAt: ${archived.archivedAt}`);
  assert.equal(archived.properties.email, contact.properties.email);

  // A list with archived=true lists archived records only.
  const live = await client.crm.contacts.basicApi.create({ properties: { email: `live-${Date.now()}@example.org` }, associations: [] });
  const archivedPage = await client.crm.contacts.basicApi.getPage(100, undefined, ['email'], undefined, undefined, true);
  assert.ok(archivedPage.results.some((r) => r.id === contact.id && r.archived === true));
  assert.ok(!archivedPage.results.some((r) => r.id === live.id));
});

test('batch create: with a unique objectWriteTraceId per input, invalid inputs are answered per item (207, numErrors) and the valid ones created', async () => {
  const stamp = Date.now();
  const good = [`trace-a-${stamp}@example.org`, `trace-b-${stamp}@example.org`];
  const response = await client.crm.contacts.batchApi.create({ inputs: [
    { properties: { email: good[0] }, associations: [], objectWriteTraceId: `a-${stamp}` },
    { properties: { email: `not-an-address-${stamp}` }, associations: [], objectWriteTraceId: `b-${stamp}` },
    { properties: { email: good[1] }, associations: [], objectWriteTraceId: `c-${stamp}` },
  ] });
  assert.equal(response.numErrors, 1);
  assert.equal(response.errors.length, 1);
  assert.equal(response.errors[0].category, 'VALIDATION_ERROR');
  assert.deepEqual(response.errors[0].context.objectWriteTraceId, [`b-${stamp}`]);
  assert.deepEqual(response.results.map((r) => r.properties.email).sort(), good);
  for (const email of good) {
    const read = await client.crm.contacts.basicApi.getById(email, undefined, undefined, undefined, false, 'email');
    assert.equal(read.properties.email, email);
  }

  // Without trace ids the same mix fails as a whole, and nothing is created.
  const alone = `trace-none-${stamp}@example.org`;
  await assert.rejects(client.crm.contacts.batchApi.create({ inputs: [
    { properties: { email: alone }, associations: [] },
    { properties: { email: `not-an-address-2-${stamp}` }, associations: [] },
  ] }), (e) => e.code === 400 && e.body.category === 'VALIDATION_ERROR');
  await assert.rejects(client.crm.contacts.basicApi.getById(alone, undefined, undefined, undefined, false, 'email'), (e) => e.code === 404);
});

test('batch update and upsert by a property that is not unique: 400 VALIDATION_ERROR "non-unique", nothing written', async () => {
  const email = `nonunique-${Date.now()}@example.org`;
  const contact = await client.crm.contacts.basicApi.create({ properties: { email, firstname: `Nonunique${Date.now()}` }, associations: [] });
  const nonUnique = (e) => {
    assert.equal(e.code, 400);
    assert.equal(e.body.category, 'VALIDATION_ERROR');
    assert.match(e.body.message, /non-unique/);
    return true;
  };

  // Batch update by email is refused although email identifies a contact elsewhere (hubspot-facts.md §3, I9).
  await assert.rejects(client.crm.contacts.batchApi.update({ inputs: [{ id: email, idProperty: 'email', properties: { lastname: 'ByEmail' } }] }), nonUnique);
  await assert.rejects(client.crm.contacts.batchApi.update({ inputs: [
    { id: contact.id, properties: { lastname: 'ById' } },
    { id: contact.properties.firstname, idProperty: 'firstname', properties: { lastname: 'ByFirstname' } },
  ] }), nonUnique);
  await assert.rejects(client.crm.contacts.batchApi.upsert({ inputs: [
    { id: contact.properties.firstname, idProperty: 'firstname', properties: { lastname: 'Upserted' } },
  ] }), nonUnique);

  const after = await client.crm.contacts.basicApi.getById(contact.id, ['lastname']);
  assert.ok(after.properties.lastname == null, `nothing may be written: lastname is ${after.properties.lastname}`);
});

test('datetime properties written as epoch milliseconds are read back in ISO form', async () => {
  const ms = Date.UTC(2024, 0, 15, 10, 30, 0, 250);
  const deal = await client.crm.deals.basicApi.create({
    properties: { dealname: `Dated ${Date.now()}`, dealstage: 'closedwon', pipeline: 'default', closedate: String(ms) }, associations: [] });
  assert.equal(deal.properties.closedate, '2024-01-15T10:30:00.250Z');
  const read = await client.crm.deals.basicApi.getById(deal.id, ['closedate']);
  assert.equal(read.properties.closedate, '2024-01-15T10:30:00.250Z');

  const updated = await client.crm.deals.basicApi.update(deal.id, { properties: { closedate: String(ms + 86_400_000) } });
  assert.equal(updated.properties.closedate, '2024-01-16T10:30:00.250Z');
});

// ---- breadth: every call src/Integration.Crm.HubSpot makes, and each answer it branches on ----

test('adapter paths: probe, properties by name (404, unique), batch upsert by a unique custom property, batch read by email with a miss (207)', async () => {
  const stamp = Date.now();
  // HubSpotClient.ProbeAsync: GET /crm/v3/objects/contacts?limit=1
  const probe = await client.crm.contacts.basicApi.getPage(1);
  assert.ok(Array.isArray(probe.results) && probe.results.length <= 1);

  // HubSpotSchema: GET /crm/v3/properties/{type}/{name} (404 when missing), POST to create it unique (201)
  const key = `test_order_key_${stamp}`;
  await assert.rejects(client.crm.properties.coreApi.getByName('deals', key), (e) => e.code === 404);
  await client.crm.properties.coreApi.create('deals', { name: key, label: 'Order key', type: 'string', fieldType: 'text', groupName: 'dealinformation', hasUniqueValue: true });
  assert.equal((await client.crm.properties.coreApi.getByName('deals', key)).hasUniqueValue, true);

  // HubSpotCrmConnector.UpsertDealsAsync: batch upsert by the unique key; the results carry it and "new"
  const deal = (n, amount) => ({ id: `store-${stamp}-${n}`, idProperty: key,
    properties: { dealname: `Order ${n}`, pipeline: 'default', dealstage: 'closedwon', amount, closedate: '2024-03-01T12:00:00.000Z' } });
  const created = await client.crm.deals.batchApi.upsert({ inputs: [deal(1, '10.00'), deal(2, '20.00')] });
  assert.deepEqual(created.results.map((r) => [r.properties[key], r._new ?? r['new']]).sort(), [[`store-${stamp}-1`, true], [`store-${stamp}-2`, true]]);
  const again = await client.crm.deals.batchApi.upsert({ inputs: [deal(1, '11.00')] });
  assert.equal(again.results[0].id, created.results.find((r) => r.properties[key] === `store-${stamp}-1`).id);
  assert.equal(again.results[0].properties.amount, '11.00');
  assert.equal(again.results[0]._new ?? again.results[0]['new'], false);

  // HubSpotCrmConnector.WithoutOwnedOnExistingAsync: batch read by email; a miss is an OBJECT_NOT_FOUND error of a 207
  const email = `reader-${stamp}@example.org`;
  await client.crm.contacts.basicApi.create({ properties: { email, firstname: 'Reader' }, associations: [] });
  const read = await client.crm.contacts.batchApi.read({ idProperty: 'email', inputs: [{ id: email }, { id: `missing-${stamp}@example.org` }], properties: ['email', 'firstname'], propertiesWithHistory: [] });
  assert.deepEqual(read.results.map((r) => r.properties.firstname), ['Reader']);
  assert.equal(read.numErrors, 1);
  assert.equal(read.errors[0].category, 'OBJECT_NOT_FOUND');
  assert.deepEqual(read.errors[0].context.ids, [`missing-${stamp}@example.org`]);

  // Batch associate default (deals -> companies), as UpsertDealsAsync links a deal to its company
  const company = await client.crm.companies.basicApi.create({ properties: { name: `Co ${stamp}` }, associations: [] });
  const linked = await client.crm.associations.v4.batchApi.createDefault('deals', 'companies', { inputs: [{ _from: { id: again.results[0].id }, to: { id: company.id } }] });
  assert.equal(linked.results.length, 1);
  const fromDeal = await client.crm.associations.v4.basicApi.getPage('deals', again.results[0].id, 'companies');
  assert.deepEqual(fromDeal.results.map((r) => String(r.toObjectId)), [company.id]);
});

test('adapter error paths: 207 with a transient input error naming its id, 409 naming the existing id on upsert race, 401, daily 429', async () => {
  const stamp = Date.now();
  // A failed input of a batch upsert: a 207 whose error names the input (the connector resends only it).
  await control('POST', 'input-faults?count=1');
  const partial = await client.crm.contacts.batchApi.upsert({ inputs: [
    { id: `p1-${stamp}@example.org`, idProperty: 'email', properties: { firstname: 'One' } },
    { id: `p2-${stamp}@example.org`, idProperty: 'email', properties: { firstname: 'Two' } },
  ] });
  assert.equal(partial.numErrors, 1);
  assert.equal(partial.results.length, 1);
  assert.equal(partial.errors[0].status, 'error');
  assert.deepEqual(partial.errors[0].context.ids, [`p1-${stamp}@example.org`]);

  // PATCH by id (the connector's answer to a 409: update the record the message names)
  const existing = await client.crm.contacts.basicApi.create({ properties: { email: `race-${stamp}@example.org` }, associations: [] });
  await assert.rejects(client.crm.contacts.batchApi.create({ inputs: [{ properties: { email: `race-${stamp}@example.org` }, associations: [] }] }), (e) => {
    assert.equal(e.code, 409);
    assert.equal(e.body.message.match(/Existing ID: (\d+)/)[1], existing.id);
    return true;
  });
  const patched = await client.crm.contacts.basicApi.update(existing.id, { properties: { firstname: 'Patched' } });
  assert.equal(patched.properties.firstname, 'Patched');

  // 401: a wrong token (the connector's Authentication error)
  const stranger = new Client({ accessToken: 'pat-wrong', basePath, numberOfApiCallRetries: 0 });
  await assert.rejects(stranger.crm.contacts.basicApi.getPage(1), (e) => e.code === 401 && e.body.category === 'INVALID_AUTHENTICATION');

  // 429 DAILY: the client does not retry it (only TEN_SECONDLY_ROLLING and secondly); the connector pauses on its policyName
  await control('POST', 'daily-quota?spent=true');
  try {
    await assert.rejects(client.crm.contacts.basicApi.getPage(1), (e) => e.code === 429 && e.body.policyName === 'DAILY' && e.body.category === 'RATE_LIMITS');
  } finally {
    await control('POST', 'daily-quota?spent=false');
  }
});
