/**
 * The company account, written once for both hosts: signing in and out, the session, the bearer token,
 * the live wallet stream, and every request to the manager wrapped into a `ManagerResult`. The desktop's
 * main process (electron/manager-link.ts) and the web softphone (renderer/src/host/web-manager-link.ts)
 * are thin adapters that plug in their platform: the network, the timers, where a signed-in account is
 * remembered, how a wallet update reaches the page and how the add-funds page opens.
 *
 * ```
 *               signIn ok                      401 from any request or the stream,
 *  signed-out ───────────▶ signed-in ───────▶  signOut
 *      ▲    restore (remembered)  │ stream running         │
 *      └──────────────────────────┴────────────────────────┘  (stream stopped, vault cleared,
 *                                                              'stopped' announced)
 * ```
 *
 * The token never leaves this closure except toward the manager and the host's vault; the page is only
 * ever given the `ManagerSession`, which has no token.
 */
import { managerPageUrl, type ManagerPageTarget } from './manager-page-url';
import { z } from 'zod';
import type { SipConfigResponse } from '../api/auth-schemas';
import type { BudgetView } from '../api/budget-schemas';
import type { CallReceipt } from '../api/receipt-schemas';
import type { DirectoryResponse } from '../api/directory-schemas';
import type { QuoteResponse, rateCountriesResponseSchema, RatesResponse } from '../api/rate-schemas';
import type { ActivityResponse, AutoRefillSettings, AutoRefillView, TopUpOptionsResponse, WalletView } from '../api/wallet-schemas';
import { addFundsUrl } from './add-funds-url';
import { createManagerClient, type FetchLike, type ManagerClient } from './manager-client';
import { managerFailure, managerOk, type ManagerResult } from './manager-result';
import { managerSessionSchema, type ManagerSession, type ManagerSignIn } from './manager-session';
import { isOnOrigin } from './manager-url';
import { signInToCompany, type CompanySignIn } from './sign-in-to-company';
import { startWalletStream, type TextDecoderLike, type WalletStream, type WalletUpdate } from './wallet-stream';

/**
 * Where a host remembers the signed-in account between runs. It holds the bearer token, so only a host
 * with a safe place has one (the desktop: safeStorage); it may decline to keep it (`write` then stores
 * nothing), and `read` answers null when there is nothing it can give back.
 */
export interface SessionVault {
  read(): Promise<string | null>;
  write(text: string): Promise<void>;
  clear(): Promise<void>;
}

export interface CompanyLinkDeps {
  readonly fetch: FetchLike;
  /** Resolves after `milliseconds` (the host's timer): request timeouts and stream reconnects. */
  readonly wait: (milliseconds: number) => Promise<void>;
  readonly createDecoder: () => TextDecoderLike;
  /** None: the account is kept in memory only, and a new run asks to sign in again. */
  readonly vault?: SessionVault;
  /** A new balance, or a change of the stream's state, for the page. */
  readonly emit: (update: WalletUpdate) => void;
  /** Opens the manager's add-funds hand-off page `url`, which belongs to the manager at `origin`. */
  readonly openAddFunds: (url: string, origin: string) => void;
  readonly log?: (message: string) => void;
}

/** The company account's operations; each host maps them onto its own verbs or IPC channels. */
export interface CompanyLink {
  signIn(request: ManagerSignIn): Promise<ManagerResult<ManagerSession>>;
  /** Revokes the token with the manager (best effort) and forgets the session. */
  signOut(): Promise<void>;
  /** The session the page may see, or null. */
  session(): ManagerSession | null;
  sipConfig(): Promise<ManagerResult<SipConfigResponse>>;
  wallet(): Promise<ManagerResult<WalletView>>;
  quote(number: string): Promise<ManagerResult<QuoteResponse>>;
  rateCountries(): Promise<ManagerResult<z.infer<typeof rateCountriesResponseSchema>['countries']>>;
  rates(country: string): Promise<ManagerResult<RatesResponse>>;
  activity(): Promise<ManagerResult<ActivityResponse>>;
  /** The signed-in user's monthly budget and what is left of it. */
  budget(): Promise<ManagerResult<BudgetView>>;
  /** The company directory: people, ring groups and numbers of the signed-in user's company. */
  directory(): Promise<ManagerResult<DirectoryResponse>>;
  /** The receipt of the call charged by ledger transaction `seq` (the caller's own, or any for an admin). */
  callReceipt(seq: number): Promise<ManagerResult<CallReceipt>>;
  topUpOptions(): Promise<ManagerResult<TopUpOptionsResponse>>;
  setAutoRefill(settings: AutoRefillSettings): Promise<ManagerResult<AutoRefillView>>;
  /** Asks for a one-time hand-off and opens the add-funds page with it (admins only). */
  openAddFunds(): Promise<ManagerResult<'opened'>>;
  /** The same for People, the audit trail (admins) or your own password (manager-page-url.ts), in the same window or tab. */
  openManagerPage(target: ManagerPageTarget): Promise<ManagerResult<'opened'>>;
  /** Takes back the account the vault remembers, checking the token with the manager when it is reachable. */
  restore(): Promise<void>;
  /** The manager's origin while signed in. */
  origin(): string | null;
  /** Whether `url` is on the signed-in manager's origin (what the add-funds window may show). */
  allowsUrl(url: string): boolean;
  /** Fetches the balance now and emits it, rather than wait for the stream (a purchase just completed). */
  refreshWallet(): Promise<void>;
  /** Stops the stream (the host is going away). */
  dispose(): void;
}

