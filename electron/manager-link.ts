/**
 * The manager link: the main process's side of the company account. It signs in to the manager, keeps the
 * bearer token (in memory, and encrypted with safeStorage so the user stays signed in across restarts,
 * exactly like secrets.ts keeps the SIP password), calls the manager for the renderer, runs the live wallet
 * stream and opens the add-funds window. The token never crosses IPC: the renderer only gets parsed answers.
 */
import { z } from 'zod';
import type { ManagerClient, FetchLike } from '../shared/manager-link/manager-client.js';
import { createManagerClient } from '../shared/manager-link/manager-client.js';
import { managerFailure, managerOk, type ManagerResult } from '../shared/manager-link/manager-result.js';
import { managerSessionSchema } from '../shared/manager-link/manager-session.js';
import { isOnOrigin } from '../shared/manager-link/manager-url.js';
import { addFundsUrl } from '../shared/manager-link/add-funds-url.js';
import { signInToCompany } from '../shared/manager-link/sign-in-to-company.js';
import { startWalletStream, type TextDecoderLike, type WalletStream, type WalletUpdate } from '../shared/manager-link/wallet-stream.js';
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
  | 'wallet:top-up-options'
  | 'wallet:set-auto-refill'
  | 'wallet:open-add-funds';

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

const persistedSchema = z.strictObject({ token: z.string().min(20).max(200), session: managerSessionSchema });
type Persisted = z.infer<typeof persistedSchema>;

export function createManagerLink(deps: ManagerLinkDeps): ManagerLink {
  const { log } = deps;
  let current: Persisted | null = null;
  let stream: WalletStream | null = null;

  const clientFor = (origin: string, token: () => string | null): ManagerClient =>
    createManagerClient({ origin, fetch: deps.fetch, token, timeout: deps.wait, timeoutMs: 10_000 });
  const client = (): ManagerClient | null => (current === null ? null : clientFor(current.session.origin, () => current?.token ?? null));

  const persist = async (value: Persisted | null): Promise<void> => {
    if (value === null) {
      await deps.files.remove(deps.filePath);
      return;
    }
    const reason = unsafeStorageReason(deps);
    if (reason !== null) {
      // Like the SIP password: no keychain, no remembered token. The session lasts until the app quits.
      log(`manager-link: not remembering the manager session: ${reason}`);
      await deps.files.remove(deps.filePath);
      return;
    }
    await deps.files.write(deps.filePath, deps.safeStorage.encryptString(JSON.stringify(value)));
  };

  const stopStream = (): void => {
    stream?.stop();
    stream = null;
  };

  const endSession = async (why: string): Promise<void> => {
    log(`manager-link: session ended: ${why}`);
    stopStream();
    current = null;
    await persist(null).catch(() => undefined);
    deps.emit({ type: 'stream', state: 'stopped' });
  };

  const startStream = (): void => {
    stopStream();
    if (current === null) return;
    stream = startWalletStream({
      origin: current.session.origin,
      fetch: deps.fetch,
      token: () => current?.token ?? null,
      createDecoder: deps.createDecoder,
      wait: deps.wait,
      onUpdate: deps.emit,
      onSignedOut: () => void endSession('the manager refused the token'),
    });
  };

  /** Runs a request with the session's client; a 401 ends the session so the UI offers sign-in again. */
  async function withClient<T>(run: (c: ManagerClient) => Promise<ManagerResult<T>>): Promise<ManagerResult<T>> {
    const c = client();
    if (c === null) return managerFailure('signed-out', 'Not signed in to the manager');
    const result = await run(c);
    if (!result.ok && result.failure.kind === 'signed-out') await endSession('401 from the manager');
    return result;
  }

  const implementation: ManagerLink['implementation'] = {
    async 'manager:sign-in'(request) {
      const signedIn = await signInToCompany(request, clientFor);
      if (!signedIn.ok) return signedIn;
      stopStream();
      current = signedIn.value;
      await persist(current).catch((error: unknown) => log(`manager-link: could not remember the session: ${String(error)}`));
      startStream();
      return managerOk(current.session);
    },
    async 'manager:sign-out'() {
      const c = client();
      if (c !== null) {
        const result = await c.signOut();
        if (!result.ok) log(`manager-link: sign-out not confirmed by the manager: ${result.failure.message}`);
      }
      await endSession('signed out');
    },
    'manager:session': () => current?.session ?? null,
    'manager:sip-config': () => withClient((c) => c.sipConfig()),
    'wallet:get': () => withClient((c) => c.wallet()),
    'wallet:quote': (number) => withClient((c) => c.quote(number)),
    'wallet:rate-countries': () =>
      withClient(async (c) => {
        const result = await c.rateCountries();
        return result.ok ? managerOk(result.value.countries) : result;
      }),
    'wallet:rates': (country) => withClient((c) => c.rates(country)),
    'wallet:activity': () => withClient((c) => c.activity()),
    'wallet:top-up-options': () => withClient((c) => c.topUpOptions()),
    'wallet:set-auto-refill': (settings) => withClient((c) => c.setAutoRefill(settings)),
    'wallet:open-add-funds': () =>
      withClient(async (c) => {
        // `<origin>/handoff#code=…`: the code stays in the fragment, which the window never sends; the
        // manager's page posts it and the session cookie lands in this window's own partition.
        const url = await addFundsUrl(c, current?.session);
        if (!url.ok) return url;
        deps.openAddFundsWindow(url.value, c.origin);
        return managerOk('opened' as const);
      }),
  };

  return {
    implementation,
    async restore() {
      if (unsafeStorageReason(deps) !== null) return;
      const ciphertext = await deps.files.read(deps.filePath);
      if (ciphertext === null) return;
      let restored: Persisted | null = null;
      try {
        const parsed = persistedSchema.safeParse(JSON.parse(deps.safeStorage.decryptString(Buffer.from(ciphertext))));
        if (parsed.success) restored = parsed.data;
      } catch {
        log('manager-link: the remembered session could not be decrypted; ignoring it');
      }
      if (restored === null) return;
      current = restored;
      // Check the token; a manager that is down keeps the session (the stream reconnects when it is back).
      const me = await withClient((c) => c.me());
      if (me.ok && me.value.company !== null && current !== null) {
        current = { ...current, session: { ...current.session, user: me.value.user, company: me.value.company } };
      }
      if (current !== null) startStream();
    },
    origin: () => current?.session.origin ?? null,
    allowsAddFundsUrl(url) {
      const origin = current?.session.origin;
      return origin !== undefined && isOnOrigin(url, origin);
    },
    async purchaseCompleted() {
      const wallet = await withClient((c) => c.wallet());
      if (!wallet.ok) return;
      const { companyId, balanceMinor, currency, lowBalance } = wallet.value;
      // seq 0: the stream's next event (with the real ledger sequence) supersedes this one.
      deps.emit({ type: 'wallet', wallet: { companyId, balanceMinor, currency, lowBalance, seq: 0 } });
    },
    dispose: stopStream,
  };
}
