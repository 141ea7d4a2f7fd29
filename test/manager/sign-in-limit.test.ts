import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { startBackend, startManager, TestClock } from './support/manager-harness';

/** Log lines a test manager wrote, parsed. */
class LogCapture {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  readonly write = (line: string): void => {
    this.raw.push(line);
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
  };
}

const chloe = { email: 'chloe@cabine.test', password: 'cabine-1003' };

/**
 * The sign-in limit attacked the way a guesser would: many wrong passwords at once, so that every one of
 * them could pass a "fewer than five failures so far?" check before any is counted. The limit reserves
 * the attempt in the database first, so at most five passwords are ever checked (a 401; the rest get 429).
 */
describe.each<BackendName>(['sqlite', 'postgres'])('atomic sign-in limit on %s', (backendName) => {
  let backend: Backend;
  let env: Record<string, string>;
  let m: RunningManager;
  let second: RunningManager;
  let clock: TestClock;
  const log = new LogCapture();

  beforeAll(async () => {
    backend = await startBackend(backendName);
    clock = new TestClock();
    env = { ...(await backend.freshEnv()), CABINE_LOG_LEVEL: 'info' };
    m = await startManager(env, { now: clock.now, logStream: log });
    // A second instance on the same database: the limit is shared, not per process.
    second = await startManager(backend.sameDatabase(env), { now: clock.now, logStream: log });
  });

  afterAll(async () => {
    await second?.close();
    await m?.close();
    await backend?.stop();
  });

  const signIn = (target: RunningManager, body: { email: string; password: string }, headers: Record<string, string> = {}) =>
    target.request('POST', '/api/v1/auth/sign-in', { body, headers });

  it('checks at most 5 of 12 concurrent wrong passwords for one email, then refuses the right one until the window passes', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 12 }, (_, index) => signIn(index % 2 === 0 ? m : second, { email: chloe.email, password: `guess-${index}` })),
    ).then((responses) => responses.map((response) => response.status));
    const checked = statuses.filter((status) => status === 401).length;
    const refused = statuses.filter((status) => status === 429).length;
    expect({ checked, refused, other: statuses.length - checked - refused }).toEqual({ checked: 5, refused: 7, other: 0 });
    const row = await m.repository.store.getSignInAttempts(`email:${chloe.email}`);
    expect(row?.failures).toBe(12);

    // The right password is refused too, from either instance, with the rest of the window as Retry-After.
    for (const target of [m, second]) {
      const right = await signIn(target, chloe);
      expect(right.status).toBe(429);
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    }
    clock.advance(15 * 60 * 1000);
    expect((await signIn(m, chloe)).status).toBe(200);
    // A success wipes the email's count: the next wrong guess is a plain 401 again.
    expect((await signIn(m, { email: chloe.email, password: 'wrong-again' })).status).toBe(401);
  });

  it('checks at most 50 of 60 concurrent wrong sign-ins from one address, across emails', async () => {
    // The test client always comes from 127.0.0.1; this window starts now and ends with the next test.
    clock.advance(16 * 60 * 1000);
    const statuses = await Promise.all(
      Array.from({ length: 60 }, (_, index) => signIn(index % 2 === 0 ? m : second, { email: `nobody-${index}@cabine.test`, password: 'x' })),
    ).then((responses) => responses.map((response) => response.status));
    expect(statuses.filter((status) => status === 401)).toHaveLength(50);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
    // A refusal for the address does not count against the email it named.
    const refusedEmail = `nobody-${statuses.indexOf(429)}@cabine.test`;
    expect((await m.repository.store.getSignInAttempts(`email:${refusedEmail}`))?.failures ?? 0).toBe(0);
    clock.advance(16 * 60 * 1000);
  });

  it('gives a right password its address reservation back, so colleagues behind one address do not lock each other out', async () => {
    for (let i = 0; i < 60; i += 1) expect((await signIn(m, chloe)).status).toBe(200);
    expect((await m.repository.store.getSignInAttempts('addr:127.0.0.1'))?.failures).toBe(0);
  });

  it('logs every refused sign-in with email, client address and reason, never the password', async () => {
    const secret = 'Tr0ub4dor-never-logged';
    expect((await signIn(m, { email: chloe.email, password: secret })).status).toBe(401);
    expect((await signIn(m, { email: 'ghost@cabine.test', password: secret })).status).toBe(401);
    const refusals = log.lines.filter((line) => line.event === 'sign_in_failed');
    expect(refusals.at(-2)).toMatchObject({ email: chloe.email, ip: '127.0.0.1', reason: 'wrong_password', msg: 'sign-in refused' });
    expect(refusals.at(-1)).toMatchObject({ email: 'ghost@cabine.test', ip: '127.0.0.1', reason: 'unknown_email' });
    expect(refusals.filter((line) => line.reason === 'too_many_failures_for_email').length).toBeGreaterThanOrEqual(7);
    expect(refusals.some((line) => line.reason === 'too_many_failures_for_address')).toBe(true);
    expect(log.raw.join('\n')).not.toContain(secret);
    expect(log.raw.join('\n')).not.toContain('guess-');
  });
});
