/**
 * Charging enforced in the SIP path (issue 5), against the real stack started by deploy/local-stack.ts:
 * Kamailio, rtpengine, the manager (SQLite, demo company "Cabine Démo", 25 EUR) and the carrier stand-in
 * (baresip behind the trunk). Callers are SIP.js in Node over WebSocket (signalling only, as the app) and
 * sipp over UDP with valid credentials (a SIP client that is not Cabine). Money is checked in the manager's
 * ledger through its API. No sleeps: every wait is for an event or a polled outcome.
 *
 * The tests share one wallet, so they run in order and each leaves the balance it documents.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inviter, SessionState, UserAgent } from 'sip.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaresip, type RunningBaresip } from '../../../deploy/baresip-process.js';
import { freePortPair } from '../../../deploy/child-process.js';
import { startLocalStack, type LocalStack } from '../../../deploy/local-stack.js';
import { runSippClient, type SippClientResult } from '../../../deploy/sipp-client.js';
import { demoUsers } from '../../../shared/config/defaults.js';
import { callCostMinor, type Tariff } from '../../../shared/rating/tariff.js';
import { managerApi, type ManagerApi } from './manager-api.js';
import { eventually } from './support/eventually.js';
import { connectTestPhone, sessionReaches, type TestPhone } from './sip-test-phone.js';

const [alice, bruno, chloe] = demoUsers;
if (alice === undefined || bruno === undefined || chloe === undefined) {
  throw new Error('the tests need three demo users');
}

// Tariffs of the SAMPLE rate deck (manager/data/sample-rate-deck.csv), in rate units (1/10 000 EUR).
/** 1340 U.S. Virgin Islands: 0.3220 EUR/min, per second (1/1): cheap enough to run out in seconds. */
const virginIslands: Tariff = { pricePerMinute: 3220, connectionFee: 0, increment: { first: 1, next: 1 } };
/** 447 United Kingdom - Mobile: 0.1660 EUR/min, 30/6. */
const ukMobile: Tariff = { pricePerMinute: 1660, connectionFee: 0, increment: { first: 30, next: 6 } };

const paidCallsPerMinute = 4;

interface PlacedCall {
  readonly inviter: Inviter;
  /** The final answer: status code and reason phrase (200 when answered). */
  readonly final: Promise<{ status: number; reason: string }>;
  /** The proxy's `X-Cabine-Refusal` header of a refused call (undefined when answered or absent). */
  readonly refusal: Promise<string | undefined>;
  /** Date.now() when the call was answered / when it ended. */
  readonly answeredAt: Promise<number>;
  readonly endedAt: Promise<number>;
}

