/**
 * The company directory (GET /api/v1/directory, the app's Contacts; docs/manager.md "Directory"): people
 * with their extensions and the numbers that ring them, ring groups, company numbers. Tenancy: another
 * company's people, numbers and groups are never listed, whichever token asks. Emails: admins see
 * everyone's, an employee only their own. Deactivated people are not listed. Real HTTP, SQLite and
 * PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryResponseSchema } from '../../shared/api/directory-schemas';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { addCompany, startBackend, startManager } from './support/manager-harness';

describe.each<BackendName>(['sqlite', 'postgres'])('company directory on %s', (backendName) => {
  let backend: Backend;
  let m: RunningManager;
  let admin: string;
  let bruno: string;
  let care: string;
  let other: string;
  const otherId = `cmp_dir_${backendName}`;

  beforeAll(async () => {
    backend = await startBackend(backendName);
    m = await startManager(await backend.freshEnv());
    admin = await m.signIn('alice@cabine.test', 'cabine-1001');
    bruno = await m.signIn('bruno@cabine.test', 'cabine-1002');
    care = await m.signIn('care@cabine.test', 'cabine-care');
    await addCompany(m.repository, otherId, `dir-${backendName}.test`, `boss-dir-${backendName}@other.test`, 'other-password');
    other = await m.signIn(`boss-dir-${backendName}@other.test`, 'other-password');
    // Numbers: one for Bruno, one for a Sales group (Bruno and Chloe), one for the other company's admin.
    const add = async (companyId: string, e164: string): Promise<string> => {
      const response = await m.request('POST', `/api/v1/care/companies/${companyId}/numbers`, { token: care, body: { e164, label: `Line ${e164.slice(-2)}` } });
      expect(response.status).toBe(201);
      return response.body.id as string;
    };
    const direct = await add('cmp_demo', '+33199001001');
    const sales = await add('cmp_demo', '+33199001002');
    const theirs = await add(otherId, '+33199009009');
    expect((await m.request('PUT', `/api/v1/numbers/${direct}/assignment`, { token: admin, body: { kind: 'user', userId: 'usr_demo_1002' } })).status).toBe(200);
    const group = await m.request('POST', '/api/v1/ring-groups', { token: admin, body: { name: 'Sales', memberIds: ['usr_demo_1002', 'usr_demo_1003'] } });
    expect(group.status).toBe(201);
    expect((await m.request('PUT', `/api/v1/numbers/${sales}/assignment`, { token: admin, body: { kind: 'group', groupId: group.body.id } })).status).toBe(200);
    expect((await m.request('PUT', `/api/v1/numbers/${theirs}/assignment`, { token: other, body: { kind: 'user', userId: `usr_${otherId}_admin` } })).status).toBe(200);
  });

  afterAll(async () => {
    await m.close();
    await backend.stop();
  });

  const directory = async (token: string) => {
    const response = await m.request('GET', '/api/v1/directory', { token });
    expect(response.status).toBe(200);
    return directoryResponseSchema.parse(response.body);
  };

  it('an employee sees the people of the company, their extensions and the numbers that ring them; only their own email', async () => {
    const seen = await directory(bruno);
    const byExtension = new Map(seen.people.map((person) => [person.extension, person]));
    expect([...byExtension.keys()].sort()).toEqual(['1001', '1002', '1003']);
    expect(byExtension.get('1002')?.numbers).toEqual(['+33199001001', '+33199001002']);
    expect(byExtension.get('1003')?.numbers).toEqual(['+33199001002']);
    expect(byExtension.get('1001')?.numbers).toEqual([]);
    expect(byExtension.get('1002')?.email).toBe('bruno@cabine.test');
    expect(byExtension.get('1001')?.email).toBeNull();
    expect(byExtension.get('1003')?.email).toBeNull();
    expect(seen.groups).toEqual([expect.objectContaining({ name: 'Sales', numbers: ['+33199001002'], memberIds: ['usr_demo_1002', 'usr_demo_1003'] })]);
    expect(seen.numbers.map((row) => [row.e164, row.ringsName]).sort()).toEqual([['+33199001001', byExtension.get('1002')?.displayName], ['+33199001002', 'Sales']]);
    // One address in the whole answer: the reader's own.
    expect(JSON.stringify(seen).match(/@/g)).toHaveLength(1);
  });

  it('an admin sees every email', async () => {
    const seen = await directory(admin);
    expect(seen.people.map((person) => person.email).sort()).toEqual(['alice@cabine.test', 'bruno@cabine.test', 'chloe@cabine.test']);
  });

  it("tenancy: neither company's directory holds anything of the other, whichever token asks", async () => {
    const ours = JSON.stringify(await directory(admin));
    for (const leak of [otherId, `usr_${otherId}_admin`, '+33199009009', 'Other Admin', `boss-dir-${backendName}@other.test`]) expect(ours).not.toContain(leak);
    const theirs = await directory(other);
    expect(theirs.people.map((person) => person.id)).toEqual([`usr_${otherId}_admin`]);
    expect(theirs.numbers.map((row) => row.e164)).toEqual(['+33199009009']);
    expect(theirs.groups).toEqual([]);
    for (const leak of ['usr_demo_', '+33199001001', '+33199001002', 'Sales', '@cabine.test']) expect(JSON.stringify(theirs)).not.toContain(leak);
    // No query or path names a company: there is nothing to forge. Extra query fields are refused, not read.
    expect((await m.request('GET', `/api/v1/directory?companyId=cmp_demo`, { token: other })).status).toBe(400);
    // Customer care belongs to no company: an empty directory. No token: 401.
    expect(await directory(care)).toEqual({ people: [], groups: [], numbers: [] });
    expect((await m.request('GET', '/api/v1/directory')).status).toBe(401);
  });

  it('a deactivated person leaves the directory and comes back when reactivated', async () => {
    expect((await m.request('POST', '/api/v1/people/usr_demo_1003/deactivate', { token: admin })).status).toBe(200);
    const without = await directory(bruno);
    expect(without.people.map((person) => person.extension).sort()).toEqual(['1001', '1002']);
    expect(without.groups[0]?.memberIds).toEqual(['usr_demo_1002']);
    expect((await m.request('POST', '/api/v1/people/usr_demo_1003/reactivate', { token: admin })).status).toBe(200);
    expect((await directory(bruno)).people.map((person) => person.extension).sort()).toEqual(['1001', '1002', '1003']);
  });
});
