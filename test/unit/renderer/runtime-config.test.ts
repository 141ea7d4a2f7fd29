import { describe, expect, it } from 'vitest';
import { loadRuntimeConfig } from '../../../renderer/src/runtime-config.js';
import { sipAccountSchema } from '../../../shared/settings.js';

const account = { username: '1001', domain: 'cabine.test' };

describe('the SIP server address the renderer accepts (shared/sip/server-url.ts)', () => {
  it('runtime config: wss:// anywhere and ws:// on loopback pre-fill the form; a remote ws:// is refused', async () => {
    expect(await loadRuntimeConfig(() => Promise.resolve({ sipServer: 'wss://sip.example.fr/ws' }))).toEqual({ sipServer: 'wss://sip.example.fr/ws' });
    expect(await loadRuntimeConfig(() => Promise.resolve({ sipServer: 'ws://127.0.0.1:15080' }))).toEqual({ sipServer: 'ws://127.0.0.1:15080' });
    expect(await loadRuntimeConfig(() => Promise.resolve({ sipServer: 'ws://sip.example.fr' }))).toEqual({});
  });

  it('a typed or remembered account: the same rule', () => {
    expect(sipAccountSchema.safeParse({ ...account, server: 'wss://sip.example.fr' }).success).toBe(true);
    expect(sipAccountSchema.safeParse({ ...account, server: 'ws://[::1]:15080' }).success).toBe(true);
    expect(sipAccountSchema.safeParse({ ...account, server: 'ws://sip.example.fr' }).success).toBe(false);
    expect(sipAccountSchema.safeParse({ ...account, server: 'ws://127.0.0.1@sip.example.fr' }).success).toBe(false);
  });
});
