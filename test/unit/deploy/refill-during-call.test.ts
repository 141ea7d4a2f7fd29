/**
 * "With automatic refills you will never run out of funds mid-call" (issue 10, section 1), through the
 * real stack: Kamailio, rtpengine, the manager (demo company) and a carrier behind the trunk (baresip),
 * the caller a baresip desk phone over UDP with plain RTP. Two stacks run side by side, one per card:
 *
 *  - approved card: a call that starts with 2 minutes of funds (0.65 EUR at 0.322 EUR/min) and auto-refill
 *    on is still connected at minute 4, with audio both ways in the last seconds before (each side's
 *    decoded dump grows and carries the other side's tone); the ledger shows the refills and one charge;
 *  - declining card: the same call is cut by the proxy at its funded second, the refill recorded declined.
 *
 * The refills run while the call is live (its reservation holds the funds, which are then below the
 * level), and the proxy's CALL_EXTEND hands the call the new money 20 s before each cap. No sleeps to let
 * something happen: the only timer is the 4 minutes the call must last (the point of the test).
 */
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startBaresip, type RunningBaresip } from '../../../deploy/baresip-process.js';
import { freePortPair } from '../../../deploy/child-process.js';
import { startLocalStack, type LocalStack } from '../../../deploy/local-stack.js';
import { activityResponseSchema } from '../../../shared/api/wallet-schemas.js';
import { demoUsers } from '../../../shared/config/defaults.js';
import { callCostMinor, maxFundedSeconds, type Tariff } from '../../../shared/rating/tariff.js';
import { managerApi } from './manager-api.js';

const alice = ((): (typeof demoUsers)[number] => {
  const [admin] = demoUsers;
  if (admin === undefined) throw new Error('the test needs the demo admin');
  return admin;
})();
/** 1340 U.S. Virgin Islands in the sample deck: 0.3220 EUR/min, per second. */
const virginIslands: Tariff = { pricePerMinute: 3220, connectionFee: 0, increment: { first: 1, next: 1 } };
const paidNumber = '+13405550100';
/** Two minutes of funds: 0.65 EUR buys 121 s. */
const startingFundsMinor = 65;
const fundedSeconds = maxFundedSeconds(virginIslands, startingFundsMinor, 'EUR', 3_600);
const mustLastMs = 240_000;

/** A random even block of media ports in 20000-31999 (below the ephemeral range, as local-stack picks). */
const mediaPorts = (size: number): { rtpPortMin: number; rtpPortMax: number } => {
  const min = 20_000 + 2 * randomInt(0, (12_000 - size) / 2);
  return { rtpPortMin: min, rtpPortMax: min + size - 1 };
};

/** The newest decoded-audio dump of a baresip (sndfile's `*-dec.wav`): its samples, and the peak of the last `tailSeconds`. */
async function receivedTail(runDir: string, tailSeconds: number): Promise<{ seconds: number; tailPeak: number }> {
  const files = (await readdir(runDir)).filter((name) => name.endsWith('-dec.wav'));
  let newest: { file: string; mtime: number } | undefined;
  for (const name of files) {
    const file = join(runDir, name);
    const { mtimeMs } = await stat(file);
    if (newest === undefined || mtimeMs >= newest.mtime) newest = { file, mtime: mtimeMs };
  }
  if (newest === undefined) return { seconds: 0, tailPeak: 0 };
  const bytes = await readFile(newest.file);
  const dataStart = bytes.indexOf('data', 12, 'ascii');
  const start = dataStart < 0 ? 44 : dataStart + 8;
  // 8 kHz, 16-bit mono (G.711 decoded).
  const samples = Math.floor((bytes.length - start) / 2);
  let tailPeak = 0;
  for (let index = Math.max(0, samples - tailSeconds * 8_000); index < samples; index += 1) {
    tailPeak = Math.max(tailPeak, Math.abs(bytes.readInt16LE(start + index * 2)));
  }
  return { seconds: samples / 8_000, tailPeak };
}

interface Bed {
  readonly stack: LocalStack;
  readonly carrier: RunningBaresip;
  readonly carrierDir: string;
  readonly phone: RunningBaresip;
  readonly phoneDir: string;
  readonly api: ReturnType<typeof managerApi>;
  readonly token: string;
  readonly managerUrl: string;
}

const runDirs: string[] = [];
const stops: Array<() => Promise<void>> = [];

