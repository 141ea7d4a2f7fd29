import type { CallRecord } from '../call-record.js';
import type { SettingsPatch, Settings, SipCredentials } from '../settings.js';

export type Unsubscribe = () => void;

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
}
