import { describe, expect, it, vi } from 'vitest';
import type { HostBridge } from '../../../shared/host/host-bridge.js';
import { defaultSettings } from '../../../shared/settings.js';
import type { AudioController } from '../../../renderer/src/audio/audio-controller.js';
import { createPhone } from '../../../renderer/src/phone.js';
import type { SipAdapter } from '../../../renderer/src/sip/sip-adapter.js';

/** An object whose every method is a vi.fn (subscriptions return an unsubscribe), with overrides. */
function fake<T extends object>(overrides: Partial<T> = {}): T {
  const fns = new Map<PropertyKey, unknown>();
  return new Proxy(overrides as T, {
    get(target, key) {
      if (key in target) return (target as Record<PropertyKey, unknown>)[key];
      if (key === 'then') return undefined;
      if (!fns.has(key)) fns.set(key, vi.fn(() => (String(key).startsWith('on') || key === 'subscribe' ? () => undefined : Promise.resolve(null))));
      return fns.get(key);
    },
  });
}

/** A host whose settings and history load empty, with `onDialRequest` as given. */
function hostWith(onDialRequest: HostBridge['onDialRequest']): HostBridge {
  return fake<HostBridge>({ onDialRequest, getSettings: () => Promise.resolve(defaultSettings), loadHistory: () => Promise.resolve([]) });
}

describe('tel:/sip:/callto: links', () => {
  it('a link replayed while the phone is being created fills the dialer and places no call', () => {
    const call = vi.fn(() => 'call-1');
    const adapter = fake<SipAdapter>({ call, subscribe: () => () => undefined });
    // The Electron preload replays a queued link synchronously inside onDialRequest.
    const host = hostWith((listener) => {
      listener('+33123456789');
      return () => undefined;
    });
    const phone = createPhone({ host, adapter, audio: fake<AudioController>() });
    expect(phone.dialRequest.getState()).toEqual({ number: '+33123456789', seq: 1 });
    expect(call).not.toHaveBeenCalled();
  });

  it('every link is a new request, even to the same number', () => {
    let emit: (number: string) => void = () => undefined;
    const host = hostWith((listener) => {
      emit = listener;
      return () => undefined;
    });
    const phone = createPhone({ host, adapter: fake<SipAdapter>({ subscribe: () => () => undefined }), audio: fake<AudioController>() });
    const seen: number[] = [];
    phone.dialRequest.subscribe(() => seen.push(phone.dialRequest.getState()?.seq ?? 0));
    emit('112');
    emit('112');
    expect(seen).toEqual([1, 2]);
    expect(phone.dialRequest.getState()?.number).toBe('112');
  });
});
