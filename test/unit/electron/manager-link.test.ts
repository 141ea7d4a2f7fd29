import { describe, expect, it, vi } from 'vitest';
import type { FetchLike, FetchResponseLike } from '../../../shared/manager-link/manager-client.js';
import type { WalletUpdate } from '../../../shared/manager-link/wallet-stream.js';
import { createManagerLink, type ManagerLinkDeps } from '../../../electron/manager-link.js';
import type { SecretFiles } from '../../../electron/secrets.js';
import { asElectron } from './fakes.js';

const token = 'tok_abcdefghijklmnopqrstuvwxyz0123';
const handoffCode = 'Hc0de_abcdefghijklmnopqrstuvwxyz-0123456789';
const user = { id: 'usr_1', email: 'alice@cabine.test', displayName: 'Alice', role: 'admin', extension: '1001', companyId: 'cmp_1', premiumBarred: false };
const company = { id: 'cmp_1', name: 'Demo', currency: 'EUR', country: 'FR', sipDomain: 'cabine.test', dailyCapMinor: null };

function json(status: number, body: unknown): FetchResponseLike {
  return { status, json: async () => body, body: null };
}

/** A manager double answering the endpoints the link uses; records what it was asked. */
function fakeManager(role = 'admin') {
  const requests: { url: string; auth: string | undefined }[] = [];
  const fetch: FetchLike = async (url, init) => {
    requests.push({ url, auth: init.headers['authorization'] });
    const path = url.replace('https://m.example.fr', '');
    if (path === '/api/v1/auth/sign-in') {
      const body = JSON.parse(init.body ?? '{}') as { password: string };
      return body.password === 'right' ? json(200, { token, expiresAt: '2030-01-01T00:00:00.000Z', user: { ...user, role } }) : json(401, { error: { code: 'unauthorized', message: 'no' } });
    }
    if (init.headers['authorization'] !== `Bearer ${token}`) return json(401, { error: { code: 'unauthorized', message: 'no' } });
    if (path === '/api/v1/me') return json(200, { user: { ...user, role }, company });
    if (path === '/api/v1/handoff') return json(201, { code: handoffCode, url: `/handoff#code=${handoffCode}`, expiresAt: '2030-01-01T00:00:00.000Z' });
    if (path === '/api/v1/auth/sign-out') return json(204, null);
    // The event stream: keep it pending, the link's stream just waits.
    if (path === '/api/v1/wallet/events') return new Promise(() => undefined);
    return json(404, { error: { code: 'not_found', message: path } });
  };
  return { fetch, requests };
}

function memoryFiles(): SecretFiles & { data: Map<string, Uint8Array> } {
  const data = new Map<string, Uint8Array>();
  return { data, read: async (path) => data.get(path) ?? null, write: async (path, bytes) => void data.set(path, bytes), remove: async (path) => void data.delete(path) };
}

function link(fetch: FetchLike, files = memoryFiles()) {
  const opened: string[] = [];
  const updates: WalletUpdate[] = [];
  const deps: ManagerLinkDeps = {
    fetch,
    safeStorage: asElectron<ManagerLinkDeps['safeStorage']>({
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (text: string) => Buffer.from(`enc:${Buffer.from(text).toString('base64')}`),
      decryptString: (buffer: Buffer) => Buffer.from(buffer.toString().slice(4), 'base64').toString(),
    }),
    platform: 'linux',
    filePath: '/user-data/manager-session.bin',
    files,
    wait: () => new Promise(() => undefined),
    createDecoder: () => new TextDecoder(),
    emit: (update) => updates.push(update),
    openAddFundsWindow: (url) => opened.push(url),
    log: () => undefined,
  };
  return { link: createManagerLink(deps), opened, updates, files };
}

