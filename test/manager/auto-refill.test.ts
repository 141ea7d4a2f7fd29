/**
 * Automatic refill while calls are live (issue 10, section 1): the funds held for calls in progress count
 * toward "below the level", so the refill runs during the call and its extension takes the new money; a
 * call that outlasts its funds goes through several refills and is charged once. Turning refill on below
 * the level refills at once; a decline is retried on a durable schedule (1 h, 6 h, 24 h) within the day's
 * limit and after four declines refill turns itself off; every attempt shows in the activity; the admin is
 * told with a notice the app and the pages word in their language. And as an attacker: calls reserving
 * together, extends racing, replays of extend and complete, a restart in the middle of the schedule.
 * Real manager over HTTP, real SQLite and PostgreSQL; the card processor is the sandbox, held back by a
 * gate where a test needs a refill to stay in flight.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeCallResponseSchema, completeCallResponseSchema, extendCallResponseSchema } from '../../shared/api/call-schemas';
import { activityResponseSchema, notificationListResponseSchema, walletViewSchema } from '../../shared/api/wallet-schemas';
import type { ChargeRequest, ChargeResult, PaymentProvider } from '../../manager/src/payments/payment-provider';
import { SandboxCardProcessor } from '../../manager/src/payments/sandbox-card-processor';
import { callCostMinor, maxFundedSeconds, type Tariff } from '../../shared/rating/tariff';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { addCompany, startBackend, startManager, TestClock } from './support/manager-harness';

/** 1340 U.S. Virgin Islands in the sample deck: 0.3220 EUR/min, per second. */
const virginIslands: Tariff = { pricePerMinute: 3220, connectionFee: 0, increment: { first: 1, next: 1 } };
const number = '+13405550100';
const maxCallSeconds = 600;
const hour = 3_600_000;
const approvedCard = { number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' };
const decliningCard = { number: '4000000000000002', expMonth: 12, expYear: 2099, cvc: '123' };

/** The sandbox, with charges held until `open()` while `closed` (a refill kept in flight). */
class GatedProvider implements PaymentProvider {
  readonly name = 'gated-sandbox';
  private readonly sandbox = new SandboxCardProcessor();
  private waiting: Array<() => void> = [];
  closed = false;
  charges: string[] = [];
  tokenizeCard = this.sandbox.tokenizeCard.bind(this.sandbox);
  refund = this.sandbox.refund.bind(this.sandbox);
  async charge(request: ChargeRequest): Promise<ChargeResult> {
    this.charges.push(request.idempotencyKey);
    if (this.closed) await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.sandbox.charge(request);
  }
  open(): void {
    this.closed = false;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

let counter = 0;
let keys = 0;

describe.each<BackendName>(['sqlite', 'postgres'])('automatic refill during calls on %s', (backendName) => {
  let backend: Backend;
  let env: Record<string, string>;
  let m: RunningManager;
  const clock = new TestClock();
  const provider = new GatedProvider();
  let token = '';
  let domain = '';
  let companyId = '';

  beforeAll(async () => {
    backend = await startBackend(backendName);
    env = { ...(await backend.freshEnv()), CABINE_TOPUP_AMOUNTS: '5,50,100,1000,2500', CABINE_MAX_CALL_SECONDS: String(maxCallSeconds), CABINE_MAX_REFILLS_PER_DAY: '6' };
    m = await startManager(env, { now: clock.now, provider });
  });

  afterAll(async () => {
    await m.manager.context.wallet.settle();
    expect((await m.repository.store.checkIntegrity()).problems).toEqual([]);
    await m.close();
    await backend.stop();
  });

  const wallet = async () => walletViewSchema.parse((await m.request('GET', '/api/v1/wallet', { token })).body);
  const activity = async () => activityResponseSchema.parse((await m.request('GET', '/api/v1/activity', { token })).body);
  const notifications = async () => notificationListResponseSchema.parse((await m.request('GET', '/api/v1/notifications', { token })).body).notifications;
  // The clock moves on a little at each step, so rows of successive steps sort by time.
  const settle = async (): Promise<void> => {
    await m.manager.context.wallet.settle();
    clock.advance(1000);
  };
  const topUp = async (amountMinor: number): Promise<void> => {
    const response = await m.request('POST', '/api/v1/wallet/topups', { token, body: { amountMinor, currency: 'EUR' }, headers: { 'idempotency-key': `refill-${backendName}-${keys++}` } });
    expect(response.status).toBe(201);
  };
  const card = async (details: typeof approvedCard) => expect((await m.request('PUT', '/api/v1/wallet/card', { token, body: details })).status).toBe(200);
  const setRefill = async (enabled: boolean, thresholdMinor: number, amountMinor: number) => {
    const response = await m.request('PUT', '/api/v1/wallet/auto-refill', { token, body: { enabled, thresholdMinor, amountMinor } });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  };
  const authorize = async (callId: string) => authorizeCallResponseSchema.parse((await m.proxy('/api/v1/calls/authorize', { callId, callerExtension: '1001', sipDomain: domain, dialed: number })).body);
  const extend = async (callId: string) => {
    const response = await m.proxy('/api/v1/calls/extend', { callId });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return extendCallResponseSchema.parse(response.body);
  };
  const complete = async (callId: string, answeredSeconds: number) => completeCallResponseSchema.parse((await m.proxy('/api/v1/calls/complete', { callId, answeredSeconds })).body);
  const refills = () => m.repository.store.listRefillAttempts(companyId, 100);
  const ledgerKinds = async () => (await m.repository.store.listLedger(companyId, null, 100)).reverse().map((row) => `${row.kind}:${row.walletDeltaMinor}`);

  /** A company of its own for each test: empty wallet, the approved sandbox card, refill off. */
  const freshCompany = async (): Promise<void> => {
    counter += 1;
    companyId = `cmp_rf_${counter}`;
    domain = `rf-${counter}.test`;
    const email = `rf-boss-${counter}@other.test`;
    await addCompany(m.repository, companyId, domain, email, 'other-password');
    token = await m.signIn(email, 'other-password');
    await card(approvedCard);
  };

  it('refills while a call is live, extends it with the new money, again and again, and charges it once', async () => {
    await freshCompany();
    await topUp(5);
    await setRefill(true, 40, 50);
    // Nothing is held yet: 5 cents are below the level, so turning refill on refilled at once.
    await settle();
    expect((await wallet()).balanceMinor).toBe(55);
    expect((await refills()).map((row) => [row.cause, row.status])).toEqual([['settings', 'succeeded']]);

    // The call holds every cent available (102 s): the funds available drop to 0, below the level, and the
    // refill starts while the call rings.
    const auth = await authorize('live-1');
    expect(auth.maxDurationSeconds).toBe(maxFundedSeconds(virginIslands, 55, 'EUR', maxCallSeconds));
    await settle();
    expect(await wallet()).toMatchObject({ balanceMinor: 105, reservedMinor: callCostMinor(virginIslands, auth.maxDurationSeconds, 'EUR') });
    // Near its cap the proxy asks to extend: the call now holds the new money, which starts the next refill.
    const first = await extend('live-1');
    expect(first).toEqual({ callId: 'live-1', maxDurationSeconds: maxFundedSeconds(virginIslands, 105, 'EUR', maxCallSeconds), extended: true });
    await settle();
    // The card is slow this time: the refill this extension starts is still in flight when the proxy asks
    // again, which then changes nothing.
    provider.closed = true;
    const second = await extend('live-1');
    expect(second.extended).toBe(true);
    expect(second.maxDurationSeconds).toBeGreaterThan(first.maxDurationSeconds);
    expect(await extend('live-1')).toEqual({ ...second, extended: false });
    provider.open();
    await settle();

    // The call ends after 280 s (its first funds bought 102 s): charged once, at the rate, for the seconds answered.
    const answered = 280;
    expect(answered).toBeLessThanOrEqual(second.maxDurationSeconds);
    expect(answered).toBeGreaterThan(auth.maxDurationSeconds * 2);
    const price = callCostMinor(virginIslands, answered, 'EUR');
    const done = await complete('live-1', answered);
    expect(done).toMatchObject({ status: 'completed', billedSeconds: answered, chargedMinor: price });
    // Replays charge nothing twice.
    expect(await complete('live-1', answered)).toEqual(done);
    expect(await complete('live-1', answered + 100)).toEqual(done);
    expect((await m.proxy('/api/v1/calls/extend', { callId: 'live-1' })).status).toBe(409);
    await settle();
    const kinds = await ledgerKinds();
    expect(kinds.filter((kind) => kind.startsWith('call_charge'))).toEqual([`call_charge:${-price}`]);
    const refillRows = (await refills()).reverse();
    expect(refillRows.map((row) => row.cause)).toEqual(['settings', 'reservation', 'extension', 'extension']);
    expect(refillRows.every((row) => row.status === 'succeeded')).toBe(true);
    expect(kinds.filter((kind) => kind.startsWith('auto_refill'))).toHaveLength(4);
    // Every attempt is in the activity.
    expect((await activity()).refillAttempts.map((attempt) => attempt.cause).reverse()).toEqual(['settings', 'reservation', 'extension', 'extension']);
  });

  it('starts no refill for a call that the service maximum or the daily cap ends, not its funds', async () => {
    await freshCompany();
    for (let index = 0; index < 3; index += 1) await topUp(1000);
    await setRefill(true, 100, 50);
    // 3000 fund far more than the service maximum (600 s cost 322): the call runs to it, and the funds
    // available stay above the level.
    const call = await authorize('at-max');
    expect(call.maxDurationSeconds).toBe(maxCallSeconds);
    expect(await extend('at-max')).toEqual({ callId: 'at-max', maxDurationSeconds: maxCallSeconds, extended: false });
    // The daily cap binds instead: extending asks, the wallet could pay more, the cap says no; no refill.
    expect((await m.request('PUT', '/api/v1/company/daily-cap', { token, body: { dailyCapMinor: 400 } })).status).toBe(200);
    const capped = await authorize('capped');
    expect(capped.maxDurationSeconds).toBeLessThan(maxCallSeconds);
    expect((await extend('capped')).extended).toBe(false);
    await settle();
    expect(await refills()).toEqual([]);
    await complete('at-max', 60);
    await complete('capped', 10);
  });

  it('starts one refill for calls that take the funds below the level together, and none while one is in flight', async () => {
    await freshCompany();
    for (let index = 0; index < 4; index += 1) await topUp(1000);
    // Ten calls of 600 s hold 3220: the tenth takes the funds available below 1000.
    await setRefill(true, 1000, 100);
    provider.closed = true;
    try {
      // Ten calls at once, each holding what it can: together they take the funds below the level.
      const answers = await Promise.all(Array.from({ length: 10 }, (_unused, index) => authorize(`burst-${index}`)));
      expect(answers.every((answer) => answer.allowed)).toBe(true);
      // Extends racing each other, and the settings saved again, while the refill is held at the card.
      await Promise.all([...answers.map((answer) => extend(answer.callId)), setRefill(true, 500, 100)]);
      const inFlight = await refills();
      expect(inFlight.map((row) => row.status)).toEqual(['pending']);
    } finally {
      provider.open();
    }
    await settle();
    const rows = await refills();
    // The first refill succeeded; calls still hold everything, so (within the day's limit of 6) the next
    // ones followed one at a time, each started by the one before.
    expect(rows.every((row) => row.status === 'succeeded' || row.status === 'skipped_limit')).toBe(true);
    const succeeded = rows.filter((row) => row.status === 'succeeded');
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    expect(succeeded.length).toBeLessThanOrEqual(6);
    expect(new Set(provider.charges).size).toBe(provider.charges.length);
    for (const answer of await Promise.all(Array.from({ length: 10 }, (_unused, index) => complete(`burst-${index}`, 30)))) {
      expect(answer.chargedMinor).toBe(callCostMinor(virginIslands, 30, 'EUR'));
    }
  });

  it('retries a decline after 1 h, 6 h and 24 h, survives a restart, tells the admin, then turns itself off', async () => {
    await freshCompany();
    await topUp(50);
    await card(decliningCard);
    await setRefill(true, 100, 50);
    await settle();
    const declined = async (count: number) => {
      const view = await wallet();
      expect(view.autoRefill.consecutiveDeclines).toBe(count);
      return view;
    };
    await declined(1);
    const retryAt = (await m.repository.store.getCompany(companyId))?.autoRefillRetryAt ?? 0;
    const firstDecline = (await refills())[0]?.updatedAt ?? 0;
    expect(retryAt - firstDecline).toBe(hour);
    // Calls and extends before the retry time start nothing.
    await authorize('decline-1');
    await extend('decline-1');
    await settle();
    expect(await refills()).toHaveLength(1);

    // The manager restarts before the retry is due: the schedule is in the database.
    await m.close();
    m = await startManager(env, { now: clock.now, provider });
    token = await m.signIn(`rf-boss-${counter}@other.test`, 'other-password');
    expect((await m.manager.context.wallet.recoverPending(0)).refillRetries).toBe(0);
    /** Nothing a millisecond before the scheduled retry, one attempt at it; answers the delay it waited. */
    const retryWhenDue = async (run: () => Promise<number>): Promise<number> => {
      const at = (await m.repository.store.getCompany(companyId))?.autoRefillRetryAt ?? 0;
      const declinedAt = (await refills())[0]?.updatedAt ?? 0;
      clock.current = at - 1;
      expect(await m.manager.context.wallet.runDueRefills()).toBe(0);
      clock.current = at;
      expect(await run()).toBe(1);
      clock.advance(1000);
      return at - declinedAt;
    };
    expect(await retryWhenDue(() => m.manager.context.wallet.runDueRefills())).toBe(hour);
    await declined(2);
    expect(await retryWhenDue(() => m.manager.context.wallet.runDueRefills())).toBe(6 * hour);
    await declined(3);
    // The timer's sweep (recoverPending) runs the due retries too.
    expect(await retryWhenDue(async () => (await m.manager.context.wallet.recoverPending(0)).refillRetries)).toBe(24 * hour);
    const off = await declined(4);
    expect(off.autoRefill).toMatchObject({ enabled: false, consecutiveDeclines: 4 });
    expect(off.autoRefill.disabledReason).toContain('4');
    expect((await m.repository.store.getCompany(companyId))?.autoRefillRetryAt ?? null).toBeNull();
    clock.advance(48 * hour);
    expect(await m.manager.context.wallet.runDueRefills()).toBe(0);

    const attempts = (await activity()).refillAttempts.reverse();
    expect(attempts.map((attempt) => [attempt.cause, attempt.attempt, attempt.status, attempt.declineCode])).toEqual([
      ['settings', 1, 'declined', 'card_declined'], ['retry', 2, 'declined', 'card_declined'], ['retry', 3, 'declined', 'card_declined'], ['retry', 4, 'declined', 'card_declined'],
    ]);
    const notices = await notifications();
    const declines = notices.filter((notice) => notice.kind === 'auto_refill_declined').map((notice) => notice.params).reverse();
    expect(declines).toEqual([
      { code: 'card_declined', declines: 1, retryAt },
      { code: 'card_declined', declines: 2, retryAt: expect.any(Number) },
      { code: 'card_declined', declines: 3, retryAt: expect.any(Number) },
      { code: 'card_declined', declines: 4, retryAt: null },
    ]);
    expect(notices.filter((notice) => notice.kind === 'auto_refill_disabled').map((notice) => notice.params)).toEqual([{ declines: 4 }]);

    // The admin fixes the card and turns refill back on: below the level, it refills at once.
    await card(approvedCard);
    await setRefill(true, 100, 50);
    await settle();
    expect((await wallet()).autoRefill).toMatchObject({ enabled: true, consecutiveDeclines: 0, disabledReason: null });
    expect((await refills())[0]).toMatchObject({ cause: 'settings', status: 'succeeded', attempt: 1 });
    await complete('decline-1', 10);
  });

  it('retries at once when the admin replaces the declining card, and the database refuses a second refill in flight', async () => {
    await freshCompany();
    await topUp(50);
    await card(decliningCard);
    await setRefill(true, 100, 50);
    await settle();
    expect((await wallet()).autoRefill).toMatchObject({ consecutiveDeclines: 1, nextAttemptAt: expect.any(String) });
    // A new card: the retry waiting for its hour runs now, and succeeds.
    await card(approvedCard);
    await settle();
    expect(await wallet()).toMatchObject({ balanceMinor: 100, autoRefill: { consecutiveDeclines: 0, nextAttemptAt: null } });
    expect((await refills()).map((row) => [row.cause, row.status, row.attempt])).toEqual([['settings', 'succeeded', 2], ['settings', 'declined', 1]]);
    // Another card change with nothing waiting starts nothing.
    await card(approvedCard);
    await settle();
    expect(await refills()).toHaveLength(2);

    // As an attacker on the database: two refills in flight for one company cannot both be stored.
    const pending = (id: string) => ({
      id, companyId, triggerTxnSeq: null, cause: 'retry' as const, causeReference: null, attempt: 1, amountMinor: 50, currency: 'EUR' as const,
      status: 'pending' as const, declineCode: null, providerReference: null, txnSeq: null, createdAt: clock.now(), updatedAt: clock.now(),
    });
    await m.repository.transaction((tx) => tx.insertRefill(pending(`rfl_forged_a_${backendName}`)));
    await expect(m.repository.transaction((tx) => tx.insertRefill(pending(`rfl_forged_b_${backendName}`)))).rejects.toThrow();
    // Put right for the integrity check: the forged row moves no money, so it is marked declined.
    await m.repository.transaction((tx) => tx.updateRefill(`rfl_forged_a_${backendName}`, { status: 'declined', declineCode: 'card_declined', updatedAt: clock.now() }));
  });

  it('stops at the day’s limit once, tells the admin, and goes on when the window frees', async () => {
    await freshCompany();
    await topUp(5);
    // Each refill of 5 cents leaves the funds below the level: refills chain until the limit (6 a day).
    await setRefill(true, 1000, 5);
    await settle();
    const rows = await refills();
    expect(rows.map((row) => row.status).sort()).toEqual(['skipped_limit', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(rows.map((row) => row.cause).sort()).toEqual(['refill', 'refill', 'refill', 'refill', 'refill', 'refill', 'settings']);
    expect((await wallet()).balanceMinor).toBe(35);
    // Calls below the level in the meantime record nothing more.
    await authorize('limit-1');
    await extend('limit-1');
    await settle();
    expect(await refills()).toHaveLength(7);
    const notices = await notifications();
    expect(notices.map((notice) => notice.kind)).toEqual(['auto_refill_limit_reached']);
    expect(notices[0]?.params).toMatchObject({ count: 6, limit: 6 });
    clock.advance(24 * hour);
    expect(await m.manager.context.wallet.runDueRefills()).toBe(1);
    await settle();
    expect((await refills()).filter((row) => row.status === 'succeeded').length).toBeGreaterThan(6);
    await complete('limit-1', 5);
  });
});
