/**
 * The wallet event stream carries each reader's paid calls in progress and their funded time (issue 10,
 * section 4): pushed when a call is authorized, extended and ended, equal to the reservation's maximum
 * (where the proxy cuts the call), and only to the caller's own streams: another employee of the company
 * never sees someone else's calls. Real manager over HTTP, SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeCallResponseSchema, extendCallResponseSchema } from '../../shared/api/call-schemas';
import { walletEventSchema, type WalletEvent } from '../../shared/api/wallet-schemas';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { startBackend, startManager } from './support/manager-harness';

const number = '+13405550100';

/** One SSE stream, read event by event. */
async function openStream(m: RunningManager, token: string): Promise<{ next: (until: (event: WalletEvent) => boolean) => Promise<WalletEvent>; close: () => void }> {
  const controller = new AbortController();
  const response = await fetch(`${m.baseUrl}/api/v1/wallet/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no stream');
  const decoder = new TextDecoder();
  let buffer = '';
  const nextEvent = async (): Promise<WalletEvent> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const chunk = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = chunk.split('\n').find((line) => line.startsWith('data: '));
        if (data) return walletEventSchema.parse(JSON.parse(data.slice(6)));
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
  return {
    // Bounded: a handful of events per change at most.
    next: async (until) => {
      for (let count = 0; count < 50; count += 1) {
        const event = await nextEvent();
        if (until(event)) return event;
      }
      throw new Error('no such event in 50');
    },
    close: () => controller.abort(),
  };
}

describe.each<BackendName>(['sqlite', 'postgres'])('funded time of calls on the event stream on %s', (backendName) => {
  let backend: Backend;
  let m: RunningManager;

  beforeAll(async () => {
    backend = await startBackend(backendName);
    m = await startManager({ ...(await backend.freshEnv()), CABINE_TOPUP_AMOUNTS: '5,50,2500', CABINE_MAX_CALL_SECONDS: '600' });
  });

  afterAll(async () => {
    await m.close();
    await backend.stop();
  });

  it('pushes the reservation\'s maximum to the caller alone, at authorize, extend and end', async () => {
    const admin = await m.signIn('alice@cabine.test', 'cabine-1001');
    const employee = await m.signIn('bruno@cabine.test', 'cabine-1002');
    const mine = await openStream(m, employee);
    const theirs = await openStream(m, admin);
    try {
      await mine.next(() => true);
      await theirs.next(() => true);
      // The daily cap binds (0.50 EUR: 93 s at 0.322 EUR/min), not the 25 EUR in the wallet.
      expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: admin, body: { dailyCapMinor: 50 } })).status).toBe(200);
      const callId = `sip-call-${backendName}@host~1`;
      const sipCallId = `sip-call-${backendName}@host`;
      const auth = authorizeCallResponseSchema.parse((await m.proxy('/api/v1/calls/authorize', { callId, callerExtension: '1002', dialed: number })).body);
      expect(auth.allowed).toBe(true);
      const pushed = await mine.next((event) => (event.calls ?? []).length > 0);
      expect(pushed.calls).toEqual([{ sipCallId, maxDurationSeconds: auth.maxDurationSeconds }]);
      // Another user of the company sees the balance, never the call.
      const other = await theirs.next(() => true);
      expect(other.calls).toEqual([]);

      expect(auth.maxDurationSeconds).toBe(93);
      // The admin raises the cap during the call and the proxy asks near the cap: the new maximum is pushed.
      expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: admin, body: { dailyCapMinor: 100 } })).status).toBe(200);
      const extended = extendCallResponseSchema.parse((await m.proxy('/api/v1/calls/extend', { callId })).body);
      expect(extended).toMatchObject({ extended: true, maxDurationSeconds: 186 });
      const withMine = await mine.next((event) => event.calls?.[0]?.maxDurationSeconds === 186);
      expect(withMine.calls).toEqual([{ sipCallId, maxDurationSeconds: 186 }]);
      expect((await theirs.next(() => true)).calls).toEqual([]);

      // The call ends: it leaves the event.
      await m.proxy('/api/v1/calls/complete', { callId, answeredSeconds: 5 });
      const ended = await mine.next((event) => (event.calls ?? []).length === 0);
      expect(ended.calls).toEqual([]);
    } finally {
      mine.close();
      theirs.close();
    }
  });
});
