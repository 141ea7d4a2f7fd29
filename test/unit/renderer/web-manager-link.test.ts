import { describe, expect, it } from 'vitest';
import type { FetchLike, FetchResponseLike } from '../../../shared/manager-link/manager-client.js';
import { createWebManagerLink } from '../../../renderer/src/host/web-manager-link.js';

const token = 'tok_abcdefghijklmnopqrstuvwxyz0123';
const user = { id: 'usr_1', email: 'alice@cabine.test', displayName: 'Alice', role: 'admin', extension: '1001', companyId: 'cmp_1', premiumBarred: false };
const company = { id: 'cmp_1', name: 'Demo', currency: 'EUR', country: 'FR', sipDomain: 'cabine.test', dailyCapMinor: null };

function json(status: number, body: unknown): FetchResponseLike {
  return { status, json: async () => body, body: null };
}

/** A manager double: sign-in, me, and a hand-off that answers `code` (and, like an old manager, a ?code= URL). */
function fakeManager(code: string): FetchLike {
  return async (url, init) => {
    const path = url.replace('https://m.example.fr', '');
    if (path === '/api/v1/auth/sign-in') return json(200, { token, expiresAt: '2030-01-01T00:00:00.000Z', user });
    if (init.headers['authorization'] !== `Bearer ${token}`) return json(401, { error: { code: 'unauthorized', message: 'no' } });
    if (path === '/api/v1/me') return json(200, { user, company });
    if (path === '/api/v1/handoff') return json(201, { code, url: `/handoff?code=${code}`, expiresAt: '2030-01-01T00:00:00.000Z' });
    if (path === '/api/v1/wallet/events') return new Promise(() => undefined);
    return json(404, { error: { code: 'not_found', message: path } });
  };
}

async function signedIn(code: string) {
  const opened: string[] = [];
  const link = createWebManagerLink({ fetch: fakeManager(code), wait: () => new Promise(() => undefined), openTab: (url) => void opened.push(url) });
  await link.managerSignIn({ managerUrl: 'https://m.example.fr', email: 'alice@cabine.test', password: 'right' });
  return { link, opened };
}

describe('web softphone manager link: Add funds', () => {
  it('opens the hand-off page with the code in the fragment, never in the query the server would see', async () => {
    const code = 'Hc0de_abcdefghijklmnopqrstuvwxyz-0123456789';
    const { link, opened } = await signedIn(code);
    expect(await link.openAddFunds()).toEqual({ ok: true, value: 'opened' });
    expect(opened).toEqual([`https://m.example.fr/handoff#code=${code}`]);
  });

  it('opens nothing for a code that is not the manager\'s URL-safe token (it could smuggle a path or a query)', async () => {
    for (const code of ['short', 'abc/../../evil.example/xxxxxxxxxxxxxxxx', 'a'.repeat(30) + '&next=//evil.example']) {
      const { link, opened } = await signedIn(code);
      expect(await link.openAddFunds()).toMatchObject({ ok: false, failure: { kind: 'server' } });
      expect(opened).toEqual([]);
    }
  });
});
