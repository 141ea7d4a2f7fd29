import { describe, expect, it, vi } from 'vitest';
import type { CallRecord } from '../../../shared/call-record.js';
import { invokeChannels } from '../../../shared/ipc/ipc-contract.js';
import { defaultSettings } from '../../../shared/settings.js';
import { createChannelHandler, isAppMainFrame, registerIpcHandlers, type IpcImplementation } from '../../../electron/ipc-handlers.js';
import type { ManagerChannels } from '../../../electron/manager-link.js';
import { managerFailure } from '../../../shared/manager-link/manager-result.js';
import { asElectron } from './fakes.js';

const appFrame = { url: 'cabine://app/index.html', parent: null };
const fromApp = { senderFrame: asElectron<Electron.WebFrameMain>(appFrame) };
const record: CallRecord = {
  id: 'call-1',
  direction: 'outgoing',
  number: '+33123456789',
  startedAt: '2026-01-02T03:04:05.000Z',
  durationSeconds: 12,
  outcome: 'answered',
};

function implementation(): IpcImplementation {
  return {
    'settings:get': () => defaultSettings,
    'settings:update': (patch) => ({ ...defaultSettings, ...patch }),
    'sip-credentials:load': () => null,
    'sip-credentials:save': () => 'encrypted',
    'sip-credentials:forget': () => undefined,
    'history:load': () => [record],
    'history:append': vi.fn(),
    'contacts:load': () => [],
    'contacts:save': vi.fn(),
    'notification:incoming-call': vi.fn(),
    'tray:show-registration-state': vi.fn(),
    ...signedOutManager,
  };
}

const signedOut = () => managerFailure('signed-out', 'Not signed in to the manager');
/** The manager channels with nobody signed in (manager-link.test.ts covers them). */
const signedOutManager: Pick<IpcImplementation, ManagerChannels> = {
  'manager:sign-in': signedOut,
  'manager:sign-out': () => undefined,
  'manager:session': () => null,
  'manager:sip-config': signedOut,
  'manager:directory': signedOut,
  'wallet:get': signedOut,
  'wallet:quote': signedOut,
  'wallet:rate-countries': signedOut,
  'wallet:rates': signedOut,
  'wallet:activity': signedOut,
  'wallet:budget': signedOut,
  'wallet:call-receipt': signedOut,
  'wallet:top-up-options': signedOut,
  'wallet:set-auto-refill': signedOut,
  'wallet:open-add-funds': signedOut,
  'manager:open-page': signedOut,
};

describe('sender checks', () => {
  it.each([
    ['the app main frame', appFrame, true],
    ['a destroyed frame', null, false],
    ['a sub-frame of the app', { url: 'cabine://app/frame.html', parent: appFrame }, false],
    ['another origin', { url: 'https://evil.example/', parent: null }, false],
    ['file://', { url: 'file:///tmp/index.html', parent: null }, false],
    ['a look-alike host', { url: 'cabine://app.evil.example/', parent: null }, false],
  ])('%s → %s', (_name, frame, expected) => {
    expect(isAppMainFrame(asElectron(frame))).toBe(expected);
  });

  it('refuses a valid request from a wrong frame without calling the implementation', async () => {
    const impl = implementation();
    const handle = createChannelHandler('history:append', impl['history:append'], () => undefined);
    const result = await handle({ senderFrame: asElectron({ url: 'https://evil.example/', parent: null }) }, record);
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
    expect(impl['history:append']).not.toHaveBeenCalled();
    const destroyed = await handle({ senderFrame: null }, record);
    expect(destroyed).toMatchObject({ ok: false, error: { code: 'forbidden-sender' } });
  });
});

describe('payload validation', () => {
  const impl = implementation();
  const log = () => undefined;

  it.each([
    ['settings:update', { defaultCountry: 'ZZ' }],
    ['settings:update', { language: 'fr', extra: true }],
    ['settings:get', { sneaky: 1 }],
    ['sip-credentials:save', { account: { server: 'http://x', username: 'a', domain: 'b' }, password: 'p' }],
    ['sip-credentials:save', { account: { server: 'wss://sip.cabine.test', username: '1001', domain: 'cabine.test' }, password: '' }],
    ['history:append', { ...record, durationSeconds: -1 }],
    ['history:append', { ...record, startedAt: 'yesterday' }],
    ['notification:incoming-call', { callId: '', from: 'x' }],
    ['notification:incoming-call', { callId: 'c', from: 'x'.repeat(500) }],
    ['tray:show-registration-state', 'on-fire'],
    ['history:append', '__proto__'],
    ['wallet:call-receipt', '12'],
    ['wallet:call-receipt', -1],
    ['wallet:call-receipt', 1.5],
    ['wallet:call-receipt', 2 ** 53],
    ['wallet:budget', { userId: 'usr_demo_1001' }],
  ] as const)('%s rejects %j', async (channel, payload) => {
    const handle = createChannelHandler(channel, impl[channel] as never, log);
    const result = await handle(fromApp, payload);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid-request');
      expect(result.error.message).toContain(channel);
    }
  });

  it('accepts valid requests and returns the parsed response', async () => {
    expect(await createChannelHandler('settings:get', impl['settings:get'], log)(fromApp, undefined)).toEqual({ ok: true, value: defaultSettings });
    expect(await createChannelHandler('settings:update', impl['settings:update'], log)(fromApp, { language: 'fr' })).toEqual({
      ok: true,
      value: { ...defaultSettings, language: 'fr' },
    });
    expect(await createChannelHandler('history:append', impl['history:append'], log)(fromApp, record)).toEqual({ ok: true, value: undefined });
    expect(impl['history:append']).toHaveBeenCalledWith(record);
    expect(await createChannelHandler('tray:show-registration-state', impl['tray:show-registration-state'], log)(fromApp, 'registered')).toEqual({
      ok: true,
      value: undefined,
    });
  });

  it('turns a failing implementation into a clear error, not a throw', async () => {
    const handle = createChannelHandler('settings:get', () => {
      throw new Error('disk full');
    }, log);
    expect(await handle(fromApp, undefined)).toEqual({ ok: false, error: { code: 'failed', message: 'settings:get: disk full' } });
  });

  it('refuses to send a response that breaks the contract', async () => {
    const handle = createChannelHandler('settings:get', () => ({ ...defaultSettings, language: 'xx' }) as never, log);
    expect(await handle(fromApp, undefined)).toMatchObject({ ok: false, error: { code: 'invalid-response' } });
  });
});

describe('registration', () => {
  it('registers exactly the contract channels and can remove them', () => {
    const handled: string[] = [];
    const removed: string[] = [];
    const unregister = registerIpcHandlers(
      asElectron({ handle: (channel: string) => handled.push(channel), removeHandler: (channel: string) => removed.push(channel) }),
      implementation(),
      () => undefined,
    );
    expect(handled).toEqual([...invokeChannels]);
    unregister();
    expect(removed).toEqual([...invokeChannels]);
  });
});
