/**
 * The preload: the only module that imports `ipcRenderer`. It exposes `window.cabine`, an object that
 * implements `HostBridge` with one function per verb and nothing else: no generic send or invoke, and no
 * IPC event object ever reaches the page (checklist items 3 and 20;
 * https://www.electronjs.org/docs/latest/tutorial/context-isolation#security-considerations). The verbs
 * come from `hostBridgeChannels` in shared/ipc/ipc-contract.ts, so the bridge has exactly the members
 * that table routes.
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
  hostBridgeChannels,
  parseIpcResult,
  takesNoRequest,
  type HostBridgeRoute,
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

/**
 * Builds the bridge over an `ipcRenderer` from `hostBridgeChannels`, one verb per route; exported for
 * tests. The table's type checks each route against its `HostBridge` member, so this loop only follows it.
 */
export function createHostBridge(ipc: RendererIpc): HostBridge {
  async function call<C extends InvokeChannel>(channel: C, request: InvokeRequest<C>): Promise<InvokeResponse<C>> {
    const result = parseIpcResult(channel, await ipc.invoke(channel, request));
    if (!result.ok) throw new Error(result.error.message);
    return result.value;
  }
  const subscribe = createEventHub(ipc);
  const routes: Readonly<Record<keyof HostBridge, HostBridgeRoute | null>> = hostBridgeChannels;

  const bridge: Record<string, unknown> = {};
  for (const [member, route] of Object.entries(routes)) {
    if (route === null) continue;
    if ('event' in route) {
      const { event, deliver } = route;
      bridge[member] = (listener: (...args: unknown[]) => void): Unsubscribe =>
        subscribe(event, (payload) => listener(...(deliver === undefined ? [payload] : deliver(payload as never))));
      continue;
    }
    const { invoke, request, fireAndForget } = route;
    // A verb without an argument sends none, even when the page passes one (a click handler's event).
    const requestFrom = (argument: unknown): unknown => (takesNoRequest(invoke) ? undefined : request === undefined ? argument : request(argument as never));
    const send = (argument: unknown) => call(invoke, requestFrom(argument) as never);
    bridge[member] =
      fireAndForget === true
        ? (argument: unknown): void => {
            send(argument).catch(() => undefined);
          }
        : send;
  }
  return { kind: 'electron', ...bridge } as unknown as HostBridge;
}

contextBridge.exposeInMainWorld('cabine', createHostBridge(ipcRenderer));
