/**
 * The wallet feature's commands: company sign-in (which also signs the phone in with the SIP configuration
 * the manager hands out), the live balance, activity, automatic refill, Add funds, and the call gate.
 * Components read `store` and call these; the manager is reached only through the host bridge. The call
 * gate itself is wallet-gate.ts.
 */
import type { ManagerPageTarget } from '../../../shared/manager-link/manager-page-url.js';
import type { SipConfigResponse } from '../../../shared/api/auth-schemas.js';
import type { BudgetView } from '../../../shared/api/budget-schemas.js';
import type { CallReceipt } from '../../../shared/api/receipt-schemas.js';
import type { AutoRefillSettings, AutoRefillView } from '../../../shared/api/wallet-schemas.js';
import type { RatesResponse } from '../../../shared/api/rate-schemas.js';
import type { HostBridge, RateCountry } from '../../../shared/host/host-bridge.js';
import type { ManagerResult } from '../../../shared/manager-link/manager-result.js';
import type { ManagerSignIn } from '../../../shared/manager-link/manager-session.js';
import type { SipCredentials } from '../../../shared/settings.js';
import { checkSipServerUrl } from '../../../shared/sip/server-url.js';
import type { Phone } from '../phone.js';
import { createStore, type Store } from '../state/store.js';
import { credentialRenewalDelayMs } from './credential-renewal.js';
import { createWalletGate, type WalletGate } from './wallet-gate.js';
import { initialWalletState, reduceWallet, type Balance, type WalletEvent, type WalletState } from './wallet-store.js';

export interface WalletDeps {
  readonly host: HostBridge;
  readonly phone: Phone;
  /** The balance line shown during a paid call, in the UI language ("Remaining balance: 25,00 €"). */
  readonly announcementText: (balance: Balance) => string;
}

export interface Wallet {
  readonly store: Store<WalletState>;
  signIn(request: ManagerSignIn): Promise<void>;
  signOut(): Promise<void>;
  /** Fetches the balance, automatic refill and recent activity again. */
  refresh(): Promise<void>;
  /** The gate the call placer asks before a call that may tap the wallet (wallet-gate.ts). */
  readonly gate: WalletGate;
  /** Call, from the "Paid call" dialog or after the explicit confirmation of the premium warning. */
  confirmGate(): void;
  cancelGate(): void;
  openAddFunds(): Promise<ManagerResult<'opened'>>;
  /** Opens a manager page signed in: People, the audit trail (admins), your password (renderer/src/admin/). */
  openManagerPage(target: ManagerPageTarget): Promise<ManagerResult<'opened'>>;
  saveAutoRefill(settings: AutoRefillSettings): Promise<ManagerResult<AutoRefillView>>;
  /** The amounts an admin may add (automatic refill picks one); empty when unknown. */
  topUpAmounts(): Promise<readonly number[]>;
  rateCountries(): Promise<ManagerResult<readonly RateCountry[]>>;
  rates(country: string): Promise<ManagerResult<RatesResponse>>;
  /** The signed-in user's monthly budget and what is left (budget-left.tsx). */
  budget(): Promise<ManagerResult<BudgetView>>;
  /** A charged call's receipt by its charge's ledger seq (call-receipt-dialog.tsx). */
  callReceipt(seq: number): Promise<ManagerResult<CallReceipt>>;
  dispose(): void;
}

