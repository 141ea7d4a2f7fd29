import type { HostBridge, Unsubscribe } from '../../../shared/host/host-bridge.js';
import { createManagerClient, type FetchLike, type ManagerClient } from '../../../shared/manager-link/manager-client.js';
import { managerFailure, managerOk, type ManagerResult } from '../../../shared/manager-link/manager-result.js';
import type { ManagerSession } from '../../../shared/manager-link/manager-session.js';
import { addFundsUrl } from '../../../shared/manager-link/add-funds-url.js';
import { signInToCompany } from '../../../shared/manager-link/sign-in-to-company.js';
import { startWalletStream, type WalletStream, type WalletUpdate } from '../../../shared/manager-link/wallet-stream.js';

/** The manager half of the host bridge. */
export type ManagerHostPart = Pick<
  HostBridge,
  | 'managerSignIn'
  | 'managerSignOut'
  | 'managerSession'
  | 'getSipConfig'
  | 'getWallet'
  | 'getQuote'
  | 'getRateCountries'
  | 'getRates'
  | 'getActivity'
  | 'getTopUpOptions'
  | 'setAutoRefill'
  | 'openAddFunds'
  | 'onWalletChange'
>;

export interface WebManagerLinkDeps {
  readonly fetch: FetchLike;
  readonly wait: (milliseconds: number) => Promise<void>;
  /** Opens the add-funds hand-off URL in a new tab. */
  readonly openTab: (url: string) => void;
}

/**
 * The web softphone's side of the company account: the same client as the desktop's main process
 * (shared/manager-link), with the bearer token held in this closure only. The page keeps no copy in
 * storage (house style: no secrets in renderer localStorage), so a reload asks to sign in again.
 */
export function createWebManagerLink(deps: WebManagerLinkDeps): ManagerHostPart {
  let current: { readonly token: string; readonly session: ManagerSession } | null = null;
  let stream: WalletStream | null = null;
  const listeners = new Set<(update: WalletUpdate) => void>();
  const emit = (update: WalletUpdate): void => {
    for (const listener of [...listeners]) listener(update);
  };

  const clientFor = (origin: string, token: () => string | null): ManagerClient =>
    createManagerClient({ origin, fetch: deps.fetch, token, timeout: deps.wait, timeoutMs: 10_000 });
  const client = (): ManagerClient | null => (current === null ? null : clientFor(current.session.origin, () => current?.token ?? null));

  const stopStream = (): void => {
    stream?.stop();
    stream = null;
  };
  const endSession = (): void => {
    stopStream();
    current = null;
  };
  const startStream = (): void => {
    stopStream();
    if (current === null) return;
    stream = startWalletStream({
      origin: current.session.origin,
      fetch: deps.fetch,
      token: () => current?.token ?? null,
      createDecoder: () => new TextDecoder(),
      wait: deps.wait,
      onUpdate: emit,
      onSignedOut: endSession,
    });
  };

  /** A 401 ends the session, so the UI offers the company sign-in again. */
  async function withClient<T>(run: (c: ManagerClient) => Promise<ManagerResult<T>>): Promise<ManagerResult<T>> {
    const c = client();
    if (c === null) return managerFailure('signed-out', 'Not signed in to the manager');
    const result = await run(c);
    if (!result.ok && result.failure.kind === 'signed-out') endSession();
    return result;
  }

  return {
    async managerSignIn(request) {
      const signedIn = await signInToCompany(request, clientFor);
      if (!signedIn.ok) return signedIn;
      current = signedIn.value;
      startStream();
      return managerOk(current.session);
    },
    async managerSignOut() {
      await client()?.signOut();
      endSession();
    },
    managerSession: () => Promise.resolve(current?.session ?? null),
    getSipConfig: () => withClient((c) => c.sipConfig()),
    getWallet: () => withClient((c) => c.wallet()),
    getQuote: (number) => withClient((c) => c.quote(number)),
    getRateCountries: () =>
      withClient(async (c) => {
        const result = await c.rateCountries();
        return result.ok ? managerOk(result.value.countries) : result;
      }),
    getRates: (country) => withClient((c) => c.rates(country)),
    getActivity: () => withClient((c) => c.activity()),
    getTopUpOptions: () => withClient((c) => c.topUpOptions()),
    setAutoRefill: (settings) => withClient((c) => c.setAutoRefill(settings)),
    openAddFunds: () =>
      withClient(async (c) => {
        // `<origin>/handoff#code=…`: the new tab never sends the fragment; the manager's page posts it.
        const url = await addFundsUrl(c, current?.session);
        if (!url.ok) return url;
        deps.openTab(url.value);
        return managerOk('opened' as const);
      }),
    onWalletChange(listener): Unsubscribe {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
