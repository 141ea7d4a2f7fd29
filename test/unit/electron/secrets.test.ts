import { describe, expect, it } from 'vitest';
import type { SipCredentials } from '../../../shared/settings.js';
import { createSipCredentialStore, type SecretFiles, type SecretsDeps } from '../../../electron/secrets.js';
import { asElectron } from './fakes.js';

const credentials: SipCredentials = {
  account: { server: 'wss://sip.cabine.test/ws', username: '1001', domain: 'cabine.test', displayName: 'Alice Martin' },
  password: 'cabine-1001',
};

/** A safeStorage double: reversible "encryption" that is visibly not plaintext. */
function fakeSafeStorage(backend: string, available = true) {
  return asElectron<SecretsDeps['safeStorage']>({
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (text: string) => Buffer.from(`enc:${Buffer.from(text).toString('base64')}`),
    decryptString: (buffer: Buffer) => {
      const text = buffer.toString();
      if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(text.slice(4), 'base64').toString();
    },
  });
}

function memoryFiles(): SecretFiles & { data: Map<string, Uint8Array> } {
  const data = new Map<string, Uint8Array>();
  return {
    data,
    read: async (path) => data.get(path) ?? null,
    write: async (path, bytes) => void data.set(path, bytes),
    remove: async (path) => void data.delete(path),
  };
}

function store(backend: string, platform: NodeJS.Platform = 'linux', available = true) {
  const files = memoryFiles();
  const logs: string[] = [];
  const secrets = createSipCredentialStore({
    safeStorage: fakeSafeStorage(backend, available),
    platform,
    filePath: '/user-data/sip-credentials.bin',
    files,
    log: (message) => logs.push(message),
  });
  return { secrets, files, logs };
}

describe('SIP credentials in safeStorage', () => {
  it('round-trips when encryption is available, and never writes the password in clear', async () => {
    const { secrets, files } = store('gnome_libsecret');
    expect(await secrets.save(credentials)).toBe('encrypted');
    const written = Buffer.from(files.data.get('/user-data/sip-credentials.bin') ?? new Uint8Array()).toString();
    expect(written).not.toContain('cabine-1001');
    expect(await secrets.load()).toEqual(credentials);
    await secrets.forget();
    expect(await secrets.load()).toBeNull();
  });

  it.each(['darwin', 'win32'] as const)('round-trips on %s (no Linux backend question)', async (platform) => {
    const { secrets } = store('unknown', platform);
    expect(await secrets.save(credentials)).toBe('encrypted');
    expect(await secrets.load()).toEqual(credentials);
  });

  it.each(['basic_text', 'unknown'])('refuses to persist on the Linux %s backend and says so', async (backend) => {
    const { secrets, files, logs } = store(backend);
    expect(await secrets.save(credentials)).toBe('not-remembered');
    expect(files.data.size).toBe(0);
    expect(logs.join('\n')).toMatch(/not remembering the SIP password/);
    expect(await secrets.load()).toBeNull();
  });

  it('refuses to persist when encryption is unavailable, and drops what was remembered before', async () => {
    const files = memoryFiles();
    files.data.set('/user-data/sip-credentials.bin', Buffer.from('enc:old'));
    const secrets = createSipCredentialStore({
      safeStorage: fakeSafeStorage('kwallet5', false),
      platform: 'linux',
      filePath: '/user-data/sip-credentials.bin',
      files,
      log: () => undefined,
    });
    expect(await secrets.save(credentials)).toBe('not-remembered');
    expect(files.data.size).toBe(0);
  });

  it('treats undecryptable or tampered files as nothing remembered', async () => {
    const { secrets, files } = store('gnome_libsecret');
    files.data.set('/user-data/sip-credentials.bin', Buffer.from('garbage'));
    expect(await secrets.load()).toBeNull();
    files.data.set('/user-data/sip-credentials.bin', Buffer.from(`enc:${Buffer.from('{"account":{},"password":"x"}').toString('base64')}`));
    expect(await secrets.load()).toBeNull();
  });

  it('validates before encrypting', async () => {
    const { secrets } = store('gnome_libsecret');
    await expect(secrets.save({ ...credentials, password: '' })).rejects.toThrow();
  });
});
