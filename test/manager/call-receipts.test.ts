/**
 * Per-call receipts (GET /api/v1/receipts/calls/:seq): for every charged call, the destination, number,
 * rate, connection fee, increments, durations and price, read from the ledger charge and the reservation it
 * settled. The arithmetic must be the ledger's: the price equals the charge and `callCostMinor` of the
 * receipt's own tariff (shared/rating/tariff.ts) for each tariff shape of the SAMPLE deck (per second, 30/6,
 * 60/60 with a connection fee), including calls that ran into their funded cap. Only the caller and the
 * company's admins see a receipt; another employee, another company, a top-up's seq are 404. Real HTTP,
 * SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeCallResponseSchema, completeCallResponseSchema } from '../../shared/api/call-schemas';
import { callReceiptSchema, type CallReceipt } from '../../shared/api/receipt-schemas';
import { quoteResponseSchema } from '../../shared/api/rate-schemas';
import { activityResponseSchema } from '../../shared/api/wallet-schemas';
import type { Tariff } from '../../shared/rating/tariff';
import { billedSeconds, callCostMinor } from '../../shared/rating/tariff';
import type { Backend, BackendName, RunningManager } from './support/manager-harness';
import { addCompany, startBackend, startManager } from './support/manager-harness';

/** One number per tariff shape of the SAMPLE deck. */
const numbers = {
  perSecond: '+1 340 555 0100',
  thirtySix: '+44 7400 900123',
  minuteWithFee: '08 99 12 34 56',
} as const;

function tariffOf(receipt: CallReceipt): Tariff {
  const [first, next] = receipt.increment.split('/').map(Number);
  return { pricePerMinute: receipt.pricePerMinute.units, connectionFee: receipt.connectionFee.units, increment: { first: first ?? 0, next: next ?? 0 } };
}

