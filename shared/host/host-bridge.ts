import type { ManagerPageTarget } from '../manager-link/manager-page-url.js';
import type { SipConfigResponse } from '../api/auth-schemas.js';
import type { BudgetView } from '../api/budget-schemas.js';
import type { CallReceipt } from '../api/receipt-schemas.js';
import type { DirectoryResponse } from '../api/directory-schemas.js';
import type { PersonalContact } from '../contacts/personal-contact.js';
import type { QuoteResponse, RatesResponse } from '../api/rate-schemas.js';
import type { ActivityResponse, AutoRefillSettings, AutoRefillView, TopUpOptionsResponse, WalletView } from '../api/wallet-schemas.js';
import type { CallRecord } from '../call-record.js';
import type { ManagerResult } from '../manager-link/manager-result.js';
import type { ManagerSession, ManagerSignIn } from '../manager-link/manager-session.js';
import type { WalletUpdate } from '../manager-link/wallet-stream.js';
import type { SettingsPatch, Settings, SipCredentials } from '../settings.js';

export type Unsubscribe = () => void;

/** A country of the rate deck, for the International Rates picker. */
export interface RateCountry {
  readonly country: string;
  readonly name: string;
}

/** Where the remembered SIP password lives, so the UI can say so. */
export type SecretStorage =
  /** OS keychain through Electron safeStorage. */
  | 'encrypted'
  /** Not remembered: the host has no safe place (web host, or Linux safeStorage on plaintext). */
  | 'not-remembered';

export type RegistrationIndicator = 'registered' | 'connecting' | 'unregistered' | 'error';

/**
 * Everything the renderer asks of the program around it. Two implementations: the Electron preload
 * (`window.cabine`, over the IPC contract in shared/ipc) and the browser host (web softphone).
 * Verbs only; no generic send.
 */
export interface HostBridge {
  readonly kind: 'electron' | 'web';
  getSettings(): Promise<Settings>;
  updateSettings(patch: SettingsPatch): Promise<Settings>;
  /** The remembered SIP account with its password, or null. */
  loadSipCredentials(): Promise<SipCredentials | null>;
  /** Remember the account ("remember me"); says where the password went. */
  saveSipCredentials(credentials: SipCredentials): Promise<SecretStorage>;
  forgetSipCredentials(): Promise<void>;
  loadHistory(): Promise<readonly CallRecord[]>;
  appendHistory(record: CallRecord): Promise<void>;
  /** The user's personal contacts, kept by the app (not by the manager). */
  loadContacts(): Promise<readonly PersonalContact[]>;
  /** Replaces the personal contacts (validated; at most personalContactLimit). */
  saveContacts(contacts: readonly PersonalContact[]): Promise<void>;
  /** A tel:, sip: or callto: link asked to dial this number. */
  onDialRequest(listener: (number: string) => void): Unsubscribe;
  /** Show a system notification for an incoming call, with an Answer action. */
  notifyIncomingCall(call: { readonly callId: string; readonly from: string }): Promise<void>;
  /** The user pressed Answer on the notification. */
  onAnswerFromNotification(listener: (callId: string) => void): Unsubscribe;
  /** Tray icon and tooltip follow the registration state. */
  showRegistrationState(state: RegistrationIndicator): void;
  /** The machine woke from sleep: reconnect now. */
  onResume(listener: () => void): Unsubscribe;

  // The company account and its Prepaid Account, through the manager. The host holds the bearer token
  // (main process memory and safeStorage; the web host's closure) and never hands it to the page.

  /** Signs in to the manager with the company account; the session the UI may show. */
  managerSignIn(request: ManagerSignIn): Promise<ManagerResult<ManagerSession>>;
  /** Revokes the token and forgets the session. */
  managerSignOut(): Promise<void>;
  /** The current session (restored at startup on the desktop), or null. */
  managerSession(): Promise<ManagerSession | null>;
  /** Time-limited SIP credentials for the signed-in user, so nobody types SIP settings. */
  getSipConfig(): Promise<ManagerResult<SipConfigResponse>>;
  getWallet(): Promise<ManagerResult<WalletView>>;
  /** What a call to `number` would cost, and how long the balance lasts. */
  getQuote(number: string): Promise<ManagerResult<QuoteResponse>>;
  getRateCountries(): Promise<ManagerResult<readonly RateCountry[]>>;
  getRates(country: string): Promise<ManagerResult<RatesResponse>>;
  /** Recent wallet activity, newest first. */
  getActivity(): Promise<ManagerResult<ActivityResponse>>;
  /** The signed-in user's monthly budget for calls and what is left of it this month. */
  getBudget(): Promise<ManagerResult<BudgetView>>;
  /** The company directory (Contacts): people with extensions and numbers, ring groups, company numbers. */
  getDirectory(): Promise<ManagerResult<DirectoryResponse>>;
  /** A charged call's receipt, by the ledger seq of its charge (the activity item's `seq`). */
  getCallReceipt(seq: number): Promise<ManagerResult<CallReceipt>>;
  /** The amounts an admin may add (automatic refill picks one of them). */
  getTopUpOptions(): Promise<ManagerResult<TopUpOptionsResponse>>;
  /** Changes automatic refill (admins; employees get a 'forbidden' failure). */
  setAutoRefill(settings: AutoRefillSettings): Promise<ManagerResult<AutoRefillView>>;
  /**
   * Opens the manager's add-funds page already signed in (one-time hand-off code): a dedicated window
   * locked to the manager's origin on the desktop, a new tab on the web.
   */
  openAddFunds(): Promise<ManagerResult<'opened'>>;
  /** Opens People, the audit trail (admins) or the password page of the manager, signed in (a hand-off, like Add Funds). */
  openManagerPage(target: ManagerPageTarget): Promise<ManagerResult<'opened'>>;
  /** Live wallet changes (the manager's event stream, reconnected by the host) while signed in. */
  onWalletChange(listener: (update: WalletUpdate) => void): Unsubscribe;
}
