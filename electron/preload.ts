/**
 * The preload: the only module that imports `ipcRenderer`. It exposes `window.cabine`, an object that
 * implements `HostBridge` with one function per verb and nothing else: no generic send or invoke, and no
 * IPC event object ever reaches the page (checklist items 3 and 20;
 * https://www.electronjs.org/docs/latest/tutorial/context-isolation#security-considerations).
 *
 * It is bundled to CommonJS (`dist/electron/preload.cjs`): sandboxed preloads cannot be ES modules
 * (https://www.electronjs.org/docs/latest/tutorial/esm#sandboxed-preload-scripts-cant-use-esm-imports).
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRenderer } from 'electron';
import type { HostBridge, Unsubscribe } from '../shared/host/host-bridge.js';
import {
  eventChannels,
  eventContract,
  parseIpcResult,
  type EventChannel,
  type EventPayload,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponse,
} from '../shared/ipc/ipc-contract.js';

type RendererIpc = Pick<IpcRenderer, 'invoke' | 'on'>;

/** Events worth keeping until the page subscribes: a dial request or an Answer must not be lost at startup. */
const bufferedChannels: ReadonlySet<EventChannel> = new Set<EventChannel>(['dial-request', 'notification:answer']);
const maxBuffered = 16;

function createEventHub(ipc: RendererIpc) {
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  const buffers = new Map<EventChannel, unknown[]>();
  for (const channel of eventChannels) {
    listeners.set(channel, new Set());
    buffers.set(channel, []);
    ipc.on(channel, (_event, raw: unknown) => {
      const parsed = eventContract[channel].safeParse(raw);
      if (!parsed.success) return;
      const current = listeners.get(channel);
      if (current !== undefined && current.size > 0) {
        for (const listener of current) listener(parsed.data);
      } else if (bufferedChannels.has(channel)) {
        const buffer = buffers.get(channel) ?? [];
        buffer.push(parsed.data);
        if (buffer.length > maxBuffered) buffer.shift();
      }
    });
  }
  return function subscribe<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): Unsubscribe {
    const wrapped = (payload: unknown) => listener(payload as EventPayload<C>);
    listeners.get(channel)?.add(wrapped);
    for (const payload of buffers.get(channel)?.splice(0) ?? []) wrapped(payload);
    return () => {
      listeners.get(channel)?.delete(wrapped);
    };
  };
}

/** Builds the bridge over an `ipcRenderer`; exported for tests. */
export function createHostBridge(ipc: RendererIpc): HostBridge {
  async function call<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>): Promise<InvokeResponse<C>> {
    const result = parseIpcResult(channel, await ipc.invoke(channel, request));
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  }
  const subscribe = createEventHub(ipc);

  return {
    kind: 'electron',
    getSettings: () => call('settings:get', undefined),
    updateSettings: (patch) => call('settings:update', patch),
    loadSipCredentials: () => call('sip-credentials:load', undefined),
    saveSipCredentials: (credentials) => call('sip-credentials:save', credentials),
    forgetSipCredentials: () => call('sip-credentials:forget', undefined),
    loadHistory: () => call('history:load', undefined),
    appendHistory: (record) => call('history:append', record),
    onDialRequest: (listener) => subscribe('dial-request', ({ number }) => listener(number)),
    notifyIncomingCall: (incoming) => call('notification:incoming-call', { callId: incoming.callId, from: incoming.from }),
    onAnswerFromNotification: (listener) => subscribe('notification:answer', ({ callId }) => listener(callId)),
    showRegistrationState: (state) => {
      // Fire and forget: the tray is decoration, and HostBridge declares this verb as void.
      call('tray:show-registration-state', state).catch(() => undefined);
    },
    onResume: (listener) => subscribe('power:resume', () => listener()),
    managerSignIn: (request) => call('manager:sign-in', request),
    managerSignOut: () => call('manager:sign-out', undefined),
    managerSession: () => call('manager:session', undefined),
    getSipConfig: () => call('manager:sip-config', undefined),
    getWallet: () => call('wallet:get', undefined),
    getQuote: (number) => call('wallet:quote', number),
    getRateCountries: () => call('wallet:rate-countries', undefined),
    getRates: (country) => call('wallet:rates', country),
    getActivity: () => call('wallet:activity', undefined),
    getTopUpOptions: () => call('wallet:top-up-options', undefined),
    setAutoRefill: (settings) => call('wallet:set-auto-refill', settings),
    openAddFunds: () => call('wallet:open-add-funds', undefined),
    onWalletChange: (listener) => subscribe('wallet:change', listener),
  };
}

contextBridge.exposeInMainWorld('cabine', createHostBridge(ipcRenderer));
