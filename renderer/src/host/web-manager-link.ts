import type { HostBridge, Unsubscribe } from '../../../shared/host/host-bridge.js';
import { createCompanyLink } from '../../../shared/manager-link/company-link.js';
import type { FetchLike } from '../../../shared/manager-link/manager-client.js';
import type { WalletUpdate } from '../../../shared/manager-link/wallet-stream.js';

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
  | 'getBudget'
  | 'getDirectory'
  | 'getCallReceipt'
  | 'getTopUpOptions'
  | 'setAutoRefill'
  | 'openAddFunds'
  | 'openManagerPage'
  | 'onWalletChange'
>;

export interface WebManagerLinkDeps {
  readonly fetch: FetchLike;
  readonly wait: (milliseconds: number) => Promise<void>;
  /** Opens the add-funds hand-off URL in a new tab. */
  readonly openTab: (url: string) => void;
}

/**
 * The web softphone's side of the company account: the same state machine as the desktop's main process
 * (shared/manager-link/company-link.ts), given no vault, so the bearer token lives in that closure only.
 * The page keeps no copy in storage (house style: no secrets in renderer localStorage), so a reload asks
 * to sign in again.
 */
export function createWebManagerLink(deps: WebManagerLinkDeps): ManagerHostPart {
  const listeners = new Set<(update: WalletUpdate) => void>();
  const link = createCompanyLink({
    fetch: deps.fetch,
    wait: deps.wait,
    createDecoder: () => new TextDecoder(),
    emit(update) {
      for (const listener of [...listeners]) listener(update);
    },
    openAddFunds: (url) => deps.openTab(url),
  });

  return {
    managerSignIn: (request) => link.signIn(request),
    managerSignOut: () => link.signOut(),
    managerSession: () => Promise.resolve(link.session()),
    getSipConfig: () => link.sipConfig(),
    getWallet: () => link.wallet(),
    getQuote: (number) => link.quote(number),
    getRateCountries: () => link.rateCountries(),
    getRates: (country) => link.rates(country),
    getActivity: () => link.activity(),
    getBudget: () => link.budget(),
    getDirectory: () => link.directory(),
    getCallReceipt: (seq) => link.callReceipt(seq),
    getTopUpOptions: () => link.topUpOptions(),
    setAutoRefill: (settings) => link.setAutoRefill(settings),
    openAddFunds: () => link.openAddFunds(),
    openManagerPage: (target) => link.openManagerPage(target),
    onWalletChange(listener): Unsubscribe {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
