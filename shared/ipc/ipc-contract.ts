/**
 * The IPC contract between the Electron main process and the renderer, written once.
 *
 * Every `HostBridge` verb that asks the main process something is an invoke channel with a zod schema
 * for its request and its response; every `HostBridge` listener is a main→renderer event with a zod
 * schema for its payload. `electron/ipc-handlers.ts` registers handlers from `invokeContract` and
 * `electron/preload.ts` builds `window.cabine` from it; nothing else touches raw IPC (house style 3, 4).
 *
 * Both sides parse: main parses requests (the renderer is untrusted: Electron security checklist
 * "Validate the sender of all IPC messages", https://www.electronjs.org/docs/latest/tutorial/security#17-validate-the-sender-of-all-ipc-messages)
 * and its own responses (history and settings come from disk); the preload parses events and responses.
 */
import { managerPageTargets } from '../manager-link/manager-page-url.js';
import { z } from 'zod';
import { sipConfigResponseSchema } from '../api/auth-schemas.js';
import { budgetViewSchema } from '../api/budget-schemas.js';
import { callReceiptSchema } from '../api/receipt-schemas.js';
import { directoryResponseSchema } from '../api/directory-schemas.js';
import { personalContactListSchema } from '../contacts/personal-contact.js';
import { countrySchema } from '../api/common-schemas.js';
import { quoteQuerySchema, quoteResponseSchema, rateCountriesResponseSchema, ratesResponseSchema } from '../api/rate-schemas.js';
import { activityResponseSchema, autoRefillSettingsSchema, autoRefillViewSchema, topUpOptionsResponseSchema, walletViewSchema } from '../api/wallet-schemas.js';
import { managerResultSchema } from '../manager-link/manager-result.js';
import { managerSessionSchema, managerSignInSchema } from '../manager-link/manager-session.js';
import { walletUpdateSchema } from '../manager-link/wallet-stream.js';
import { callHistoryLimit, callRecordSchema } from '../call-record.js';
import type { HostBridge, RegistrationIndicator, SecretStorage, Unsubscribe } from '../host/host-bridge.js';
import { settingsPatchSchema, settingsSchema, sipCredentialsSchema } from '../settings.js';

/** Where a remembered SIP password went (mirrors `SecretStorage`). */
export const secretStorageSchema = z.enum(['encrypted', 'not-remembered']) satisfies z.ZodType<SecretStorage>;

/** The registration states the tray shows (mirrors `RegistrationIndicator`). */
export const registrationIndicatorSchema = z.enum([
  'registered',
  'connecting',
  'unregistered',
  'error',
]) satisfies z.ZodType<RegistrationIndicator>;

// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const printable = /^[^\u0000-\u001f\u007f]*$/;

/** A call as the incoming-call notification shows it. `from` ends up in OS UI, so it is bounded and printable. */
export const incomingCallSchema = z
  .object({
    callId: z.string().min(1).max(128).regex(printable),
    from: z.string().min(1).max(128).regex(printable),
  })
  .strict();
export type IncomingCall = z.infer<typeof incomingCallSchema>;

/** Requests that carry nothing. */
const noPayload = z.undefined();

/**
 * Renderer→main requests (`ipcRenderer.invoke` / `ipcMain.handle`), one per `HostBridge` verb.
 * `tray:show-registration-state` is an invoke too (the preload ignores its result) so that every
 * renderer→main message goes through the same sender check and parse.
 */
