import { z } from 'zod';
import { callHistoryLimit, callRecordSchema, type CallRecord } from '../../../shared/call-record.js';
import type { HostBridge, RegistrationIndicator, SecretStorage, Unsubscribe } from '../../../shared/host/host-bridge.js';
import {
  defaultSettings,
  settingsPatchSchema,
  settingsSchema,
  sipAccountSchema,
  sipCredentialsSchema,
  type Settings,
  type SettingsPatch,
  type SipAccount,
  type SipCredentials,
} from '../../../shared/settings.js';
import { parseStoredContacts, personalContactListSchema, type PersonalContact } from '../../../shared/contacts/personal-contact.js';
import type { ManagerHostPart } from './web-manager-link.js';

/** The parts of the page the web host uses; tests pass in-memory stand-ins. */
export interface BrowserHostEnvironment {
  readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** `window` in the page: `online` means "reconnect now". */
  readonly events?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  /** Shows a notification for an incoming call when the user allowed them; `onClick` answers it. */
  readonly notify?: (call: { readonly callId: string; readonly from: string }, onClick: () => void) => void;
  /** Called with the registration indicator (the web host puts it in the document title). */
  readonly showIndicator?: (state: RegistrationIndicator) => void;
}

/** The web host can prefill the sign-in form with the remembered account (never the password). */
export interface BrowserHostBridge extends HostBridge {
  readonly kind: 'web';
  rememberedAccount(): SipAccount | null;
}

export const storageKeys = {
  settings: 'cabine.settings.v1',
  history: 'cabine.history.v1',
  account: 'cabine.account.v1',
  contacts: 'cabine.contacts.v1',
} as const;

const historySchema = z.array(z.unknown());

/** Parses stored JSON; anything unreadable counts as absent (the page's storage is not trusted). */
function readJson(storage: BrowserHostEnvironment['storage'], key: string): unknown {
  const raw = storage.getItem(key);
  if (raw === null) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/** Stored settings merged over the defaults, field by field, so one bad field does not lose the rest. */
export function readSettings(storage: BrowserHostEnvironment['storage']): Settings {
  const stored = readJson(storage, storageKeys.settings);
  if (typeof stored !== 'object' || stored === null) return defaultSettings;
  const merged: Record<string, unknown> = { ...defaultSettings };
  for (const [key, value] of Object.entries(stored)) {
    if (!(key in defaultSettings)) continue;
    const candidate = settingsSchema.safeParse({ ...merged, [key]: value });
    if (candidate.success) merged[key] = value;
  }
  return settingsSchema.parse(merged);
}

/** Stored history, keeping only the records that pass the schema, newest last, at most the limit. */
export function readHistory(storage: BrowserHostEnvironment['storage']): CallRecord[] {
  const parsed = historySchema.safeParse(readJson(storage, storageKeys.history));
  if (!parsed.success) return [];
  const records: CallRecord[] = [];
  for (const item of parsed.data) {
    const record = callRecordSchema.safeParse(item);
    if (record.success) records.push(record.data);
  }
  return records.slice(-callHistoryLimit);
}

/**
 * The host of the web softphone. Settings, history and the account live in localStorage, validated on
 * the way in and out. The SIP password is never written to storage (house style: secrets do not belong in
 * renderer localStorage); it is kept for this page's lifetime only, so "remember me" remembers the account.
 * The manager half (company account, wallet) is passed in (web-manager-link.ts).
 */
export function createBrowserHost(env: BrowserHostEnvironment, manager: ManagerHostPart): BrowserHostBridge {
  const { storage } = env;
  let sessionCredentials: SipCredentials | null = null;
  const dialListeners = new Set<(number: string) => void>();
  const answerListeners = new Set<(callId: string) => void>();

  const readAccount = (): SipAccount | null => {
    const parsed = sipAccountSchema.safeParse(readJson(storage, storageKeys.account));
    return parsed.success ? parsed.data : null;
  };

  return {
    ...manager,
    kind: 'web',
    getSettings: () => Promise.resolve(readSettings(storage)),
    // async: a payload that fails its schema rejects the promise, as the IPC host does; it never throws.
    async updateSettings(patch: SettingsPatch) {
      const valid = settingsPatchSchema.parse(patch);
      const next = settingsSchema.parse({ ...readSettings(storage), ...valid });
      storage.setItem(storageKeys.settings, JSON.stringify(next));
      return next;
    },
    loadSipCredentials: () => Promise.resolve(sessionCredentials),
    async saveSipCredentials(credentials: SipCredentials): Promise<SecretStorage> {
      const valid = sipCredentialsSchema.parse(credentials);
      sessionCredentials = valid;
      storage.setItem(storageKeys.account, JSON.stringify(valid.account));
      return 'not-remembered';
    },
    forgetSipCredentials() {
      sessionCredentials = null;
      storage.removeItem(storageKeys.account);
      return Promise.resolve();
    },
    rememberedAccount: readAccount,
    loadHistory: () => Promise.resolve(readHistory(storage)),
    async appendHistory(record: CallRecord) {
      const valid = callRecordSchema.parse(record);
      const next = [...readHistory(storage).filter((r) => r.id !== valid.id), valid].slice(-callHistoryLimit);
      storage.setItem(storageKeys.history, JSON.stringify(next));
    },
    loadContacts: () => Promise.resolve(parseStoredContacts(readJson(storage, storageKeys.contacts))),
    async saveContacts(contacts: readonly PersonalContact[]) {
      storage.setItem(storageKeys.contacts, JSON.stringify(personalContactListSchema.parse(contacts)));
    },
    onDialRequest(listener): Unsubscribe {
      // The web softphone has no tel: handler; the listener set exists so the contract holds.
      dialListeners.add(listener);
      return () => dialListeners.delete(listener);
    },
    notifyIncomingCall(call) {
      env.notify?.(call, () => {
        for (const listener of [...answerListeners]) listener(call.callId);
      });
      return Promise.resolve();
    },
    onAnswerFromNotification(listener): Unsubscribe {
      answerListeners.add(listener);
      return () => answerListeners.delete(listener);
    },
    showRegistrationState(state) {
      env.showIndicator?.(state);
    },
    onResume(listener): Unsubscribe {
      const handler = (): void => listener();
      env.events?.addEventListener('online', handler);
      return () => env.events?.removeEventListener('online', handler);
    },
  };
}