export function createWallet(deps: WalletDeps): Wallet {
  const { host, phone } = deps;
  const store = createStore(initialWalletState);
  const dispatch = (event: WalletEvent): void => store.update((state) => reduceWallet(state, event));
  const gate = createWalletGate({
    host,
    store,
    dispatch,
    announcementText: deps.announcementText,
  });

  const refresh = async (): Promise<void> => {
    if (store.getState().session === null) return;
    const [wallet, activity] = await Promise.all([host.getWallet(), host.getActivity()]);
    if (wallet.ok) dispatch({ type: 'walletLoaded', wallet: wallet.value });
    if (activity.ok) dispatch({ type: 'activityLoaded', items: activity.value.items, refillAttempts: activity.value.refillAttempts });
  };

  /**
   * The manager's SIP server must pass the same rule as a typed one (wss://, ws:// only to this machine):
   * a manager misconfigured with a remote ws:// would otherwise send our digest and calls in clear text.
   */
  const insecureServer = (config: SipConfigResponse): boolean => {
    if (checkSipServerUrl(config.wsUrl) === 'ok') return false;
    dispatch({ type: 'sipProblem', failure: { kind: 'refused', code: 'insecure_sip_server', message: `SIP server ${config.wsUrl.slice(0, 200)} is not wss://` } });
    return true;
  };

  const credentialsFrom = (config: SipConfigResponse): SipCredentials => {
    const session = store.getState().session;
    return {
      account: {
        server: config.wsUrl,
        username: config.extension,
        authorizationUsername: config.authorizationUsername,
        domain: config.domain,
        ...(session !== null ? { displayName: session.user.displayName.slice(0, 64) } : {}),
      },
      password: config.password,
      iceServers: config.iceServers,
    };
  };

  // The manager's SIP credentials expire (credential-renewal.ts): fetch fresh ones in time.
  let renewalTimer: ReturnType<typeof setTimeout> | undefined;
  const stopRenewal = (): void => {
    clearTimeout(renewalTimer);
    renewalTimer = undefined;
  };
  const scheduleRenewal = (delayMs: number): void => {
    stopRenewal();
    renewalTimer = setTimeout(() => void renewSipCredentials(), delayMs);
  };
  const renewSipCredentials = async (): Promise<void> => {
    if (store.getState().session === null) return;
    const config = await host.getSipConfig();
    if (!config.ok) {
      dispatch({ type: 'sipProblem', failure: config.failure });
      scheduleRenewal(60_000);
      return;
    }
    if (insecureServer(config.value)) return;
    dispatch({ type: 'sipProblem', failure: null });
    phone.renewSipCredentials(credentialsFrom(config.value));
    scheduleRenewal(credentialRenewalDelayMs(config.value.expiresAt, Date.now(), Date.now()));
  };

  /** Signs the phone in with the manager's SIP configuration: nobody types SIP settings. */
  const registerPhone = async (): Promise<void> => {
    const config = await host.getSipConfig();
    if (!config.ok) {
      dispatch({ type: 'sipProblem', failure: config.failure });
      return;
    }
    if (insecureServer(config.value)) return;
    dispatch({ type: 'sipProblem', failure: null });
    await phone.signIn(credentialsFrom(config.value), false);
    scheduleRenewal(credentialRenewalDelayMs(config.value.expiresAt, Date.now(), Date.now()));
  };

  const unsubscribers = [
    host.onWalletChange((update) => {
      dispatch({ type: 'update', update });
      if (update.type === 'wallet') {
        gate.walletChanged();
        // A new balance means new activity (a charge, a top-up, a refill), and perhaps a refill declined,
        // retried or turned off: the activity and the automatic-refill notice follow it.
        void refresh();
      }
      if (update.type === 'stream' && update.state === 'stopped') {
        void host.managerSession().then((session) => session === null && dispatch({ type: 'sessionChanged', session: null }));
      }
    }),
    // The paid call is known by the id the placer got back; when it is gone, its charge is in the activity.
    phone.calls.subscribe(() => {
      const paid = store.getState().paidCall;
      if (paid !== null && !phone.calls.getState().calls.some((call) => call.id === paid.callId)) {
        dispatch({ type: 'paidCallEnded' });
        void refresh();
      }
    }),
  ];

  // A session the desktop host restored at startup.
  void host.managerSession().then(async (session) => {
    if (session === null || store.getState().session !== null) return;
    dispatch({ type: 'sessionChanged', session });
    await Promise.all([refresh(), registerPhone()]);
  });

  const wallet: Wallet = {
    store,
    async signIn(request) {
      dispatch({ type: 'signInStarted' });
      const result = await host.managerSignIn(request);
      if (!result.ok) {
        dispatch({ type: 'signInFailed', failure: result.failure });
        return;
      }
      dispatch({ type: 'sessionChanged', session: result.value });
      await Promise.all([refresh(), registerPhone()]);
    },
    async signOut() {
      stopRenewal();
      await phone.signOut();
      await host.managerSignOut();
      dispatch({ type: 'sessionChanged', session: null });
    },
    refresh,
    gate,
    confirmGate: () => gate.confirm(),
    cancelGate: () => gate.cancel(),
    openAddFunds: () => host.openAddFunds(),
    openManagerPage: (target) => host.openManagerPage(target),
    async saveAutoRefill(settings) {
      const result = await host.setAutoRefill(settings);
      if (result.ok) dispatch({ type: 'autoRefillSaved', autoRefill: result.value });
      return result;
    },
    async topUpAmounts() {
      const result = await host.getTopUpOptions();
      return result.ok ? result.value.amountsMinor : [];
    },
    rateCountries: () => host.getRateCountries(),
    rates: (country) => host.getRates(country),
    budget: () => host.getBudget(),
    callReceipt: (seq) => host.getCallReceipt(seq),
    dispose() {
      stopRenewal();
      gate.dispose();
      for (const unsubscribe of unsubscribers) unsubscribe();
    },
  };
  return wallet;
}