export const invokeContract = {
  'settings:get': { request: noPayload, response: settingsSchema },
  'settings:update': { request: settingsPatchSchema, response: settingsSchema },
  'sip-credentials:load': { request: noPayload, response: sipCredentialsSchema.nullable() },
  'sip-credentials:save': { request: sipCredentialsSchema, response: secretStorageSchema },
  'sip-credentials:forget': { request: noPayload, response: z.undefined() },
  'history:load': { request: noPayload, response: z.array(callRecordSchema).max(callHistoryLimit) },
  'history:append': { request: callRecordSchema, response: z.undefined() },
  'contacts:load': { request: noPayload, response: personalContactListSchema },
  'contacts:save': { request: personalContactListSchema, response: z.undefined() },
  'notification:incoming-call': { request: incomingCallSchema, response: z.undefined() },
  'tray:show-registration-state': { request: registrationIndicatorSchema, response: z.undefined() },
  // The manager link (electron/manager-link.ts): main holds the token and calls the manager; the page gets
  // parsed answers or a failure kind. Responses are the manager's own schemas from shared/api.
  'manager:sign-in': { request: managerSignInSchema, response: managerResultSchema(managerSessionSchema) },
  'manager:sign-out': { request: noPayload, response: z.undefined() },
  'manager:session': { request: noPayload, response: managerSessionSchema.nullable() },
  'manager:sip-config': { request: noPayload, response: managerResultSchema(sipConfigResponseSchema) },
  'wallet:get': { request: noPayload, response: managerResultSchema(walletViewSchema) },
  'wallet:quote': { request: quoteQuerySchema.shape.number, response: managerResultSchema(quoteResponseSchema) },
  'wallet:rate-countries': { request: noPayload, response: managerResultSchema(rateCountriesResponseSchema.shape.countries) },
  'wallet:rates': { request: countrySchema, response: managerResultSchema(ratesResponseSchema) },
  'wallet:activity': { request: noPayload, response: managerResultSchema(activityResponseSchema) },
  'wallet:budget': { request: noPayload, response: managerResultSchema(budgetViewSchema) },
  'manager:directory': { request: noPayload, response: managerResultSchema(directoryResponseSchema) },
  'wallet:call-receipt': { request: z.int().positive().max(Number.MAX_SAFE_INTEGER), response: managerResultSchema(callReceiptSchema) },
  'wallet:top-up-options': { request: noPayload, response: managerResultSchema(topUpOptionsResponseSchema) },
  'wallet:set-auto-refill': { request: autoRefillSettingsSchema, response: managerResultSchema(autoRefillViewSchema) },
  'wallet:open-add-funds': { request: noPayload, response: managerResultSchema(z.literal('opened')) },
  'manager:open-page': { request: z.enum(managerPageTargets), response: managerResultSchema(z.literal('opened')) },
} as const;

/** Main→renderer events (`webContents.send` / `ipcRenderer.on`), one per `HostBridge` listener. */
export const eventContract = {
  /** A tel:/sip:/callto: link asked to dial; `number` is already the output of `parseTelLink`. */
  'dial-request': z.object({ number: z.string().min(1).max(64) }).strict(),
  /** The user pressed Answer on the incoming-call notification. */
  'notification:answer': z.object({ callId: z.string().min(1).max(128) }).strict(),
  /** The machine woke from sleep (`powerMonitor` 'resume'). */
  'power:resume': z.object({}).strict(),
  /** A new balance from the manager's event stream, or a change of the stream's state. */
  'wallet:change': walletUpdateSchema,
} as const;

export type InvokeChannel = keyof typeof invokeContract;
export type InvokeRequest<C extends InvokeChannel> = z.infer<(typeof invokeContract)[C]['request']>;
export type InvokeResponse<C extends InvokeChannel> = z.infer<(typeof invokeContract)[C]['response']>;
export type EventChannel = keyof typeof eventContract;
export type EventPayload<C extends EventChannel> = z.infer<(typeof eventContract)[C]>;

export const invokeChannels = Object.keys(invokeContract) as readonly InvokeChannel[];

/** Whether `channel` carries no request (its verb takes no argument, so whatever the page passed is dropped). */
export function takesNoRequest(channel: InvokeChannel): boolean {
  return invokeContract[channel].request === noPayload;
}
export const eventChannels = Object.keys(eventContract) as readonly EventChannel[];

/** Why main refused a request. */
export const ipcErrorCodeSchema = z.enum(['forbidden-sender', 'invalid-request', 'invalid-response', 'failed']);
export type IpcErrorCode = z.infer<typeof ipcErrorCodeSchema>;

/**
 * What every invoke handler returns. Errors travel as data, not as thrown exceptions, because Electron
 * rewrites thrown errors into "Error invoking remote method ..." and drops everything but the message
 * (https://www.electronjs.org/docs/latest/api/ipc-main#ipcmainhandlechannel-listener).
 */
export type IpcResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: { readonly code: IpcErrorCode; readonly message: string } };

const ipcEnvelopeSchema = z.discriminatedUnion('ok', [
  // `value` is checked against the channel's response schema below; it may be absent for void channels.
  z.object({ ok: z.literal(true), value: z.unknown().optional() }).strict(),
  z
    .object({
      ok: z.literal(false),
      error: z.object({ code: ipcErrorCodeSchema, message: z.string().max(1000) }).strict(),
    })
    .strict(),
]);

/**
 * Parses what main answered on `channel` (the preload's side of the contract). Throws a `ZodError`
 * when the answer does not match the contract.
 */
export function parseIpcResult<C extends InvokeChannel>(channel: C, raw: unknown): IpcResult<InvokeResponse<C>> {
  const envelope = ipcEnvelopeSchema.parse(raw);
  if (!envelope.ok) return envelope;
  const value = invokeContract[channel].response.parse(envelope.value) as InvokeResponse<C>;
  return { ok: true, value };
}

