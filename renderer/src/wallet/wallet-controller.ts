/**
 * The wallet feature's commands: company sign-in (which also signs the phone in with the SIP configuration
 * the manager hands out), the live balance, activity, automatic refill, Add funds, and the call gate.
 * Components read `store` and call these; the manager is reached only through the host bridge.
 */
import type { SipConfigResponse } from '../../../shared/api/auth-schemas.js';
import type { AutoRefillSettings, AutoRefillView } from '../../../shared/api/wallet-schemas.js';
import type { RatesResponse } from '../../../shared/api/rate-schemas.js';
import type { HostBridge, RateCountry } from '../../../shared/host/host-bridge.js';
import { displayFor, parseDialString, type DialTarget } from '../../../shared/dial/dial-string.js';
import type { ManagerResult } from '../../../shared/manager-link/manager-result.js';
import type { ManagerSignIn } from '../../../shared/manager-link/manager-session.js';
import { classifyNumber } from '../../../shared/numbering/classify.js';
import type { SipCredentials } from '../../../shared/settings.js';
import { checkSipServerUrl } from '../../../shared/sip/server-url.js';
import type { Phone } from '../phone.js';
import { createStore, type Store } from '../state/store.js';
import type { AnnounceBalance } from './balance-announcer.js';
import { credentialRenewalDelayMs } from './credential-renewal.js';
import { decideGate, needsQuote } from './gate-decision.js';
import { initialWalletState, reduceWallet, type Balance, type WalletEvent, type WalletState } from './wallet-store.js';

export interface WalletDeps {
  readonly host: HostBridge;
  readonly phone: Phone;
  readonly announce: AnnounceBalance;
  /** The sentence spoken before a paid call, in the UI language ("Remaining balance: 25,00 €"). */
  readonly announcementText: (balance: Balance) => string;
  readonly language: () => string;
}

export interface Wallet {
  readonly store: Store<WalletState>;
  signIn(request: ManagerSignIn): Promise<void>;
  signOut(): Promise<void>;
  /** Fetches the balance, automatic refill and recent activity again. */
  refresh(): Promise<void>;
  /**
   * The gate in front of the phone's dial. Returns the parsed target at once (the dialer shows an invalid
   * number or clears its field); the call itself goes out now, or after the user's answer to the gate.
   * Emergency numbers never get here (gated-phone.ts routes them before any wallet code).
   */
  requestCall(input: string, dialNow: (input: string) => DialTarget): DialTarget;
  /** Call, from the "Paid call" dialog or after the explicit confirmation of the premium warning. */
  confirmGate(): void;
  cancelGate(): void;
  openAddFunds(): Promise<ManagerResult<'opened'>>;
  saveAutoRefill(settings: AutoRefillSettings): Promise<ManagerResult<AutoRefillView>>;
  /** The amounts an admin may add (automatic refill picks one); empty when unknown. */
  topUpAmounts(): Promise<readonly number[]>;
  rateCountries(): Promise<ManagerResult<readonly RateCountry[]>>;
  rates(country: string): Promise<ManagerResult<RatesResponse>>;
  dispose(): void;
}