describe.each<BackendName>(['sqlite', 'postgres'])('call receipts on %s', (backendName) => {
  let backend: Backend;
  let m: RunningManager;
  let adminToken: string;
  let brunoToken: string;
  let chloeToken: string;
  let counter = 0;
  const receipts: Array<{ seq: number; receipt: CallReceipt }> = [];

  beforeAll(async () => {
    backend = await startBackend(backendName);
    m = await startManager(await backend.freshEnv());
    adminToken = await m.signIn('alice@cabine.test', 'cabine-1001');
    brunoToken = await m.signIn('bruno@cabine.test', 'cabine-1002');
    chloeToken = await m.signIn('chloe@cabine.test', 'cabine-1003');
    for (let i = 0; i < 4; i += 1) {
      expect((await m.request('POST', '/api/v1/wallet/topups', { token: adminToken, body: { amountMinor: 2500, currency: 'EUR' }, headers: { 'idempotency-key': `receipts-${backendName}-${i}` } })).status).toBe(201);
    }
    expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: adminToken, body: { dailyCapMinor: null } })).status).toBe(200);
    // Employees start barred from paid-service numbers; the 60/60-with-fee shape is a premium number.
    expect((await m.request('PUT', '/api/v1/users/usr_demo_1002/barring', { token: adminToken, body: { premiumBarred: false } })).status).toBe(200);
  });

  afterAll(async () => {
    expect((await m.repository.store.checkIntegrity()).problems).toEqual([]);
    await m.close();
    await backend.stop();
  });

  /** Bruno calls `dialed` for `answeredSeconds` (the proxy's report); returns the charge's ledger seq and amount. */
  const charged = async (dialed: string, answeredSeconds: number) => {
    counter += 1;
    const callId = `sipcall-${backendName}-${counter}@10.0.0.1~r${counter}`;
    const authorized = authorizeCallResponseSchema.parse((await m.proxy('/api/v1/calls/authorize', { callId, callerExtension: '1002', dialed })).body);
    expect(authorized, dialed).toMatchObject({ allowed: true, charged: true });
    const done = completeCallResponseSchema.parse((await m.proxy('/api/v1/calls/complete', { callId, answeredSeconds })).body);
    const items = activityResponseSchema.parse((await m.request('GET', '/api/v1/activity?limit=5', { token: adminToken })).body).items;
    const item = items.find((entry) => entry.reference === callId);
    if (!item) throw new Error(`no activity item for ${callId}`);
    return { seq: item.seq, amountMinor: -item.amountMinor, chargedMinor: done.chargedMinor, callId, maxSeconds: authorized.maxDurationSeconds };
  };
  const receiptOf = (seq: number | string, token = brunoToken) => m.request('GET', `/api/v1/receipts/calls/${seq}`, { token });

  it('shows every charged call\'s tariff, durations and price, and the price is the ledger\'s charge and the tariff\'s arithmetic', async () => {
    for (const [shape, dialed] of Object.entries(numbers)) {
      const quote = quoteResponseSchema.parse((await m.request('GET', `/api/v1/quote?number=${encodeURIComponent(dialed)}`, { token: brunoToken })).body);
      expect(quote.rate, `${shape}: ${dialed}`).not.toBeNull();
      for (const answered of [1, 29, 31, 59, 61, 125]) {
        const call = await charged(dialed, answered);
        const answer = await receiptOf(call.seq);
        expect(answer.status).toBe(200);
        const receipt = callReceiptSchema.parse(answer.body);
        receipts.push({ seq: call.seq, receipt });
        const tariff = tariffOf(receipt);
        expect(receipt).toMatchObject({
          seq: call.seq, reference: call.callId, sipCallId: call.callId.split('~')[0], number: quote.e164, destination: quote.rate?.destination, prefix: quote.rate?.prefix,
          pricePerMinute: quote.rate?.pricePerMinute, connectionFee: quote.rate?.connectionFee, increment: quote.rate?.increment,
          caller: { userId: 'usr_demo_1002', extension: '1002', displayName: 'Bruno Petit' }, answeredSeconds: answered, chargedSeconds: answered, currency: 'EUR',
        });
        expect(receipt.deckVersion).toMatch(/^sample-/);
        // The arithmetic the receipt shows is the ledger's charge.
        expect(receipt.billedSeconds).toBe(billedSeconds(answered, tariff.increment));
        expect(receipt.computedMinor).toBe(callCostMinor(tariff, answered, 'EUR'));
        expect(receipt.priceMinor).toBe(call.amountMinor);
        expect(receipt.priceMinor).toBe(call.chargedMinor);
        expect(receipt.priceMinor).toBe(receipt.computedMinor);
      }
    }
    // The shapes really differ: per second, 30/6, and 60/60 with a connection fee.
    const shapes = new Set(receipts.map(({ receipt }) => `${receipt.increment}:${receipt.connectionFee.units > 0}`));
    expect([...shapes].sort()).toEqual(['1/1:false', '30/6:false', '60/60:true']);
  });

  it('prices a call the proxy reported past its funded cap for the funded seconds only', async () => {
    const call = await charged(numbers.thirtySix, 7 * 24 * 3600);
    const receipt = callReceiptSchema.parse((await receiptOf(call.seq)).body);
    expect(receipt.answeredSeconds).toBe(7 * 24 * 3600);
    expect(receipt.chargedSeconds).toBe(call.maxSeconds);
    expect(receipt.fundedSeconds).toBe(call.maxSeconds);
    expect(receipt.priceMinor).toBe(callCostMinor(tariffOf(receipt), call.maxSeconds, 'EUR'));
    expect(receipt.priceMinor).toBe(call.amountMinor);
  });

  it('shows a receipt to its caller and the company\'s admins only: another employee, another company, a top-up, a bad seq are refused', async () => {
    const [first] = receipts;
    if (!first) throw new Error('no receipt yet');
    expect((await receiptOf(first.seq, adminToken)).status).toBe(200);
    expect(callReceiptSchema.parse((await receiptOf(first.seq, adminToken)).body)).toEqual(first.receipt);
    // Chloé is an employee of the same company: Bruno's call is not hers (404, not 403: nothing leaks).
    expect((await receiptOf(first.seq, chloeToken)).status).toBe(404);
    await addCompany(m.repository, `cmp_rcpt_${backendName}`, `rcpt-${backendName}.test`, `rcpt-boss-${backendName}@other.test`, 'other-password');
    const otherToken = await m.signIn(`rcpt-boss-${backendName}@other.test`, 'other-password');
    expect((await receiptOf(first.seq, otherToken)).status).toBe(404);
    // A top-up's ledger line is not a call.
    const topUp = activityResponseSchema.parse((await m.request('GET', '/api/v1/activity?limit=100', { token: adminToken })).body).items.find((item) => item.kind === 'topup');
    expect((await receiptOf(topUp?.seq ?? 0, adminToken)).status).toBe(404);
    expect((await receiptOf(999_999_999, adminToken)).status).toBe(404);
    for (const bad of ['0', '-1', 'abc', '1.5', '1e3', '99999999999999999999']) expect((await receiptOf(bad, adminToken)).status, bad).toBe(400);
    expect((await m.request('GET', `/api/v1/receipts/calls/${first.seq}`)).status).toBe(401);
  });
});