/** A verb's one argument (undefined for a verb that takes none). */
type VerbArgument<V> = V extends () => unknown ? undefined : V extends (argument: infer A) => unknown ? A : never;

/**
 * The invoke routes that can serve verb `V`: a channel whose response is what the verb resolves to, and
 * whose request is the verb's argument, or is built from it by `request`. A verb that returns nothing
 * (not a promise) is sent `fireAndForget`.
 */
type InvokeRouteFor<V extends (...args: never[]) => unknown> = {
  [C in InvokeChannel]: [InvokeResponse<C>] extends [Awaited<ReturnType<V>>]
    ? (
        | { readonly invoke: C; readonly request: (argument: VerbArgument<V>) => InvokeRequest<C> }
        | ([VerbArgument<V>] extends [InvokeRequest<C>] ? { readonly invoke: C } : never)
      ) &
        (ReturnType<V> extends Promise<unknown> ? unknown : { readonly fireAndForget: true })
    : never;
}[InvokeChannel];

/**
 * The event routes that can serve a listener taking `L`: any event, with `deliver` turning its payload
 * into the listener's arguments, or an event whose payload is the listener's one argument.
 */
type EventRouteFor<L extends unknown[]> = {
  [E in EventChannel]:
    | { readonly event: E; readonly deliver: (payload: EventPayload<E>) => Readonly<L> }
    | ([EventPayload<E>] extends L ? { readonly event: E } : never);
}[EventChannel];

/** How one `HostBridge` member is served: an invoke, an event, or nothing over IPC (`kind`). */
type RouteFor<V> = V extends (listener: (...args: infer L) => void) => Unsubscribe
  ? EventRouteFor<L>
  : V extends (...args: never[]) => unknown
    ? InvokeRouteFor<V>
    : null;

/** A route as the preload reads it, whichever member it serves. */
export type HostBridgeRoute =
  | { readonly invoke: InvokeChannel; readonly request?: (argument: never) => unknown; readonly fireAndForget?: true }
  | { readonly event: EventChannel; readonly deliver?: (payload: never) => readonly unknown[] };

/**
 * Which channel serves which `HostBridge` member: `electron/preload.ts` builds `window.cabine` from this
 * table. The `satisfies` breaks the build when a `HostBridge` member is missing, or when its channel's
 * request, response or payload do not fit the member's signature.
 */
export const hostBridgeChannels = {
  kind: null,
  getSettings: { invoke: 'settings:get' },
  updateSettings: { invoke: 'settings:update' },
  loadSipCredentials: { invoke: 'sip-credentials:load' },
  saveSipCredentials: { invoke: 'sip-credentials:save' },
  forgetSipCredentials: { invoke: 'sip-credentials:forget' },
  loadHistory: { invoke: 'history:load' },
  appendHistory: { invoke: 'history:append' },
  loadContacts: { invoke: 'contacts:load' },
  saveContacts: { invoke: 'contacts:save', request: (contacts) => [...contacts] },
  onDialRequest: { event: 'dial-request', deliver: ({ number }) => [number] },
  // Only the contract's fields: the page may pass a richer call object, and main's schema is strict.
  notifyIncomingCall: { invoke: 'notification:incoming-call', request: ({ callId, from }) => ({ callId, from }) },
  onAnswerFromNotification: { event: 'notification:answer', deliver: ({ callId }) => [callId] },
  // The tray is decoration, and HostBridge declares this verb as void.
  showRegistrationState: { invoke: 'tray:show-registration-state', fireAndForget: true },
  onResume: { event: 'power:resume', deliver: () => [] },
  managerSignIn: { invoke: 'manager:sign-in' },
  managerSignOut: { invoke: 'manager:sign-out' },
  managerSession: { invoke: 'manager:session' },
  getSipConfig: { invoke: 'manager:sip-config' },
  getWallet: { invoke: 'wallet:get' },
  getQuote: { invoke: 'wallet:quote' },
  getRateCountries: { invoke: 'wallet:rate-countries' },
  getRates: { invoke: 'wallet:rates' },
  getActivity: { invoke: 'wallet:activity' },
  getBudget: { invoke: 'wallet:budget' },
  getDirectory: { invoke: 'manager:directory' },
  getCallReceipt: { invoke: 'wallet:call-receipt' },
  getTopUpOptions: { invoke: 'wallet:top-up-options' },
  setAutoRefill: { invoke: 'wallet:set-auto-refill' },
  openAddFunds: { invoke: 'wallet:open-add-funds' },
  openManagerPage: { invoke: 'manager:open-page' },
  onWalletChange: { event: 'wallet:change' },
} as const satisfies { readonly [M in keyof HostBridge]: RouteFor<HostBridge[M]> };
