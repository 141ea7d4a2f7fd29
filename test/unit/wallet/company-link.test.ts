// The company account's state machine (shared/manager-link/company-link.ts) that both hosts run, reached
// directly: a fake manager over the fetch seam, an in-memory vault, and the updates it emits.
import { describe, expect, it } from 'vitest';
import { createCompanyLink, type CompanyLinkDeps, type SessionVault } from '../../../shared/manager-link/company-link.js';
import type { FetchLike, FetchResponseLike } from '../../../shared/manager-link/manager-client.js';
import type { WalletUpdate } from '../../../shared/manager-link/wallet-stream.js';

const token = 'tok_abcdefghijklmnopqrstuvwxyz0123';
const user = { id: 'usr_1', email: 'alice@cabine.test', displayName: 'Alice', role: 'admin', extension: '1001', companyId: 'cmp_1', premiumBarred: false };
const company = { id: 'cmp_1', name: 'Demo', currency: 'EUR', country: 'FR', sipDomain: 'cabine.test', dailyCapMinor: null };
const wallet = { companyId: 'cmp_1', balanceMinor: 2500, reservedMinor: 0, availableMinor: 2500, currency: 'EUR', lowBalance: false, autoRefill: { enabled: false, thresholdMinor: 500, amountMinor: 2500, consecutiveDeclines: 0, disabledReason: null }, dailyCapMinor: null, spentTodayMinor: 0 };
const handoffCode = 'Hc0de_abcdefghijklmnopqrstuvwxyz-0123456789';
const signIn = { managerUrl: 'https://m.example.fr', email: 'alice@cabine.test', password: 'right' };

function json(status: number, body: unknown): FetchResponseLike {
  return { status, json: async () => body, body: null };
}

/** A manager double; `state.accepts` says whether it still takes the token, `state.down` makes it unreachable. */
function fakeManager() {
  const state = { accepts: true, down: false, walletStatus: 200, requests: [] as string[] };
  const fetch: FetchLike = async (url, init) => {
    const path = url.replace('https://m.example.fr', '');
    state.requests.push(path);
    if (state.down) throw new TypeError('fetch failed');
    if (path === '/api/v1/auth/sign-in') return json(200, { token, expiresAt: '2030-01-01T00:00:00.000Z', user });
    if (!state.accepts || init.headers['authorization'] !== `Bearer ${token}`) return json(401, { error: { code: 'unauthorized', message: 'no' } });
    if (path === '/api/v1/me') return json(200, { user: { ...user, displayName: 'Alice Martin' }, company });
    if (path === '/api/v1/wallet') return json(state.walletStatus, state.walletStatus === 200 ? wallet : { error: { code: 'x', message: 'x' } });
    if (path === '/api/v1/handoff') return json(201, { code: handoffCode, url: `/handoff#code=${handoffCode}`, expiresAt: '2030-01-01T00:00:00.000Z' });
    if (path === '/api/v1/auth/sign-out') return json(204, null);
    if (path === '/api/v1/wallet/events') return new Promise(() => undefined);
    return json(404, { error: { code: 'not_found', message: path } });
  };
  return { fetch, state };
}

function memoryVault(initial: string | null = null): SessionVault & { text: string | null } {
  const vault = {
    text: initial,
    read: async () => vault.text,
    write: async (text: string) => void (vault.text = text),
    clear: async () => void (vault.text = null),
  };
  return vault;
}

function companyLink(fetch: FetchLike, vault?: SessionVault) {
  const updates: WalletUpdate[] = [];
  const opened: { url: string; origin: string }[] = [];
  const deps: CompanyLinkDeps = {
    fetch,
    wait: () => new Promise(() => undefined),
    createDecoder: () => new TextDecoder(),
    ...(vault === undefined ? {} : { vault }),
    emit: (update) => updates.push(update),
    openAddFunds: (url, origin) => opened.push({ url, origin }),
  };
  return { link: createCompanyLink(deps), updates, opened };
}

