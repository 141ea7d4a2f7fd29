/**
 * The manager link: the main process's side of the company account. The state machine (session, sign-in
 * and out, the wallet stream, requests wrapped into `ManagerResult`, 401 handling) is
 * shared/manager-link/company-link.ts, the same one the web softphone runs; this file plugs in what only
 * main has: the bearer token remembered with safeStorage (so the user stays signed in across restarts,
 * exactly like secrets.ts keeps the SIP password), the IPC channels and the add-funds window. The token
 * never crosses IPC: the renderer only gets parsed answers.
 */
import { createCompanyLink, type SessionVault } from '../shared/manager-link/company-link.js';
import type { FetchLike } from '../shared/manager-link/manager-client.js';
import type { TextDecoderLike, WalletUpdate } from '../shared/manager-link/wallet-stream.js';
import type { IpcImplementation } from './ipc-handlers.js';
import { unsafeStorageReason, type SecretFiles, type SecretsDeps } from './secrets.js';

/** The channels this module serves. */
export type ManagerChannels =
  | 'manager:sign-in'
  | 'manager:sign-out'
  | 'manager:session'
  | 'manager:sip-config'
  | 'wallet:get'
  | 'wallet:quote'
  | 'wallet:rate-countries'
  | 'wallet:rates'
  | 'wallet:activity'
  | 'wallet:budget'
  | 'manager:directory'
  | 'wallet:call-receipt'
  | 'wallet:top-up-options'
  | 'wallet:set-auto-refill'
  | 'wallet:open-add-funds'
  | 'manager:open-page';

export interface ManagerLinkDeps {
  readonly fetch: FetchLike;
  readonly safeStorage: SecretsDeps['safeStorage'];
  readonly platform: NodeJS.Platform;
  /** Where the encrypted session lives, e.g. `<userData>/manager-session.bin`. */
  readonly filePath: string;
  readonly files: SecretFiles;
  readonly wait: (milliseconds: number) => Promise<void>;
  readonly createDecoder: () => TextDecoderLike;
  /** Sends a wallet update to the renderer (`wallet:change`). */
  readonly emit: (update: WalletUpdate) => void;
  /** Opens (or focuses) the add-funds window on `url`, locked to `origin`. */
  readonly openAddFundsWindow: (url: string, origin: string) => void;
  readonly log: (message: string) => void;
}

export interface ManagerLink {
  readonly implementation: Pick<IpcImplementation, ManagerChannels>;
  /** Restores a remembered session at startup (the token is checked with the manager when reachable). */
  restore(): Promise<void>;
  /** The manager's origin while signed in: what the add-funds window may show. */
  origin(): string | null;
  /** Whether the add-funds window may navigate to `url`. */
  allowsAddFundsUrl(url: string): boolean;
  /** The add-funds page reached its receipt: fetch the balance now rather than wait for the stream. */
  purchaseCompleted(): Promise<void>;
  /** Stops the stream (app quitting). */
  dispose(): void;
}

/** The session file, encrypted with safeStorage; nothing is kept where the OS offers no keychain. */
function safeStorageVault(deps: ManagerLinkDeps): SessionVault {
  const { files, filePath, log } = deps;
  return {
    async read() {
      if (unsafeStorageReason(deps) !== null) return null;
      const ciphertext = await files.read(filePath);
      if (ciphertext === null) return null;
      try {
        return deps.safeStorage.decryptString(Buffer.from(ciphertext));
      } catch {
        log('manager-link: the remembered session could not be decrypted; ignoring it');
        return null;
      }
    },
    async write(text) {
      const reason = unsafeStorageReason(deps);
      if (reason !== null) {
        // Like the SIP password: no keychain, no remembered token. The session lasts until the app quits.
        log(`manager-link: not remembering the manager session: ${reason}`);
        await files.remove(filePath);
        return;
      }
      await files.write(filePath, deps.safeStorage.encryptString(text));
    },
    clear: () => files.remove(filePath),
  };
}

export function createManagerLink(deps: ManagerLinkDeps): ManagerLink {
  const link = createCompanyLink({
    fetch: deps.fetch,
    wait: deps.wait,
    createDecoder: deps.createDecoder,
    vault: safeStorageVault(deps),
    emit: deps.emit,
    openAddFunds: deps.openAddFundsWindow,
    log: deps.log,
  });
  return {
    implementation: {
      'manager:sign-in': (request) => link.signIn(request),
      'manager:sign-out': () => link.signOut(),
      'manager:session': () => link.session(),
      'manager:sip-config': () => link.sipConfig(),
      'wallet:get': () => link.wallet(),
      'wallet:quote': (number) => link.quote(number),
      'wallet:rate-countries': () => link.rateCountries(),
      'wallet:rates': (country) => link.rates(country),
      'wallet:activity': () => link.activity(),
      'wallet:budget': () => link.budget(),
      'manager:directory': () => link.directory(),
      'wallet:call-receipt': (seq) => link.callReceipt(seq),
      'wallet:top-up-options': () => link.topUpOptions(),
      'wallet:set-auto-refill': (settings) => link.setAutoRefill(settings),
      'wallet:open-add-funds': () => link.openAddFunds(),
      'manager:open-page': (target) => link.openManagerPage(target),
    },
    restore: () => link.restore(),
    origin: () => link.origin(),
    allowsAddFundsUrl: (url) => link.allowsUrl(url),
    purchaseCompleted: () => link.refreshWallet(),
    dispose: () => link.dispose(),
  };
}