export function createWallet(deps: WalletDeps): Wallet {
  const { host, phone } = deps;
  const store = createStore(initialWalletState);
  const dispatch = (event: WalletEvent): void => store.update((state) => reduceWallet(state, event));
  let requestSeq = 0;
  let pending: { readonly requestId: number; readonly input: string; readonly dialNow: (input: string) => DialTarget } | null = null;
  let knownCallIds = new Set<string>();

  const refresh = async (): Promise<void> => {
    if (store.getState().session === null) return;
    const [wallet, activity] = await Promise.all([host.getWallet(), host.getActivity()]);
    if (wallet.ok) dispatch({ type: 'walletLoaded', wallet: wallet.value });
    if (activity.ok) dispatch({ type: 'activityLoaded', items: activity.value.items });
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
      // A new balance means new activity (a charge, a top-up, a refill).
      if (update.type === 'wallet') void host.getActivity().then((activity) => activity.ok && dispatch({ type: 'activityLoaded', items: activity.value.items }));
      if (update.type === 'stream' && update.state === 'stopped') {
        void host.managerSession().then((session) => session === null && dispatch({ type: 'sessionChanged', session: null }));
      }
    }),
    phone.calls.subscribe(() => {
      const calls = phone.calls.getState().calls;
      const paid = store.getState().paidCall;
      if (paid !== null && paid.callId === null) {
        const created = calls.find((call) => call.direction === 'outgoing' && !knownCallIds.has(call.id));
        if (created !== undefined) dispatch({ type: 'paidCallLinked', callId: created.id });
      }
      const linked = store.getState().paidCall;
      if (linked?.callId !== null && linked?.callId !== undefined && !calls.some((call) => call.id === linked.callId)) {
        dispatch({ type: 'paidCallEnded' });
        void refresh();
      }
      knownCallIds = new Set(calls.map((call) => call.id));
    }),
  ];

  // A session the desktop host restored at startup.
  void host.managerSession().then(async (session) => {
    if (session === null || store.getState().session !== null) return;
    dispatch({ type: 'sessionChanged', session });
    await Promise.all([refresh(), registerPhone()]);
  });

  const placePaidCall = async (input: string, dialNow: (input: string) => DialTarget): Promise<void> => {
    const state = store.getState();
    const balance = state.balance;
    const settings = phone.settings.getState().settings;
    if (settings.announceBalance && balance !== null) {
      const text = deps.announcementText(balance);
      dispatch({ type: 'announced', text });
      await deps.announce(text, deps.language()).catch(() => 'no-voice');
    }
    knownCallIds = new Set(phone.calls.getState().calls.map((call) => call.id));
    dialNow(input);
  };

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
    requestCall(input, dialNow) {
      const settings = phone.settings.getState().settings;
      const target = parseDialString(input, settings.defaultCountry);
      if (target.kind === 'invalid') return target;
      const state = store.getState();
      const company = state.session?.company ?? null;
      if (state.session === null || company === null) return dialNow(input);
      const number = target.kind === 'phone' ? target.e164 : target.kind === 'extension' ? target.extension : target.digits;
      const display = displayFor(target, settings.defaultCountry);
      const classification = classifyNumber({ dialed: number, callerCountry: company.country });
      if (!needsQuote(classification)) {
        const decision = decideGate({ classification, quote: null, role: state.session.user.role });
        dispatch({ type: 'includedDialled', number: decision.kind === 'straight' && decision.included ? display : null });
        return dialNow(input);
      }
      requestSeq += 1;
      const requestId = requestSeq;
      pending = { requestId, input, dialNow };
      dispatch({ type: 'gateChecking', requestId, number, display });
      void host.getQuote(number).then((quote) => {
        if (pending?.requestId !== requestId) return;
        if (quote.ok) dispatch({ type: 'update', update: { type: 'wallet', wallet: { companyId: company.id, balanceMinor: quote.value.balanceMinor, currency: quote.value.currency, lowBalance: quote.value.warnings.includes('low_balance'), seq: 0 } } });
        const decision = decideGate({ classification, quote, role: store.getState().session?.user.role ?? null });
        if (decision.kind === 'straight') {
          pending = null;
          dispatch({ type: 'gateClosed' });
          dispatch({ type: 'includedDialled', number: decision.included ? display : null });
          dialNow(input);
          return;
        }
        dispatch({ type: 'gateDecided', requestId, decision });
      });
      return target;
    },
    confirmGate() {
      const gate = store.getState().gate;
      if (gate.phase !== 'decided' || pending === null || pending.requestId !== gate.requestId) return;
      const { decision } = gate;
      if (decision.kind !== 'gate' && decision.kind !== 'premium') return;
      const { input, dialNow } = pending;
      pending = null;
      dispatch({ type: 'gateClosed' });
      dispatch({ type: 'paidCallStarted', paidCall: { number: gate.number, quote: decision.quote, callId: null } });
      void placePaidCall(input, dialNow);
    },
    cancelGate() {
      pending = null;
      dispatch({ type: 'gateClosed' });
    },
    openAddFunds: () => host.openAddFunds(),
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
    dispose() {
      stopRenewal();
      for (const unsubscribe of unsubscribers) unsubscribe();
    },
  };
  return wallet;
}