describe('charging enforced in the SIP path (real Kamailio, rtpengine, manager, carrier)', () => {
  let runDir: string;
  let stack: LocalStack;
  let api: ManagerApi;
  let adminToken: string;
  let deskPhone: RunningBaresip | undefined;
  const phones: TestPhone[] = [];

  const phone = async (user: { username: string; password: string; authorizationUsername?: string }): Promise<TestPhone> => {
    const created = await connectTestPhone({ server: stack.kamailio.wsUrl, domain: stack.domain, ...user });
    phones.push(created);
    return created;
  };

  const placeCall = (from: TestPhone, number: string): PlacedCall => {
    const target = UserAgent.makeURI(`sip:${number}@${stack.domain}`);
    if (target === undefined) {
      throw new Error(`bad target ${number}`);
    }
    const inviter = new Inviter(from.userAgent, target);
    let onRefusal: (value: string | undefined) => void = () => undefined;
    const refusal = new Promise<string | undefined>((resolve) => {
      onRefusal = resolve;
    });
    const final = new Promise<{ status: number; reason: string }>((resolve, reject) => {
      inviter
        .invite({
          requestDelegate: {
            onAccept: () => {
              onRefusal(undefined);
              resolve({ status: 200, reason: 'OK' });
            },
            onReject: (response) => {
              onRefusal(response.message.getHeader('X-Cabine-Refusal'));
              resolve({ status: response.message.statusCode ?? 0, reason: response.message.reasonPhrase ?? '' });
            },
          },
        })
        .catch(reject);
    });
    return {
      inviter,
      final,
      refusal,
      answeredAt: sessionReaches(inviter, SessionState.Established).then(() => Date.now()),
      endedAt: sessionReaches(inviter, SessionState.Terminated).then(() => Date.now()),
    };
  };

  const sipp = (caller: { username: string; password: string }, callee: string, expectStatus: number, holdMs = 0, calls = 1, expectRefusal?: string): Promise<SippClientResult> =>
    runSippClient({
      workDir: join(runDir, 'sipp'),
      proxy: `127.0.0.1:${stack.kamailio.udpPort}`,
      domain: stack.domain,
      caller,
      callee,
      scenario: { expectStatus, holdMs, ...(expectRefusal === undefined ? {} : { expectRefusal }) },
      calls,
      timeoutSeconds: 30,
    });

  /** Ledger entries of one call, found by its reference (the billing id starts with the SIP Call-ID). */
  const chargesOf = async (callId: string) =>
    (await api.activity(adminToken)).filter((item) => item.kind === 'call_charge' && item.reference.startsWith(`${callId}~`));

  const balance = async (): Promise<number> => (await api.wallet(adminToken)).balanceMinor;

  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'cabine-charging-'));
    stack = await startLocalStack({
      runDir,
      carrier: 'baresip',
      paidCallsPerMinute,
      // Small top-ups let a test bring the wallet down to a few cents; a 60 s cap (the manager's minimum)
      // keeps reservations small enough for two calls to share a balance.
      managerEnv: { CABINE_TOPUP_AMOUNTS: '5,50,1000,2500', CABINE_MAX_CALL_SECONDS: '60' },
    });
    if (stack.manager === undefined) {
      throw new Error('the manager did not start');
    }
    api = managerApi(stack.manager.url);
    adminToken = await api.signIn('alice@cabine.test', alice.password);
  });

  afterAll(async () => {
    await Promise.allSettled(phones.map((p) => p.stop()));
    await deskPhone?.stop();
    await stack?.stop();
    // CABINE_KEEP_RUN_DIR=1 keeps the logs of every process for a post-mortem.
    if (process.env['CABINE_KEEP_RUN_DIR'] !== '1') {
      await rm(runDir, { recursive: true, force: true });
    }
  });

  it('cuts a call when its funds run out, within 2 s of the computed time, and charges exactly that', async () => {
    // Empty the wallet (customer care reverses the demo's opening top-up), then add 5 cents.
    await api.cancelTopUps(await api.signIn('care@cabine.test', 'cabine-care'), 'cmp_demo');
    expect(await balance()).toBe(0);
    await api.topUp(adminToken, 5);
    // 5 cents at 0.322 EUR/min per second fund 9 s (9 s cost 4.83 cents, 10 s 5.37).
    const fundedSeconds = 9;
    expect(callCostMinor(virginIslands, fundedSeconds, 'EUR')).toBeLessThanOrEqual(5);
    expect(callCostMinor(virginIslands, fundedSeconds + 1, 'EUR')).toBeGreaterThan(5);

    const caller = await phone(alice);
    const call = placeCall(caller, '+13405550100');
    expect((await call.final).status).toBe(200);
    const answeredAt = await call.answeredAt;
    const endedAt = await call.endedAt; // the proxy's BYE (dialog timeout)
    const lasted = (endedAt - answeredAt) / 1000;
    expect(lasted).toBeGreaterThanOrEqual(fundedSeconds - 0.5);
    expect(lasted).toBeLessThanOrEqual(fundedSeconds + 2);

    const callId = call.inviter.request.callId;
    await eventually('the charge in the ledger', async () => (await chargesOf(callId)).length === 1);
    const [charge] = await chargesOf(callId);
    expect(charge?.call?.answeredSeconds).toBe(fundedSeconds);
    expect(charge?.amountMinor).toBe(-callCostMinor(virginIslands, fundedSeconds, 'EUR'));
    expect(await balance()).toBe(0);
  });

  it('extends a paid call when the admin tops up during it, then cuts it at the new cap and charges exactly that', async () => {
    // Funds for 9 s, as above; during the call the admin adds 5 cents more: 10 cents fund 18 s.
    expect(await balance()).toBe(0);
    await api.topUp(adminToken, 5);
    const extendedSeconds = 18;
    expect(callCostMinor(virginIslands, extendedSeconds, 'EUR')).toBeLessThanOrEqual(10);
    expect(callCostMinor(virginIslands, extendedSeconds + 1, 'EUR')).toBeGreaterThan(10);

    const call = placeCall(await phone(alice), '+13405550100');
    expect((await call.final).status).toBe(200);
    const answeredAt = await call.answeredAt;
    const callId = call.inviter.request.callId;
    // The proxy asks the manager again as the call nears its cap (under 20 s left; every second in the last
    // 5 s): wait until it has asked in those last seconds without new money, then top up, late.
    // kamcmd prints each item as "name: <key>" followed by "value: <value>".
    const entry = async (): Promise<string> => {
      const lines = (await stack.kamailio.rpc(['htable.dump', 'dlgext'])).split('\n');
      const at = lines.findIndex((line) => line.includes(`name: ${callId}~`));
      return at < 0 ? '' : (lines[at + 1]?.match(/value:\s*(\S+)/)?.[1] ?? '');
    };
    const extendedBefore = Number((await stack.kamailio.rpc(['pv.shvGet', 'calls_extended'])).match(/value:\s*(\d+)/)?.[1] ?? NaN);
    const askedLate = async (): Promise<boolean> => {
      const [, , answerS, , max, asked] = (await entry()).split(':').map(Number);
      return max === 9 && asked !== undefined && answerS !== undefined && asked - answerS >= 4;
    };
    await eventually('a re-authorization in the last seconds (no new money)', askedLate, 8_000);
    const toppedUpAt = Date.now();
    await api.topUp(adminToken, 5);
    // The next question (a second later) gets the longer maximum, and the dialog's timeout moves with it.
    await eventually('the extension at the proxy', async () => (await entry()).split(':')[4] === String(extendedSeconds), 4_000);
    const extendedAt = Date.now();
    expect(Number((await stack.kamailio.rpc(['pv.shvGet', 'calls_extended'])).match(/value:\s*(\d+)/)?.[1] ?? NaN)).toBe(extendedBefore + 1);

    expect((extendedAt - answeredAt) / 1000).toBeLessThan(9);
    // Not cut at 9 s: the proxy's BYE comes at the new cap.
    const endedAt = await call.endedAt;
    const lasted = (endedAt - answeredAt) / 1000;
    console.info(`extension: top-up ${(toppedUpAt - answeredAt) / 1000} s into the call, extended at ${(extendedAt - answeredAt) / 1000} s, cut at ${lasted} s`);
    expect(lasted).toBeGreaterThanOrEqual(extendedSeconds - 0.5);
    expect(lasted).toBeLessThanOrEqual(extendedSeconds + 2);

    await eventually('the charge in the ledger', async () => (await chargesOf(callId)).length === 1);
    const [charge] = await chargesOf(callId);
    expect(charge?.call?.answeredSeconds).toBe(extendedSeconds);
    expect(charge?.amountMinor).toBe(-callCostMinor(virginIslands, extendedSeconds, 'EUR'));
    expect(await balance()).toBe(0);
    expect(await entry()).toBe('');
  });

  it('refuses a paid call with 402 when the wallet is empty, even from a SIP client that is not Cabine', async () => {
    expect(await balance()).toBe(0);
    const result = await sipp(alice, '+447400900123', 402);
    expect(result.failed, result.output.slice(-2000)).toBe(0);
    expect(result.successful).toBe(1);
    // The app's view of the same refusal: status and reason phrase.
    const caller = await phone(alice);
    expect(await placeCall(caller, '+447400900123').final).toEqual({ status: 402, reason: 'Insufficient Funds' });
  });

  it('lets two concurrent calls of the company share the balance through reservations', async () => {
    await api.topUp(adminToken, 50);
    const first = placeCall(await phone(alice), '+13405550100');
    expect((await first.final).status).toBe(200);
    // The first call holds the cost of its longest possible duration (the 60 s cap: 33 cents).
    let wallet = await api.wallet(adminToken);
    expect(wallet.reservedMinor).toBe(callCostMinor(virginIslands, 60, 'EUR'));
    const second = placeCall(await phone(chloe), '+13405550100');
    expect((await second.final).status).toBe(200);
    // The second call got what was left: together they hold the whole balance, nothing is left for a third.
    wallet = await api.wallet(adminToken);
    expect(wallet.reservedMinor).toBeLessThanOrEqual(50);
    expect(wallet.availableMinor).toBeLessThan(callCostMinor(virginIslands, 1, 'EUR'));
    expect((await placeCall(await phone(bruno), '+13405550100').final).status).toBe(402);

    first.inviter.bye();
    second.inviter.bye();
    const ids = [first.inviter.request.callId, second.inviter.request.callId];
    await eventually('both charges', async () => (await Promise.all(ids.map(chargesOf))).every((charges) => charges.length === 1));
    const charges = (await Promise.all(ids.map(chargesOf))).flat();
    const total = charges.reduce((sum, item) => sum - item.amountMinor, 0);
    expect(await balance()).toBe(50 - total);
    expect((await api.wallet(adminToken)).reservedMinor).toBe(0);
  });

  it('routes a paid international call from sipp (valid credentials) to the carrier and charges it once', async () => {
    await api.topUp(adminToken, 2500);
    const before = await balance();
    const result = await sipp(alice, '+447400900123', 200, 1_500);
    expect(result.failed, result.output.slice(-2000)).toBe(0);
    await eventually('the charge', async () => (await balance()) < before);
    const [charge] = (await api.activity(adminToken)).filter((item) => item.kind === 'call_charge');
    expect(charge?.call?.number).toBe('+447400900123');
    const answered = charge?.call?.answeredSeconds ?? -1;
    expect(answered).toBeGreaterThanOrEqual(1);
    expect(answered).toBeLessThanOrEqual(3);
    expect(charge?.amountMinor).toBe(-callCostMinor(ukMobile, answered, 'EUR'));
    expect(await balance()).toBe(before - callCostMinor(ukMobile, answered, 'EUR'));
  });

  it('connects the included call to +44 20 7946 0000 through the carrier and charges nothing', async () => {
    const before = await balance();
    const call = placeCall(await phone(alice), '+442079460000');
    expect((await call.final).status).toBe(200);
    // The carrier stand-in answered it.
    await stack.carrier?.baresip?.waitForEvent('CALL_ESTABLISHED');
    call.inviter.bye();
    await call.endedAt;
    await eventually('the reservation to be settled', async () => (await api.wallet(adminToken)).reservedMinor === 0);
    expect(await chargesOf(call.inviter.request.callId)).toEqual([]);
    expect(await balance()).toBe(before);
  });

  it('refuses a premium number to a barred employee with 403, whatever the client', async () => {
    const result = await sipp(bruno, '+33899123456', 403);
    expect(result.failed, result.output.slice(-2000)).toBe(0);
    expect(await placeCall(await phone(bruno), '0899123456').final).toEqual({ status: 403, reason: 'Destination Barred For This User' });
  });

  it('refuses satellite numbers with 403 class_blocked by default (high-risk class), whatever the client', async () => {
    // Alice is an admin, not barred, and the wallet holds money: only the company's high-risk switch says no.
    const before = await api.wallet(adminToken);
    expect(before.availableMinor).toBeGreaterThan(0);
    const result = await sipp(alice, '+881612345678', 403, 0, 1, 'class_blocked');
    expect(result.failed, result.output.slice(-2000)).toBe(0);
    expect(result.successful).toBe(1);
    // A wrong expectation fails the sipp call: the header check is real.
    const wrong = await sipp(alice, '+881612345678', 403, 0, 1, 'barred');
    expect(wrong.successful).toBe(0);
    const call = placeCall(await phone(alice), '+870773123456');
    expect(await call.final).toEqual({ status: 403, reason: 'Destination Blocked' });
    expect(await call.refusal).toBe('class_blocked');
    // Refused before any reservation, and not counted as a paid call by the proxy's rate limit.
    const after = await api.wallet(adminToken);
    expect(after.reservedMinor).toBe(0);
    expect(after.balanceMinor).toBe(before.balanceMinor);
  });

  it(`limits paid calls to ${paidCallsPerMinute} per user per minute at the proxy`, async () => {
    const allowed = await sipp(bruno, '+12025550100', 200, 0, paidCallsPerMinute);
    expect(allowed.failed, allowed.output.slice(-2000)).toBe(0);
    expect(allowed.successful).toBe(paidCallsPerMinute);
    expect(await placeCall(await phone(bruno), '+12025550100').final).toEqual({ status: 403, reason: 'Paid Call Rate Limit Exceeded' });
    // Other users are not affected.
    expect((await sipp(chloe, '+12025550100', 200)).successful).toBe(1);
  });

  it('authenticates users with the manager’s time-limited credentials (auth_ephemeral)', async () => {
    const config = await api.sipConfig(adminToken);
    expect(config.authorizationUsername).toMatch(/^\d+:1001@cabine\.test$/);
    const good = await phone({ username: config.extension, password: config.password, authorizationUsername: config.authorizationUsername });
    expect(await good.register()).toBe(200);
    const forged = await phone({ username: config.extension, password: `${config.password}x`, authorizationUsername: config.authorizationUsername });
    expect([401, 403]).toContain(await forged.register());
    // Someone else's credentials do not let you call as yourself.
    const impostor = await phone({ username: bruno.username, password: config.password, authorizationUsername: config.authorizationUsername });
    expect((await placeCall(impostor, '+12025550100').final).status).toBe(403);
  });

  it('with the manager stopped: billable calls refused (503), emergency calls connect', async () => {
    const manager = stack.manager;
    if (manager === undefined) {
      throw new Error('no manager');
    }
    await manager.stop();
    try {
      const caller = await phone(alice);
      expect(await placeCall(caller, '+447400900123').final).toEqual({ status: 503, reason: 'Billing Unavailable' });
      const emergency = placeCall(caller, '112');
      expect((await emergency.final).status).toBe(200);
      emergency.inviter.bye();
      await emergency.endedAt;
    } finally {
      await manager.restart();
    }
  });

  it('charges exactly once when the report has to be retried (manager down at hang-up)', async () => {
    const manager = stack.manager;
    if (manager === undefined) {
      throw new Error('no manager');
    }
    const call = placeCall(await phone(chloe), '+447400900123');
    expect((await call.final).status).toBe(200);
    await call.answeredAt;
    await manager.stop();
    call.inviter.bye();
    await call.endedAt;
    // The report waits in the proxy's queue while the manager is away.
    const callId = call.inviter.request.callId;
    await eventually('the queued report', async () => (await stack.kamailio.rpc(['htable.dump', 'billq'])).includes(callId));
    await manager.restart();
    await eventually('the retried report', async () => !(await stack.kamailio.rpc(['htable.dump', 'billq'])).includes(callId), 15_000);
    const charges = await chargesOf(callId);
    expect(charges).toHaveLength(1);
    // A duplicate report (a retry racing the first) replays the first answer: still one charge.
    const [charge] = charges;
    const replay = await api.complete(manager.proxySecret, charge?.reference ?? '', 42);
    expect(replay.chargedMinor).toBe(-(charge?.amountMinor ?? 0));
    expect(await chargesOf(callId)).toHaveLength(1);
  });

  it('a desk phone (baresip, UDP, plain RTP) calls Cabine and is called by it, through rtpengine', async () => {
    deskPhone = await startBaresip({
      runDir: join(runDir, 'desk-phone'),
      sipPort: await freePortPair('127.0.0.1', true),
      ctrlPort: await freePortPair(),
      rtpPortMin: 47_000,
      rtpPortMax: 47_099,
      account: { role: 'desk-phone', ...bruno, domain: stack.domain, registrar: `127.0.0.1:${stack.kamailio.udpPort}`, autoAnswer: true },
    });
    const cabine = await phone(alice);
    expect(await cabine.register()).toBe(200);

    // Cabine (WebRTC side) calls the desk phone (plain RTP side): rtpengine relays the media.
    const outgoing = placeCall(cabine, bruno.username);
    expect((await outgoing.final).status).toBe(200);
    expect(await stack.rtpengine?.callIds()).toContain(outgoing.inviter.request.callId);
    outgoing.inviter.bye();
    await outgoing.endedAt;
    await deskPhone.waitForEvent('CALL_CLOSED');

    // The desk phone calls Cabine.
    const invitation = cabine.nextInvitation();
    await deskPhone.dial(`sip:${alice.username}@${stack.domain}`);
    const incoming = await invitation;
    await incoming.accept();
    await deskPhone.waitForEvent('CALL_ESTABLISHED', 10_000, (event) => event.direction === 'outgoing');
    expect(await stack.rtpengine?.callIds()).toContain(incoming.request.callId);
    await deskPhone.hangup();
    await sessionReaches(incoming, SessionState.Terminated);
  });
});
