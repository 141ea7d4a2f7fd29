import { EventEmitter } from 'node:events';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { HostBridge } from '../../../shared/host/host-bridge.js';
import { hostBridgeChannels } from '../../../shared/ipc/ipc-contract.js';
import { defaultSettings } from '../../../shared/settings.js';

// The preload's only seam is the `electron` module: a fake contextBridge records what is exposed and a
// fake ipcRenderer answers invokes and delivers events.
const exposed = new Map<string, unknown>();
const invokes: { channel: string; payload: unknown }[] = [];
const answers = new Map<string, unknown>();
const rendererEvents = new EventEmitter();
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: async (channel: string, payload: unknown) => {
      invokes.push({ channel, payload });
      return answers.get(channel) ?? { ok: true };
    },
    on: (channel: string, listener: (...args: unknown[]) => void) => rendererEvents.on(channel, listener),
  },
}));

let bridge: HostBridge;
beforeAll(async () => {
  await import('../../../electron/preload.js');
  bridge = exposed.get('cabine') as HostBridge;
});

/** What main sends: the event object (never to be leaked) and the payload. */
function sendFromMain(channel: string, payload: unknown) {
  rendererEvents.emit(channel, { sender: 'ipcRenderer-must-not-leak', ports: [] }, payload);
}

describe('preload', () => {
  it('exposes exactly one object, window.cabine', () => {
    expect([...exposed.keys()]).toEqual(['cabine']);
  });

  it('exposes exactly the HostBridge verbs, and no generic send or invoke', () => {
    expect(Object.keys(bridge).sort()).toEqual(Object.keys(hostBridgeChannels).sort());
    expect(bridge.kind).toBe('electron');
    for (const [key, value] of Object.entries(bridge)) {
      if (key !== 'kind') expect(typeof value, key).toBe('function');
    }
    expect(bridge).not.toHaveProperty('send');
    expect(bridge).not.toHaveProperty('invoke');
    expect(bridge).not.toHaveProperty('on');
  });

  it('invokes the contract channel and unwraps the result', async () => {
    answers.set('settings:get', { ok: true, value: defaultSettings });
    expect(await bridge.getSettings()).toEqual(defaultSettings);
    expect(invokes.at(-1)).toEqual({ channel: 'settings:get', payload: undefined });
  });

  it('turns a refusal from main into a rejected promise with its message', async () => {
    answers.set('settings:update', { ok: false, error: { code: 'invalid-request', message: 'settings:update: invalid request: language' } });
    await expect(bridge.updateSettings({ language: 'fr' })).rejects.toThrow('settings:update: invalid request: language');
  });

  it('refuses an answer that breaks the contract', async () => {
    answers.set('history:load', { ok: true, value: [{ id: 1 }] });
    await expect(bridge.loadHistory()).rejects.toThrow();
  });

  it('sends each verb on the channel its route names, and no payload for a verb without an argument', async () => {
    for (const [member, route] of Object.entries(hostBridgeChannels)) {
      if (route === null || !('invoke' in route)) continue;
      const verb = (bridge as unknown as Record<string, (argument: unknown) => unknown>)[member];
      await Promise.resolve(verb?.('page-argument')).catch(() => undefined);
      expect(invokes.at(-1)?.channel, member).toBe(route.invoke);
    }
    await bridge.getWallet(...([{ type: 'click' }] as unknown as [])).catch(() => undefined);
    expect(invokes.at(-1)).toEqual({ channel: 'wallet:get', payload: undefined });
  });

  it('sends the registration state fire-and-forget', () => {
    bridge.showRegistrationState('registered');
    expect(invokes.at(-1)).toEqual({ channel: 'tray:show-registration-state', payload: 'registered' });
  });

  it('passes incoming calls with only the contract fields', async () => {
    await bridge.notifyIncomingCall({ callId: 'c1', from: 'Alice', extra: 'dropped' } as never);
    expect(invokes.at(-1)).toEqual({ channel: 'notification:incoming-call', payload: { callId: 'c1', from: 'Alice' } });
  });

  it('keeps a dial request that arrives before the renderer subscribes, and never leaks the IPC event', () => {
    sendFromMain('dial-request', { number: '+33123456789' });
    const received: unknown[][] = [];
    const unsubscribe = bridge.onDialRequest((...args) => received.push(args));
    expect(received).toEqual([['+33123456789']]);
    sendFromMain('dial-request', { number: '1002' });
    sendFromMain('dial-request', { number: '' });
    sendFromMain('dial-request', 'not-an-object');
    expect(received).toEqual([['+33123456789'], ['1002']]);
    unsubscribe();
    sendFromMain('dial-request', { number: '1003' });
    expect(received).toHaveLength(2);
  });

  it('delivers Answer and resume events to their listeners', () => {
    const answered: string[] = [];
    const resumed: unknown[][] = [];
    bridge.onAnswerFromNotification((callId) => answered.push(callId));
    bridge.onResume((...args) => resumed.push(args));
    sendFromMain('notification:answer', { callId: 'c1' });
    sendFromMain('power:resume', {});
    expect(answered).toEqual(['c1']);
    expect(resumed).toEqual([[]]);
  });
});
