/**
 * The remembered SIP account and password, encrypted with Electron `safeStorage` (the OS keychain:
 * Keychain on macOS, DPAPI on Windows, libsecret/KWallet on Linux) and stored as ciphertext in userData
 * (https://www.electronjs.org/docs/latest/api/safe-storage).
 *
 * On Linux without a keyring, safeStorage falls back to the `basic_text` backend, which "encrypts" with a
 * hard-coded key: then the password is not stored at all and the UI is told 'not-remembered'.
 */
import type { SafeStorage } from 'electron';
import type { SecretStorage } from '../shared/host/host-bridge.js';
import { sipCredentialsSchema, type SipCredentials } from '../shared/settings.js';

export interface SecretFiles {
  read(path: string): Promise<Uint8Array | null>;
  write(path: string, data: Uint8Array): Promise<void>;
  remove(path: string): Promise<void>;
}

export interface SecretsDeps {
  readonly safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>;
  readonly platform: NodeJS.Platform;
  /** Where the ciphertext lives, e.g. `<userData>/sip-credentials.bin`. */
  readonly filePath: string;
  readonly files: SecretFiles;
  readonly log: (message: string) => void;
}

export interface SipCredentialStore {
  load(): Promise<SipCredentials | null>;
  save(credentials: SipCredentials): Promise<SecretStorage>;
  forget(): Promise<void>;
}

/**
 * Why the password cannot be stored safely here, or null when it can. `getSelectedStorageBackend` is
 * Linux-only and answers 'unknown' before the app is ready; both plaintext and unknown are refused.
 */
export function unsafeStorageReason(deps: Pick<SecretsDeps, 'safeStorage' | 'platform'>): string | null {
  if (!deps.safeStorage.isEncryptionAvailable()) return 'safeStorage encryption is not available';
  if (deps.platform === 'linux') {
    const backend = deps.safeStorage.getSelectedStorageBackend();
    if (backend === 'basic_text' || backend === 'unknown') {
      return `the Linux secret store backend is '${backend}' (no keyring; would be plaintext)`;
    }
  }
  return null;
}

export function createSipCredentialStore(deps: SecretsDeps): SipCredentialStore {
  const { safeStorage, filePath, files, log } = deps;
  return {
    async load() {
      if (unsafeStorageReason(deps) !== null) return null;
      const ciphertext = await files.read(filePath);
      if (ciphertext === null) return null;
      try {
        const json: unknown = JSON.parse(safeStorage.decryptString(Buffer.from(ciphertext)));
        const parsed = sipCredentialsSchema.safeParse(json);
        if (parsed.success) return parsed.data;
        log('secrets: remembered credentials do not match the schema; ignoring them');
      } catch {
        // Ciphertext from another keychain or user cannot be decrypted; asking the user again is the fix.
        log('secrets: remembered credentials could not be decrypted; ignoring them');
      }
      return null;
    },
    async save(credentials) {
      const valid = sipCredentialsSchema.parse(credentials);
      const reason = unsafeStorageReason(deps);
      if (reason !== null) {
        log(`secrets: not remembering the SIP password: ${reason}`);
        // Drop anything remembered earlier, so 'not-remembered' is true.
        await files.remove(filePath);
        return 'not-remembered';
      }
      await files.write(filePath, safeStorage.encryptString(JSON.stringify(valid)));
      return 'encrypted';
    },
    async forget() {
      await files.remove(filePath);
    },
  };
}