/** A stack of its own, the demo wallet emptied and funded with 0.65 EUR, `card` on file, refill on (level 0.50, 0.65 a refill). */
async function startBed(name: string, card: string): Promise<Bed> {
  const runDir = await mkdtemp(join(tmpdir(), `cabine-refill-${name}-`));
  runDirs.push(runDir);
  const carrierDir = join(runDir, 'trunk');
  // A carrier whose tone lasts the whole call (the stand-in's default lasts 2 minutes).
  const carrier = await startBaresip({
    runDir: carrierDir, sipPort: await freePortPair('127.0.0.1', true), ctrlPort: await freePortPair(), ...mediaPorts(100),
    account: { role: 'carrier' }, toneHz: 660, toneSeconds: 330,
  });
  stops.push(() => carrier.stop());
  const stack = await startLocalStack({
    runDir, carrier: false, trunkAddress: `127.0.0.1:${carrier.sipPort}`,
    managerEnv: { CABINE_TOPUP_AMOUNTS: `${startingFundsMinor},2500`, CABINE_MAX_CALL_SECONDS: '3600' },
  });
  stops.push(() => stack.stop());
  if (stack.manager === undefined) throw new Error('the manager did not start');
  const managerUrl = stack.manager.url;
  const api = managerApi(managerUrl);
  const token = await api.signIn('alice@cabine.test', alice.password);
  await api.cancelTopUps(await api.signIn('care@cabine.test', 'cabine-care'), 'cmp_demo');
  await api.topUp(token, startingFundsMinor);
  const put = async (path: string, body: unknown): Promise<void> => {
    const response = await fetch(`${managerUrl}/api/v1${path}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`PUT ${path}: ${response.status} ${await response.text()}`);
  };
  await put('/wallet/card', { number: card, expMonth: 12, expYear: 2099, cvc: '123' });
  // The level is below the 0.65 in the wallet: turning refill on starts nothing yet.
  await put('/wallet/auto-refill', { enabled: true, thresholdMinor: 50, amountMinor: startingFundsMinor });
  expect((await api.wallet(token)).balanceMinor).toBe(startingFundsMinor);
  const phoneDir = join(runDir, 'desk-phone');
  const phone = await startBaresip({
    runDir: phoneDir, sipPort: await freePortPair('127.0.0.1', true), ctrlPort: await freePortPair(), ...mediaPorts(100),
    account: { role: 'desk-phone', ...alice, domain: stack.domain, registrar: `127.0.0.1:${stack.kamailio.udpPort}` },
    toneHz: 440, toneSeconds: 330,
  });
  stops.push(() => phone.stop());
  return { stack, carrier, carrierDir, phone, phoneDir, api, token, managerUrl };
}

const refillAttempts = async (bed: Bed) => {
  const response = await fetch(`${bed.managerUrl}/api/v1/activity?limit=100`, { headers: { authorization: `Bearer ${bed.token}` } });
  return activityResponseSchema.parse(await response.json()).refillAttempts;
};

/** Places the paid call from the desk phone; resolves when both ends have it established. */
async function placeCall(bed: Bed): Promise<{ answeredAt: number; closed: Promise<number> }> {
  await bed.phone.dial(`sip:${paidNumber}@${bed.stack.domain}`);
  await bed.carrier.waitForEvent('CALL_ESTABLISHED', 15_000);
  await bed.phone.waitForEvent('CALL_ESTABLISHED', 15_000, (event) => event.direction === 'outgoing');
  const answeredAt = Date.now();
  const closed = bed.phone.waitForEvent('CALL_CLOSED', mustLastMs + 120_000).then(() => Date.now());
  return { answeredAt, closed };
}

/** Audio both ways: each side's dump covers the call so far and its last 3 s carry the other side's tone. */
async function expectAudioBothWays(bed: Bed, elapsedSeconds: number): Promise<{ phone: number; trunk: number }> {
  const phone = await receivedTail(bed.phoneDir, 3);
  const trunk = await receivedTail(bed.carrierDir, 3);
  expect(phone.seconds, 'audio the desk phone received').toBeGreaterThan(elapsedSeconds - 5);
  expect(trunk.seconds, 'audio the trunk received').toBeGreaterThan(elapsedSeconds - 5);
  expect(phone.tailPeak, 'the trunk\'s tone in the desk phone\'s last 3 s').toBeGreaterThan(2_000);
  expect(trunk.tailPeak, 'the desk phone\'s tone in the trunk\'s last 3 s').toBeGreaterThan(2_000);
  return { phone: phone.tailPeak, trunk: trunk.tailPeak };
}

async function refilledCallLastsFourMinutes(): Promise<void> {
  const bed = await startBed('approved', '4242424242424242');
  const call = await placeCall(bed);
  // Still connected at minute 4: the call must not close before.
  const outcome = await Promise.race([
    call.closed.then((at) => ({ closedAfterMs: at - call.answeredAt })),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), call.answeredAt + mustLastMs - Date.now())), // the duration under test
  ]);
  expect(outcome, `the call closed ${outcome === null ? '' : (outcome.closedAfterMs / 1000).toFixed(1)} s after the answer`).toBeNull();
  const peaks = await expectAudioBothWays(bed, mustLastMs / 1000);
  await bed.phone.hangup();
  const lastedMs = (await call.closed) - call.answeredAt;
  await bed.carrier.waitForEvent('CALL_CLOSED', 10_000);
  // The ledger: the refills, and one charge for the whole call at the rate.
  let charges: Awaited<ReturnType<typeof bed.api.activity>> = [];
  for (let attempt = 0; attempt < 200 && charges.length === 0; attempt += 1) {
    charges = (await bed.api.activity(bed.token)).filter((item) => item.kind === 'call_charge');
    if (charges.length === 0) await new Promise((resolve) => setTimeout(resolve, 50)); // polling the ledger for the proxy's report
  }
  const activity = await bed.api.activity(bed.token);
  const refills = activity.filter((item) => item.kind === 'auto_refill');
  expect(charges).toHaveLength(1);
  const [charge] = charges;
  const answered = charge?.call?.answeredSeconds ?? 0;
  expect(answered).toBeGreaterThanOrEqual(mustLastMs / 1000);
  expect(Math.abs(answered - lastedMs / 1000)).toBeLessThanOrEqual(2);
  expect(charge?.amountMinor).toBe(-callCostMinor(virginIslands, answered, 'EUR'));
  expect(refills.length).toBeGreaterThanOrEqual(2);
  const attempts = await refillAttempts(bed);
  expect(attempts.every((attempt) => attempt.status === 'succeeded')).toBe(true);
  expect(attempts.map((attempt) => attempt.cause).reverse().slice(0, 2)).toEqual(['reservation', 'extension']);
  const wallet = await bed.api.wallet(bed.token);
  expect(wallet.balanceMinor).toBe(startingFundsMinor * (1 + refills.length) - callCostMinor(virginIslands, answered, 'EUR'));
  expect(wallet.reservedMinor).toBe(0);
  console.info(`[refill] approved card: connected ${(lastedMs / 1000).toFixed(1)} s (funded ${fundedSeconds} s at the start), ${refills.length} refills (${attempts.map((attempt) => attempt.cause).reverse().join(', ')}), one charge of ${-(charge?.amountMinor ?? 0)} cents for ${answered} s; audio peaks in the last 3 s before minute 4: desk phone ${peaks.phone}, trunk ${peaks.trunk}`);
}

async function declinedCallIsCutAtItsCap(): Promise<void> {
  const bed = await startBed('declined', '4000000000000002');
  const call = await placeCall(bed);
  const closedAt = await call.closed;
  const lastedS = (closedAt - call.answeredAt) / 1000;
  await bed.carrier.waitForEvent('CALL_CLOSED', 10_000);
  // Cut by the proxy at the funded second (the desk phone did not hang up).
  expect(lastedS).toBeGreaterThanOrEqual(fundedSeconds - 1.5);
  expect(lastedS).toBeLessThanOrEqual(fundedSeconds + 1.5);
  const attempts = await refillAttempts(bed);
  expect(attempts.length).toBeGreaterThanOrEqual(1);
  expect(attempts.every((attempt) => attempt.status === 'declined' && attempt.declineCode === 'card_declined')).toBe(true);
  let charges: Awaited<ReturnType<typeof bed.api.activity>> = [];
  for (let attempt = 0; attempt < 200 && charges.length === 0; attempt += 1) {
    charges = (await bed.api.activity(bed.token)).filter((item) => item.kind === 'call_charge');
    if (charges.length === 0) await new Promise((resolve) => setTimeout(resolve, 50)); // polling the ledger for the proxy's report
  }
  expect(charges.map((charge) => charge.call?.answeredSeconds)).toEqual([fundedSeconds]);
  expect(await bed.api.wallet(bed.token)).toMatchObject({ balanceMinor: startingFundsMinor - callCostMinor(virginIslands, fundedSeconds, 'EUR'), reservedMinor: 0 });
  console.info(`[refill] declining card: cut after ${lastedS.toFixed(1)} s (funded ${fundedSeconds} s), ${attempts.length} refill attempt(s) declined`);
}

describe('automatic refill during a call (real Kamailio, rtpengine, manager, baresip phone and trunk)', () => {
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    for (const dir of runDirs) await rm(dir, { recursive: true, force: true });
  });

  it('a call with 2 minutes of funds is still connected with audio at minute 4; with a declining card it is cut at its cap', async () => {
    // Side by side, so the suite waits 4 minutes once.
    await Promise.all([refilledCallLastsFourMinutes(), declinedCallIsCutAtItsCap()]);
  }, 420_000);
});
