import { describe, expect, expectTypeOf, it } from 'vitest';
import type { HostBridge } from '../../../shared/host/host-bridge.js';
import {
  eventChannels,
  eventContract,
  hostBridgeChannels,
  invokeChannels,
  invokeContract,
  parseIpcResult,
} from '../../../shared/ipc/ipc-contract.js';

describe('IPC contract', () => {
  it('maps every HostBridge member, and uses every channel exactly once', () => {
    expectTypeOf<keyof typeof hostBridgeChannels>().toEqualTypeOf<keyof HostBridge>();
    const routes = Object.values(hostBridgeChannels).filter((route) => route !== null);
    const invokes = routes.flatMap((route) => ('invoke' in route ? [route.invoke] : []));
    const events = routes.flatMap((route) => ('event' in route ? [route.event] : []));
    expect([...invokes].sort()).toEqual([...invokeChannels].sort());
    expect([...events].sort()).toEqual([...eventChannels].sort());
  });

  it('has a request and a response schema per invoke channel and a payload schema per event', () => {
    for (const channel of invokeChannels) {
      expect(typeof invokeContract[channel].request.safeParse).toBe('function');
      expect(typeof invokeContract[channel].response.safeParse).toBe('function');
    }
    for (const channel of eventChannels) expect(typeof eventContract[channel].safeParse).toBe('function');
  });

  it('rejects unknown settings keys and foreign registration states', () => {
    expect(invokeContract['settings:update'].request.safeParse({ theme: 'dark' }).success).toBe(false);
    expect(invokeContract['tray:show-registration-state'].request.safeParse('hacked').success).toBe(false);
    expect(invokeContract['notification:incoming-call'].request.safeParse({ callId: 'c1', from: 'a\nb' }).success).toBe(false);
  });

  it('parses result envelopes, void values included, and refuses malformed ones', () => {
    expect(parseIpcResult('sip-credentials:forget', { ok: true })).toEqual({ ok: true, value: undefined });
    expect(parseIpcResult('settings:get', { ok: false, error: { code: 'failed', message: 'x' } }).ok).toBe(false);
    expect(() => parseIpcResult('settings:get', { ok: true, value: { language: 'klingon' } })).toThrow();
    expect(() => parseIpcResult('settings:get', 'nope')).toThrow();
  });
});
