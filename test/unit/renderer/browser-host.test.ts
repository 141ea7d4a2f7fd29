import { describe, expect, it } from 'vitest';
import { callHistoryLimit, type CallRecord } from '../../../shared/call-record.js';
import { defaultSettings } from '../../../shared/settings.js';
import { createBrowserHost, readHistory, readSettings, storageKeys } from '../../../renderer/src/host/browser-host.js';
import type { ManagerHostPart } from '../../../renderer/src/host/web-manager-link.js';

/** localStorage's contract, in memory. */
class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

// The manager half is not under test here.
const noManager = {} as ManagerHostPart;

const record = (id: string): CallRecord => ({
  id,
  direction: 'incoming',
  number: '+33123456789',
  startedAt: '2026-03-04T08:00:00.000Z',
  durationSeconds: 42,
  outcome: 'answered',
});

const credentials = {
  account: { server: 'wss://sip.example.fr', username: '1001', domain: 'cabine.test' },
  password: 'secret-password',
};

describe('browser host', () => {
  it('starts from the default settings and saves valid changes', async () => {
    const storage = new MemoryStorage();
    const host = createBrowserHost({ storage }, noManager);
    expect(await host.getSettings()).toEqual(defaultSettings);
    const next = await host.updateSettings({ defaultCountry: 'BE', language: 'fr' });
    expect(next).toMatchObject({ defaultCountry: 'BE', language: 'fr' });
    expect(await createBrowserHost({ storage }, noManager).getSettings()).toEqual(next);
  });

  it('refuses invalid setting patches and survives tampered storage field by field', async () => {
    const storage = new MemoryStorage();
    const host = createBrowserHost({ storage }, noManager);
    await expect(host.updateSettings({ defaultCountry: 'XX' } as never)).rejects.toThrow();
    storage.setItem(storageKeys.settings, JSON.stringify({ defaultCountry: 'ZZ', language: 'fr', evil: true, ringerDeviceId: 7 }));
    expect(readSettings(storage)).toEqual({ ...defaultSettings, language: 'fr' });
    storage.setItem(storageKeys.settings, '{not json');
    expect(readSettings(storage)).toEqual(defaultSettings);
  });

  it('keeps only valid history records, newest last, within the limit', async () => {
    const storage = new MemoryStorage();
    const host = createBrowserHost({ storage }, noManager);
    await host.appendHistory(record('a'));
    await host.appendHistory(record('b'));
    expect((await host.loadHistory()).map((r) => r.id)).toEqual(['a', 'b']);
    await expect(host.appendHistory({ ...record('c'), durationSeconds: -1 })).rejects.toThrow();
    storage.setItem(storageKeys.history, JSON.stringify([record('x'), { id: 'bad' }, 'junk', record('y')]));
    expect(readHistory(storage).map((r) => r.id)).toEqual(['x', 'y']);
    storage.setItem(storageKeys.history, JSON.stringify(Array.from({ length: callHistoryLimit + 3 }, (_, i) => record(`r${i}`))));
    expect(readHistory(storage)).toHaveLength(callHistoryLimit);
  });

  it('remembers the account but never writes the password to storage', async () => {
    const storage = new MemoryStorage();
    const host = createBrowserHost({ storage }, noManager);
    expect(await host.saveSipCredentials(credentials)).toBe('not-remembered');
    for (const value of storage.items.values()) expect(value).not.toContain('secret-password');
    expect(host.rememberedAccount()).toEqual(credentials.account);
    // A new page (reload) has the account, not the password.
    const reloaded = createBrowserHost({ storage }, noManager);
    expect(await reloaded.loadSipCredentials()).toBeNull();
    expect(reloaded.rememberedAccount()).toEqual(credentials.account);
    await reloaded.forgetSipCredentials();
    expect(reloaded.rememberedAccount()).toBeNull();
  });

  it('rejects credentials that fail the schema', async () => {
    const host = createBrowserHost({ storage: new MemoryStorage() }, noManager);
    await expect(host.saveSipCredentials({ ...credentials, account: { ...credentials.account, server: 'http://x' } })).rejects.toThrow();
  });

  it('reconnects on `online` and answers from the notification', async () => {
    const target = new EventTarget();
    let clicked: (() => void) | null = null;
    const host = createBrowserHost(
      {
        storage: new MemoryStorage(),
        events: target,
        notify: (_call, onClick) => {
          clicked = onClick;
        },
      },
      noManager,
    );
    let resumed = 0;
    const stop = host.onResume(() => (resumed += 1));
    target.dispatchEvent(new Event('online'));
    stop();
    target.dispatchEvent(new Event('online'));
    expect(resumed).toBe(1);
    const answered: string[] = [];
    host.onAnswerFromNotification((id) => answered.push(id));
    await host.notifyIncomingCall({ callId: 'c1', from: '1002' });
    (clicked as (() => void) | null)?.();
    expect(answered).toEqual(['c1']);
  });
});
