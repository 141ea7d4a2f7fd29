/**
 * Company numbers (DIDs) and ring groups, over real HTTP on SQLite and PostgreSQL: customer care gives a
 * company numbers, the admin points them at people or groups and picks a main number, the proxy's two
 * look-ups answer from that alone. Attacks: employees and admins doing customer care's part, employees doing
 * the admin's, another company's ids (numbers, people, groups: 404, nothing changed), one number given to two
 * companies, a deactivated person still rung, bad numbers and bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  companyNumberListSchema, companyNumberViewSchema, myNumberViewSchema, proxyCallerIdResponseSchema, proxyNumberResponseSchema, ringGroupViewSchema,
} from '../../shared/api/number-schemas';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { addCompany, startBackend, startManager } from './support/manager-harness';

const alice = 'usr_demo_1001';
const bruno = 'usr_demo_1002';
const chloe = 'usr_demo_1003';

describe.each<BackendName>(['sqlite', 'postgres'])('company numbers on %s', (backendName) => {
  let backend: Backend;
  let m: RunningManager;
  let care: string;
  let admin: string;
  let employee: string;
  let otherAdmin: string;

  beforeAll(async () => {
    backend = await startBackend(backendName);
    m = await startManager(await backend.freshEnv());
    await addCompany(m.repository, 'cmp_other', 'other.test', 'boss@other.test', 'other-password-1');
    care = await m.signIn('care@cabine.test', 'cabine-care');
    admin = await m.signIn('alice@cabine.test', 'cabine-1001');
    employee = await m.signIn('bruno@cabine.test', 'cabine-1002');
    otherAdmin = await m.signIn('boss@other.test', 'other-password-1');
  });

  afterAll(async () => {
    await m?.close();
    await backend?.stop();
  });

  const get = (path: string, token: string) => m.request('GET', path, { token });
  const addNumber = (companyId: string, e164: string, token = care) => m.request('POST', `/api/v1/care/companies/${companyId}/numbers`, { token, body: { e164 } });
  const assign = (numberId: string, body: unknown, token = admin) => m.request('PUT', `/api/v1/numbers/${numberId}/assignment`, { token, body });
  const inbound = async (number: string) => proxyNumberResponseSchema.parse((await m.proxy('/api/v1/proxy/numbers/lookup', { number })).body);
  const callerId = async (sipDomain: string, extension: string) =>
    proxyCallerIdResponseSchema.parse((await m.proxy('/api/v1/proxy/caller-id', { sipDomain, extension })).body).callerId;

  let main: string;
  let sales: string;
  let direct: string;
  let theirs: string;

  it('customer care gives numbers to companies, written as people write them; a number belongs to one company only', async () => {
    const added = await addNumber('cmp_demo', '+33 1 99 00 00 01');
    expect(added.status).toBe(201);
    const view = companyNumberViewSchema.parse(added.body);
    expect(view).toMatchObject({ e164: '+33199000001', companyId: 'cmp_demo', main: false, assignedTo: null });
    main = view.id;
    sales = companyNumberViewSchema.parse((await addNumber('cmp_demo', '0033 1-99-00-00-02')).body).id;
    direct = companyNumberViewSchema.parse((await addNumber('cmp_demo', '+33199000003')).body).id;
    theirs = companyNumberViewSchema.parse((await addNumber('cmp_other', '+33199000009')).body).id;

    // The same number for the other company (in another spelling): 409, and it stays the first company's.
    const twice = await addNumber('cmp_other', '+33 199 000 001');
    expect(twice.status).toBe(409);
    expect((await inbound('+33199000001')).sipDomain).toBe('cabine.test');
    expect((await addNumber('cmp_nobody', '+33199000004')).status).toBe(404);
    for (const bad of ['0199000004', '+0199000004', '+33 1 99', '+331990000041234567', 'tel:+33199000004', '+33199000004;x', '']) {
      const refused = await addNumber('cmp_demo', bad);
      expect(refused.status, bad).toBe(400);
      expect(refused.body.error.code).toBe('validation_failed');
    }
    expect(companyNumberListSchema.parse((await get('/api/v1/care/companies/cmp_demo/numbers', care)).body).numbers.map((n) => n.e164))
      .toEqual(['+33199000001', '+33199000002', '+33199000003']);
  });

  it("customer care's part is refused to admins and employees; the admin's part to employees and to customer care", async () => {
    for (const token of [admin, employee, otherAdmin]) {
      expect((await addNumber('cmp_demo', '+33199000005', token)).status).toBe(403);
      expect((await get('/api/v1/care/companies/cmp_demo/numbers', token)).status).toBe(403);
      expect((await m.request('POST', `/api/v1/care/numbers/${main}/remove`, { token })).status).toBe(403);
    }
    expect((await assign(direct, { kind: 'user', userId: bruno }, employee)).status).toBe(403);
    expect((await get('/api/v1/numbers', employee)).status).toBe(403);
    expect((await m.request('POST', '/api/v1/ring-groups', { token: employee, body: { name: 'Mine', memberIds: [bruno] } })).status).toBe(403);
    expect((await m.request('PUT', '/api/v1/company/main-number', { token: employee, body: { numberId: direct } })).status).toBe(403);
    // Customer care belongs to no company: the admin's endpoints are not theirs either.
    expect((await assign(direct, { kind: 'user', userId: bruno }, care)).status).toBe(403);
    expect((await m.request('POST', '/api/v1/proxy/numbers/lookup', { body: { number: '+33199000001' } })).status).toBe(401);
    expect((await m.request('POST', '/api/v1/proxy/numbers/lookup', { body: { number: '+33199000001' }, headers: { 'x-cabine-proxy-secret': 'wrong' } })).status).toBe(401);
    // An admin's session is not the proxy's secret.
    expect((await m.request('POST', '/api/v1/proxy/caller-id', { token: admin, body: { sipDomain: 'cabine.test', extension: '1001' } })).status).toBe(401);
    expect((await inbound('+33199000003')).found).toBe(false);
  });

  it('the admin points numbers at a person and at a ring group; the proxy rings exactly them', async () => {
    const toBruno = await assign(direct, { kind: 'user', userId: bruno });
    expect(toBruno.status).toBe(200);
    expect(companyNumberViewSchema.parse(toBruno.body).assignedTo).toEqual({ kind: 'user', id: bruno, displayName: 'Bruno Petit', extension: '1002' });
    expect(await inbound('+33199000003')).toEqual({ found: true, e164: '+33199000003', sipDomain: 'cabine.test', extensions: '1002' });
    // Carriers write the called number with or without "+" or as 00...
    expect((await inbound('33199000003')).extensions).toBe('1002');
    expect((await inbound('0033199000003')).extensions).toBe('1002');

    const created = await m.request('POST', '/api/v1/ring-groups', { token: admin, body: { name: 'Sales', memberIds: [bruno, chloe] } });
    expect(created.status).toBe(201);
    const group = ringGroupViewSchema.parse(created.body);
    expect(group.members.map((member) => member.extension)).toEqual(['1002', '1003']);
    expect((await m.request('POST', '/api/v1/ring-groups', { token: admin, body: { name: 'Sales', memberIds: [alice] } })).status).toBe(409);
    expect((await m.request('POST', '/api/v1/ring-groups', { token: admin, body: { name: 'Twice', memberIds: [bruno, bruno] } })).status).toBe(400);
    expect((await assign(sales, { kind: 'group', groupId: group.id })).status).toBe(200);
    expect((await inbound('+33199000002')).extensions).toBe('1002,1003');
    const changed = await m.request('PUT', `/api/v1/ring-groups/${group.id}`, { token: admin, body: { name: 'Sales team', memberIds: [alice, chloe] } });
    expect(changed.status).toBe(200);
    expect((await inbound('+33199000002')).extensions).toBe('1001,1003');

    // Unknown numbers and numbers assigned to nobody ring nobody.
    expect(await inbound('+33199000001')).toMatchObject({ found: false, extensions: '' });
    expect(await inbound('+33199999999')).toEqual({ found: false, e164: '+33199999999', sipDomain: '', extensions: '' });
    expect(await inbound('1002')).toMatchObject({ found: false, sipDomain: '', extensions: '' });
    expect((await m.proxy('/api/v1/proxy/numbers/lookup', {})).status).toBe(400);
  });

  it("another company's numbers, people and ring groups are 404 to an admin, and nothing of theirs changes", async () => {
    const theirGroup = ringGroupViewSchema.parse((await m.request('POST', '/api/v1/ring-groups', { token: otherAdmin, body: { name: 'Desk', memberIds: ['usr_cmp_other_admin'] } })).body);
    expect((await assign(theirs, { kind: 'user', userId: bruno })).status).toBe(404);
    expect((await assign(theirs, { kind: 'none' })).status).toBe(404);
    expect((await assign(direct, { kind: 'user', userId: 'usr_cmp_other_admin' })).status).toBe(404);
    expect((await assign(direct, { kind: 'group', groupId: theirGroup.id })).status).toBe(404);
    expect((await m.request('PUT', `/api/v1/ring-groups/${theirGroup.id}`, { token: admin, body: { name: 'Taken', memberIds: [bruno] } })).status).toBe(404);
    expect((await m.request('POST', '/api/v1/ring-groups', { token: admin, body: { name: 'Mixed', memberIds: [bruno, 'usr_cmp_other_admin'] } })).status).toBe(404);
    expect((await m.request('PUT', '/api/v1/company/main-number', { token: admin, body: { numberId: theirs } })).status).toBe(404);
    // The other company reaches none of ours either.
    expect((await assign(direct, { kind: 'none' }, otherAdmin)).status).toBe(404);
    expect((await m.request('PUT', '/api/v1/company/main-number', { token: otherAdmin, body: { numberId: main } })).status).toBe(404);

    const ours = companyNumberListSchema.parse((await get('/api/v1/numbers', admin)).body).numbers;
    expect(ours.map((n) => n.e164)).toEqual(['+33199000001', '+33199000002', '+33199000003']);
    const theirList = companyNumberListSchema.parse((await get('/api/v1/numbers', otherAdmin)).body).numbers;
    expect(theirList.map((n) => [n.e164, n.assignedTo])).toEqual([['+33199000009', null]]);
    expect((await inbound('+33199000003')).extensions).toBe('1002');
    // Their own assignment works, and rings their domain only.
    expect((await assign(theirs, { kind: 'group', groupId: theirGroup.id }, otherAdmin)).status).toBe(200);
    expect(await inbound('+33199000009')).toEqual({ found: true, e164: '+33199000009', sipDomain: 'other.test', extensions: '1001' });
  });

  it('outgoing caller ID: your own number, else the main number, else none; as the proxy and the user see it', async () => {
    expect(await callerId('cabine.test', '1002')).toBe('+33199000003');
    expect(await callerId('cabine.test', '1003')).toBe('');
    const mainSet = await m.request('PUT', '/api/v1/company/main-number', { token: admin, body: { numberId: main } });
    expect(mainSet.status).toBe(200);
    expect(companyNumberListSchema.parse(mainSet.body).numbers.filter((n) => n.main).map((n) => n.e164)).toEqual(['+33199000001']);
    expect(await callerId('cabine.test', '1003')).toBe('+33199000001');
    expect(await callerId('cabine.test', '1002')).toBe('+33199000003');
    // Moving the main number leaves one main number.
    await m.request('PUT', '/api/v1/company/main-number', { token: admin, body: { numberId: sales } });
    expect(await callerId('cabine.test', '1003')).toBe('+33199000002');
    await m.request('PUT', '/api/v1/company/main-number', { token: admin, body: { numberId: main } });
    // The same extension in the other company presents that company's number, never ours.
    expect(await callerId('other.test', '1001')).toBe('');
    expect(await callerId('nowhere.test', '1001')).toBe('');
    expect((await m.proxy('/api/v1/proxy/caller-id', { sipDomain: 'cabine.test', extension: '12;' })).status).toBe(400);

    expect(myNumberViewSchema.parse((await get('/api/v1/me/number', employee)).body)).toEqual({ callerId: '+33199000003', source: 'own', numbers: ['+33199000003'] });
    const chloeToken = await m.signIn('chloe@cabine.test', 'cabine-1003');
    expect(myNumberViewSchema.parse((await get('/api/v1/me/number', chloeToken)).body)).toEqual({ callerId: '+33199000001', source: 'main', numbers: ['+33199000002'] });
  });

  it("is in the audit trail: customer care's numbers under the company, the admin's assignments, groups and main number; none of the other company's", async () => {
    const events = ((await get('/api/v1/audit?limit=200', admin)).body as { events: Array<{ action: string; actor: string; companyId: string | null; target: string | null; details: Record<string, unknown> | null }> }).events;
    const ofNumbers = events.filter((event) => /^(number|main_number|ring_group)\./.test(event.action));
    expect(ofNumbers.filter((event) => event.action === 'number.added').map((event) => [event.actor, event.companyId, event.details?.['e164']]))
      .toEqual(expect.arrayContaining([['care@cabine.test', 'cmp_demo', '+33199000001']]));
    expect(ofNumbers.some((event) => event.action === 'number.added' && event.details?.['e164'] === '+33199000009')).toBe(false);
    expect(ofNumbers.filter((event) => event.action === 'number.assigned').map((event) => [event.actor, event.target, event.details?.['kind']]))
      .toEqual(expect.arrayContaining([['alice@cabine.test', direct, 'user'], ['alice@cabine.test', sales, 'group']]));
    expect(ofNumbers.some((event) => event.action === 'ring_group.saved' && event.details?.['name'] === 'Sales team')).toBe(true);
    expect(ofNumbers.some((event) => event.action === 'main_number.changed' && event.details?.['numberId'] === main)).toBe(true);
    // Recorded as stored (normalised E.164). Refused writes (403, 404, 409) left nothing: one entry per number added.
    expect(ofNumbers.filter((event) => event.action === 'number.added')).toHaveLength(3);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await m.request('GET', '/api/v1/openapi.json')).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      '/api/v1/care/companies/{companyId}/numbers', '/api/v1/numbers/{id}/assignment', '/api/v1/company/main-number', '/api/v1/ring-groups',
      '/api/v1/ring-groups/{id}', '/api/v1/me/number', '/api/v1/proxy/numbers/lookup', '/api/v1/proxy/caller-id',
    ]));
    expect(doc.paths['/api/v1/care/companies/{companyId}/numbers'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('e164');
  });

  it('customer care takes a number back: it rings nobody and presents nothing', async () => {
    expect((await m.request('POST', `/api/v1/care/numbers/${direct}/remove`, { token: care })).status).toBe(204);
    expect((await inbound('+33199000003')).found).toBe(false);
    expect(await callerId('cabine.test', '1002')).toBe('+33199000001');
    expect((await m.request('POST', `/api/v1/care/numbers/${direct}/remove`, { token: care })).status).toBe(404);
  });
});