describe('company link (shared by both hosts)', () => {
  it('signs in, starts the stream, and hands out the session without the token', async () => {
    const manager = fakeManager();
    const vault = memoryVault();
    const { link, updates } = companyLink(manager.fetch, vault);
    const result = await link.signIn(signIn);
    expect(result).toEqual({ ok: true, value: { origin: 'https://m.example.fr', user: { ...user, displayName: 'Alice Martin' }, company } });
    expect(JSON.stringify(result)).not.toContain(token);
    expect(JSON.stringify(link.session())).not.toContain(token);
    expect(vault.text).toContain(token);
    expect(updates).toEqual([{ type: 'stream', state: 'connecting' }]);
    expect(manager.state.requests).toContain('/api/v1/wallet/events');
    expect(link.origin()).toBe('https://m.example.fr');
  });

  it('without a vault keeps the account in memory only: nothing to restore', async () => {
    const manager = fakeManager();
    const first = companyLink(manager.fetch);
    expect((await first.link.signIn(signIn)).ok).toBe(true);
    const second = companyLink(manager.fetch);
    await second.link.restore();
    expect(second.link.session()).toBeNull();
  });

  it('ends the session on a 401: clears the vault and announces the stream stopped', async () => {
    const manager = fakeManager();
    const vault = memoryVault();
    const { link, updates } = companyLink(manager.fetch, vault);
    await link.signIn(signIn);
    manager.state.accepts = false;
    expect(await link.wallet()).toMatchObject({ ok: false, failure: { kind: 'signed-out' } });
    expect(link.session()).toBeNull();
    expect(link.origin()).toBeNull();
    expect(vault.text).toBeNull();
    expect(updates.at(-1)).toEqual({ type: 'stream', state: 'stopped' });
    expect(await link.quote('+33123456789')).toMatchObject({ ok: false, failure: { kind: 'signed-out', message: 'Not signed in to the manager' } });
  });

  it('keeps the session through other failures', async () => {
    const manager = fakeManager();
    const { link } = companyLink(manager.fetch, memoryVault());
    await link.signIn(signIn);
    manager.state.walletStatus = 500;
    expect(await link.wallet()).toMatchObject({ ok: false, failure: { kind: 'server' } });
    manager.state.down = true;
    expect(await link.wallet()).toMatchObject({ ok: false, failure: { kind: 'unreachable' } });
    expect(link.session()).not.toBeNull();
  });

  it('restores what the vault remembers, refreshed from the manager, and keeps it when the manager is down', async () => {
    const manager = fakeManager();
    const remembered = JSON.stringify({ token, session: { origin: 'https://m.example.fr', user, company } });
    const up = companyLink(manager.fetch, memoryVault(remembered));
    await up.link.restore();
    expect(up.link.session()?.user.displayName).toBe('Alice Martin');

    manager.state.down = true;
    const down = companyLink(manager.fetch, memoryVault(remembered));
    await down.link.restore();
    expect(down.link.session()?.user.displayName).toBe('Alice');
  });

  it('drops a remembered session the manager refuses, or one that is unreadable', async () => {
    const manager = fakeManager();
    manager.state.accepts = false;
    const refusedVault = memoryVault(JSON.stringify({ token, session: { origin: 'https://m.example.fr', user, company } }));
    const refused = companyLink(manager.fetch, refusedVault);
    await refused.link.restore();
    expect(refused.link.session()).toBeNull();
    expect(refusedVault.text).toBeNull();

    for (const text of ['not json', JSON.stringify({ token: 'short', session: {} }), JSON.stringify({ token, session: { origin: 'https://m.example.fr', user, company }, extra: 1 })]) {
      const { link } = companyLink(fakeManager().fetch, memoryVault(text));
      await link.restore();
      expect(link.session(), text).toBeNull();
    }
  });

  it('signs out: revokes the token with the manager, then forgets everything even if that fails', async () => {
    const manager = fakeManager();
    const vault = memoryVault();
    const { link, updates } = companyLink(manager.fetch, vault);
    await link.signIn(signIn);
    manager.state.down = true;
    await link.signOut();
    expect(manager.state.requests.at(-1)).toBe('/api/v1/auth/sign-out');
    expect(link.session()).toBeNull();
    expect(vault.text).toBeNull();
    expect(updates.at(-1)).toEqual({ type: 'stream', state: 'stopped' });
  });

  it('opens Add funds with the manager origin, and lets only that origin through', async () => {
    const { link, opened } = companyLink(fakeManager().fetch);
    await link.signIn(signIn);
    expect(await link.openAddFunds()).toEqual({ ok: true, value: 'opened' });
    expect(opened).toEqual([{ url: `https://m.example.fr/handoff#code=${handoffCode}`, origin: 'https://m.example.fr' }]);
    expect(link.allowsUrl('https://m.example.fr/prepaid/receipt')).toBe(true);
    expect(link.allowsUrl('https://m.example.fr.evil.example/')).toBe(false);
  });

  it('refreshes the balance on demand with sequence 0, which the stream supersedes', async () => {
    const { link, updates } = companyLink(fakeManager().fetch);
    await link.refreshWallet();
    expect(updates).toEqual([]);
    await link.signIn(signIn);
    await link.refreshWallet();
    expect(updates.at(-1)).toEqual({ type: 'wallet', wallet: { companyId: 'cmp_1', balanceMinor: 2500, currency: 'EUR', lowBalance: false, seq: 0 } });
  });
});