describe('manager link (main process)', () => {
  it('signs in, keeps the token in main and encrypted on disk, and never returns it', async () => {
    const manager = fakeManager();
    const { link: managerLink, files } = link(manager.fetch);
    const result = await managerLink.implementation['manager:sign-in']({ managerUrl: 'https://m.example.fr/', email: 'alice@cabine.test', password: 'right' });
    expect(result).toEqual({ ok: true, value: { origin: 'https://m.example.fr', user, company } });
    expect(JSON.stringify(result)).not.toContain(token);
    expect(await managerLink.implementation['manager:session'](undefined)).toMatchObject({ origin: 'https://m.example.fr' });
    const stored = Buffer.from(files.data.get('/user-data/manager-session.bin') ?? new Uint8Array()).toString();
    expect(stored).toMatch(/^enc:/);
    expect(stored).not.toContain(token);
    expect(managerLink.origin()).toBe('https://m.example.fr');
  });

  it('says why a sign-in failed', async () => {
    const { link: managerLink } = link(fakeManager().fetch);
    expect(await managerLink.implementation['manager:sign-in']({ managerUrl: 'https://m.example.fr', email: 'a@b.fr', password: 'wrong' })).toMatchObject({ ok: false, failure: { kind: 'invalid-credentials' } });
    expect(await managerLink.implementation['manager:sign-in']({ managerUrl: 'http://m.example.fr', email: 'a@b.fr', password: 'right' })).toMatchObject({ ok: false, failure: { kind: 'refused', code: 'insecure_url' } });
    expect(await managerLink.implementation['wallet:get'](undefined)).toMatchObject({ ok: false, failure: { kind: 'signed-out' } });
  });

  it('restores a remembered session at startup', async () => {
    const manager = fakeManager();
    const first = link(manager.fetch);
    await first.link.implementation['manager:sign-in']({ managerUrl: 'https://m.example.fr', email: 'alice@cabine.test', password: 'right' });
    const second = link(manager.fetch, first.files);
    await second.link.restore();
    expect(await second.link.implementation['manager:session'](undefined)).toMatchObject({ user: { email: 'alice@cabine.test' } });
  });

  it('opens Add funds on the manager origin with a hand-off code, for admins only', async () => {
    const admin = link(fakeManager('admin').fetch);
    await admin.link.implementation['manager:sign-in']({ managerUrl: 'https://m.example.fr', email: 'alice@cabine.test', password: 'right' });
    expect(await admin.link.implementation['wallet:open-add-funds'](undefined)).toEqual({ ok: true, value: 'opened' });
    // The code rides in the fragment, which the browser never sends to the server (nor to its logs).
    expect(admin.opened).toEqual([`https://m.example.fr/handoff#code=${handoffCode}`]);
    expect(admin.link.allowsAddFundsUrl('https://m.example.fr/prepaid/add-funds')).toBe(true);
    expect(admin.link.allowsAddFundsUrl('https://evil.example/')).toBe(false);

    const employee = link(fakeManager('employee').fetch);
    await employee.link.implementation['manager:sign-in']({ managerUrl: 'https://m.example.fr', email: 'bruno@cabine.test', password: 'right' });
    expect(await employee.link.implementation['wallet:open-add-funds'](undefined)).toMatchObject({ ok: false, failure: { kind: 'forbidden' } });
    expect(employee.opened).toEqual([]);
  });

  it('signs out: revokes the token, forgets the session and the file', async () => {
    const manager = fakeManager();
    const { link: managerLink, files, updates } = link(manager.fetch);
    await managerLink.implementation['manager:sign-in']({ managerUrl: 'https://m.example.fr', email: 'alice@cabine.test', password: 'right' });
    await managerLink.implementation['manager:sign-out'](undefined);
    expect(manager.requests.some((r) => r.url.endsWith('/auth/sign-out') && r.auth === `Bearer ${token}`)).toBe(true);
    expect(await managerLink.implementation['manager:session'](undefined)).toBeNull();
    expect(files.data.size).toBe(0);
    expect(updates).toContainEqual({ type: 'stream', state: 'stopped' });
    expect(managerLink.allowsAddFundsUrl('https://m.example.fr/prepaid')).toBe(false);
  });

  it('does not remember the token without a keychain', async () => {
    const manager = fakeManager();
    const files = memoryFiles();
    const plaintext = createManagerLink({
      fetch: manager.fetch,
      safeStorage: asElectron<ManagerLinkDeps['safeStorage']>({ isEncryptionAvailable: () => true, getSelectedStorageBackend: () => 'basic_text', encryptString: vi.fn(), decryptString: vi.fn() }),
      platform: 'linux',
      filePath: '/user-data/manager-session.bin',
      files,
      wait: () => new Promise(() => undefined),
      createDecoder: () => new TextDecoder(),
      emit: () => undefined,
      openAddFundsWindow: () => undefined,
      log: () => undefined,
    });
    expect((await plaintext.implementation['manager:sign-in']({ managerUrl: 'https://m.example.fr', email: 'alice@cabine.test', password: 'right' })).ok).toBe(true);
    expect(files.data.size).toBe(0);
  });
});