/** Requests time out after this long: the manager is then 'unreachable'. */
const requestTimeoutMs = 10_000;

/** What the vault holds. */
const rememberedSchema = z.strictObject({ token: z.string().min(20).max(200), session: managerSessionSchema });

export function createCompanyLink(deps: CompanyLinkDeps): CompanyLink {
  const log = deps.log ?? (() => undefined);
  let current: CompanySignIn | null = null;
  let stream: WalletStream | null = null;

  const clientFor = (origin: string, token: () => string | null): ManagerClient =>
    createManagerClient({ origin, fetch: deps.fetch, token, timeout: deps.wait, timeoutMs: requestTimeoutMs });
  const client = (): ManagerClient | null => (current === null ? null : clientFor(current.session.origin, () => current?.token ?? null));

  const stopStream = (): void => {
    stream?.stop();
    stream = null;
  };

  const endSession = async (why: string): Promise<void> => {
    log(`manager-link: session ended: ${why}`);
    stopStream();
    current = null;
    await deps.vault?.clear().catch(() => undefined);
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

  /** Runs a request with the session's client; a 401 ends the session, so the UI offers sign-in again. */
  async function withClient<T>(run: (c: ManagerClient) => Promise<ManagerResult<T>>): Promise<ManagerResult<T>> {
    const c = client();
    if (c === null) return managerFailure('signed-out', 'Not signed in to the manager');
    const result = await run(c);
    if (!result.ok && result.failure.kind === 'signed-out') await endSession('401 from the manager');
    return result;
  }

  const readRemembered = async (vault: SessionVault): Promise<CompanySignIn | null> => {
    const text = await vault.read();
    if (text === null) return null;
    try {
      const parsed = rememberedSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // Not JSON: treated like a remembered session that breaks the schema.
    }
    log('manager-link: the remembered session is unreadable; ignoring it');
    return null;
  };

  return {
    async signIn(request) {
      const signedIn = await signInToCompany(request, clientFor);
      if (!signedIn.ok) return signedIn;
      stopStream();
      current = signedIn.value;
      await deps.vault
        ?.write(JSON.stringify(current))
        .catch((error: unknown) => log(`manager-link: could not remember the session: ${String(error)}`));
      startStream();
      return managerOk(current.session);
    },
    async signOut() {
      const c = client();
      if (c !== null) {
        const result = await c.signOut();
        if (!result.ok) log(`manager-link: sign-out not confirmed by the manager: ${result.failure.message}`);
      }
      await endSession('signed out');
    },
    session: () => current?.session ?? null,
    sipConfig: () => withClient((c) => c.sipConfig()),
    wallet: () => withClient((c) => c.wallet()),
    quote: (number) => withClient((c) => c.quote(number)),
    rateCountries: () =>
      withClient(async (c) => {
        const result = await c.rateCountries();
        return result.ok ? managerOk(result.value.countries) : result;
      }),
    rates: (country) => withClient((c) => c.rates(country)),
    activity: () => withClient((c) => c.activity()),
    budget: () => withClient((c) => c.budget()),
    directory: () => withClient((c) => c.directory()),
    callReceipt: (seq) => withClient((c) => c.callReceipt(seq)),
    topUpOptions: () => withClient((c) => c.topUpOptions()),
    setAutoRefill: (settings) => withClient((c) => c.setAutoRefill(settings)),
    openAddFunds: () =>
      withClient(async (c) => {
        // `<origin>/handoff#code=…`: the code stays in the fragment, which a browser never sends; the
        // manager's page posts it, and its session cookie lands in the window or tab that opened it.
        const url = await addFundsUrl(c, current?.session);
        if (!url.ok) return url;
        deps.openAddFunds(url.value, c.origin);
        return managerOk('opened' as const);
      }),
    openManagerPage: (target) =>
      withClient(async (c) => {
        const url = await managerPageUrl(c, current?.session, target);
        if (!url.ok) return url;
        deps.openAddFunds(url.value, c.origin);
        return managerOk('opened' as const);
      }),
    async restore() {
      if (deps.vault === undefined) return;
      const restored = await readRemembered(deps.vault);
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
    allowsUrl(url) {
      const origin = current?.session.origin;
      return origin !== undefined && isOnOrigin(url, origin);
    },
    async refreshWallet() {
      const wallet = await withClient((c) => c.wallet());
      if (!wallet.ok) return;
      const { companyId, balanceMinor, currency, lowBalance } = wallet.value;
      // seq 0: the stream's next event (with the real ledger sequence) supersedes this one.
      deps.emit({ type: 'wallet', wallet: { companyId, balanceMinor, currency, lowBalance, seq: 0 } });
    },
    dispose: stopStream,
  };
}
