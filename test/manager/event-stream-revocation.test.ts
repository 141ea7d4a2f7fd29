import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walletEventSchema, type WalletEvent } from '../../shared/api/wallet-schemas';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { startBackend, startManager, TestClock } from './support/manager-harness';

const alice = { email: 'alice@cabine.test', password: 'cabine-1001' };
let keyCounter = 0;

/** An open wallet event stream: the events read so far, and a promise that settles when the server ends it. */
interface OpenStream {
  readonly events: WalletEvent[];
  /** Resolves with every event once the server closes the stream. */
  readonly ended: Promise<WalletEvent[]>;
  /** Resolves once `count` events have arrived. */
  eventsArrived(count: number): Promise<void>;
}

async function openStream(target: RunningManager, token: string): Promise<OpenStream> {
  const response = await fetch(`${target.baseUrl}/api/v1/wallet/events`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no stream');
  const events: WalletEvent[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const decoder = new TextDecoder();
  const ended = (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return events;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const data = buffer.slice(0, end).split('\n').find((line) => line.startsWith('data: '));
        buffer = buffer.slice(end + 2);
        if (data) events.push(walletEventSchema.parse(JSON.parse(data.slice(6))));
        for (const waiter of waiters.filter((entry) => events.length >= entry.count)) waiter.resolve();
      }
    }
  })();
  return {
    events,
    ended,
    eventsArrived: (count) => (events.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
  };
}

/** `promise`, or a failure naming `what` after `ms`: a bound on how long the server may take, not a sleep. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

/**
 * The live wallet stream ends with its token: signed out here, signed out on another instance, or expired.
 * The attacks keep a stolen or old stream open and move money at the same moment: nothing of it arrives.
 */
describe.each<BackendName>(['sqlite', 'postgres'])('wallet event stream and its token on %s', (backendName) => {
  let backend: Backend;
  let m: RunningManager;
  let other: RunningManager;
  let clock: TestClock;
  let adminToken: string;

  beforeAll(async () => {
    backend = await startBackend(backendName);
    clock = new TestClock();
    const env = await backend.freshEnv();
    m = await startManager(env, { now: clock.now });
    other = await startManager(backend.sameDatabase(env), { now: clock.now });
    adminToken = await m.signIn(alice.email, alice.password);
  });

  afterAll(async () => {
    await other?.close();
    await m?.close();
    await backend?.stop();
  });

  const topUp = () =>
    m.request('POST', '/api/v1/wallet/topups', { token: adminToken, body: { amountMinor: 1000, currency: 'EUR' }, headers: { 'idempotency-key': `revocation-${Date.now()}-${keyCounter++}` } });

  it('ends the stream when its token signs out, and sends nothing of a top-up made at that moment', async () => {
    const token = await m.signIn(alice.email, alice.password);
    const stream = await openStream(m, token);
    await stream.eventsArrived(1);
    const before = stream.events[0]?.balanceMinor ?? -1;
    const [signedOut, toppedUp] = await Promise.all([m.request('POST', '/api/v1/auth/sign-out', { token }), topUp()]);
    expect(signedOut.status).toBe(204);
    expect(toppedUp.status).toBe(201);
    const events = await within(stream.ended, 5_000, 'the end of the stream after sign-out');
    expect(events.filter((event) => event.balanceMinor === before + 1000)).toEqual([]);
    // Later changes cannot reach it either: the stream is closed, and the token opens no new one.
    expect((await topUp()).status).toBe(201);
    expect(stream.events).toEqual(events);
    expect((await fetch(`${m.baseUrl}/api/v1/wallet/events`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('ends a stream on one instance when its token signs out on another, before the next event', async () => {
    const token = await m.signIn(alice.email, alice.password);
    const stream = await openStream(other, token);
    await stream.eventsArrived(1);
    const before = stream.events[0]?.balanceMinor ?? -1;
    expect((await m.request('POST', '/api/v1/auth/sign-out', { token })).status).toBe(204);
    expect((await topUp()).status).toBe(201);
    const events = await within(stream.ended, 5_000, 'the end of the other instance\'s stream');
    expect(events.map((event) => event.balanceMinor)).toEqual([before]);
  });

  it('ends the stream once its token has expired, without sending the change that found it expired', async () => {
    const token = await m.signIn(alice.email, alice.password);
    const stream = await openStream(m, token);
    await stream.eventsArrived(1);
    const before = stream.events[0]?.balanceMinor ?? -1;
    clock.advance(30 * 24 * 3600 * 1000 + 1);
    expect((await topUp()).status).toBe(401);
    adminToken = await m.signIn(alice.email, alice.password);
    expect((await topUp()).status).toBe(201);
    const events = await within(stream.ended, 5_000, 'the end of the expired stream');
    expect(events.map((event) => event.balanceMinor)).toEqual([before]);
  });
});
