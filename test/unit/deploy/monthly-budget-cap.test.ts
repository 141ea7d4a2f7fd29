/**
 * A monthly budget is enforced at the proxy (issue 10, section 5): the manager's authorize funds an
 * employee's call only up to what their budget leaves, and Kamailio cuts the call there (its dialog
 * timeout), whatever the wallet holds. The next call is refused with `X-Cabine-Refusal: monthly_budget`
 * before anything reaches the trunk, from a SIP client that is not Cabine.
 *
 * Real stack (deploy/local-stack.ts): Kamailio, rtpengine, the manager (SQLite, demo company, 25 EUR in the
 * wallet), the carrier stand-in (baresip, auto-answers with a tone). Bruno's desk phone is baresip over UDP
 * with plain RTP, recording what it hears; the carrier records what it hears too, so the call carried
 * audio both ways until the cut. sipp places the refused call. No sleeps: every wait is for an event.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaresip, type RunningBaresip } from '../../../deploy/baresip-process.js';
import { freePortPair } from '../../../deploy/child-process.js';
import { startLocalStack, type LocalStack } from '../../../deploy/local-stack.js';
import { runSippClient } from '../../../deploy/sipp-client.js';
import { budgetViewSchema } from '../../../shared/api/budget-schemas.js';
import { demoUsers } from '../../../shared/config/defaults.js';
import { callCostMinor, type Tariff } from '../../../shared/rating/tariff.js';
import { managerApi, type ManagerApi } from './manager-api.js';
import { eventually } from './support/eventually.js';

const [, bruno] = demoUsers;
if (bruno === undefined) {
  throw new Error('the tests need the demo employee');
}
/** 1340 U.S. Virgin Islands in the SAMPLE deck: 0.3220 EUR/min, per second (1/1). */
const virginIslands: Tariff = { pricePerMinute: 3220, connectionFee: 0, increment: { first: 1, next: 1 } };
const paidNumber = '+13405550100';

describe('a monthly budget at the proxy (real Kamailio, rtpengine, manager, carrier, baresip desk phone)', () => {
  let runDir: string;
  let stack: LocalStack;
  let api: ManagerApi;
  let adminToken: string;
  let deskPhone: RunningBaresip;

  const budgetRequest = async (method: 'GET' | 'PUT', path: string, token: string, body?: unknown) => {
    const response = await fetch(`${stack.manager?.url ?? ''}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status).toBe(200);
    return budgetViewSchema.parse(await response.json());
  };

  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), 'cabine-budget-cap-'));
    stack = await startLocalStack({ runDir, carrier: 'baresip' });
    if (stack.manager === undefined) throw new Error('the manager did not start');
    api = managerApi(stack.manager.url);
    adminToken = await api.signIn('alice@cabine.test', 'cabine-1001');
    deskPhone = await startBaresip({
      runDir: join(runDir, 'desk-phone'),
      sipPort: await freePortPair('127.0.0.1', true),
      ctrlPort: await freePortPair(),
      rtpPortMin: 47_200,
      rtpPortMax: 47_299,
      toneHz: 880,
      account: { role: 'desk-phone', ...bruno, domain: stack.domain, registrar: `127.0.0.1:${stack.kamailio.udpPort}` },
    });
  });

  afterAll(async () => {
    await deskPhone?.stop();
    await stack?.stop();
    if (process.env['CABINE_KEEP_RUN_DIR'] !== '1') await rm(runDir, { recursive: true, force: true });
  });

  it('cuts the employee\'s call where the budget runs out, with audio both ways until then, and refuses the next one before the trunk', async () => {
    const wallet = await api.wallet(adminToken);
    // The wallet would fund minutes; Bruno's budget of 5 cents funds 9 s (9 s cost 4.83 cents, 10 s 5.37).
    expect(wallet.availableMinor).toBeGreaterThan(500);
    const fundedSeconds = 9;
    expect(callCostMinor(virginIslands, fundedSeconds, 'EUR')).toBeLessThanOrEqual(5);
    expect(callCostMinor(virginIslands, fundedSeconds + 1, 'EUR')).toBeGreaterThan(5);
    await budgetRequest('PUT', '/users/usr_demo_1002/budget', adminToken, { monthlyBudgetMinor: 5 });
    const brunoToken = await api.signIn('bruno@cabine.test', bruno.password);
    const carrier = stack.carrier?.baresip;
    if (carrier === undefined) throw new Error('no carrier baresip');

    const deskSince = deskPhone.events.length;
    const carrierSince = carrier.events.length;
    await deskPhone.dial(`sip:${paidNumber}@${stack.domain}`);
    await deskPhone.waitForEvent('CALL_ESTABLISHED', 20_000, (event) => deskPhone.events.indexOf(event) >= deskSince);
    const answeredAt = Date.now();
    // The proxy's BYE at the budget's second (the desk phone never hangs up).
    await deskPhone.waitForEvent('CALL_CLOSED', 20_000, (event) => deskPhone.events.indexOf(event) >= deskSince);
    const lasted = (Date.now() - answeredAt) / 1000;
    await carrier.waitForEvent('CALL_CLOSED', 10_000, (event) => carrier.events.indexOf(event) >= carrierSince);
    const heard = await deskPhone.receivedAudio();
    const carried = await carrier.receivedAudio();
    console.info(`budget cap: cut after ${lasted} s (funded ${fundedSeconds} s); desk phone heard ${heard.samples} samples (peak ${heard.peak}), carrier ${carried.samples} (peak ${carried.peak})`);
    expect(lasted).toBeGreaterThanOrEqual(fundedSeconds - 0.5);
    expect(lasted).toBeLessThanOrEqual(fundedSeconds + 2);
    // Media, not signalling: several seconds of tone (8 kHz) with real amplitude each way.
    expect(heard.samples).toBeGreaterThan(8_000 * 5);
    expect(heard.peak).toBeGreaterThan(1_000);
    expect(carried.samples).toBeGreaterThan(8_000 * 5);
    expect(carried.peak).toBeGreaterThan(1_000);

    // Charged exactly the funded seconds, once; what is left is what Bruno's app shows.
    await eventually('the charge in the ledger', async () => (await budgetRequest('GET', '/budget', brunoToken)).spentThisMonthMinor > 0);
    const after = await budgetRequest('GET', '/budget', brunoToken);
    expect(after).toMatchObject({ spentThisMonthMinor: callCostMinor(virginIslands, fundedSeconds, 'EUR'), reservedMinor: 0, leftMinor: 0 });
    const charges = (await api.activity(adminToken)).filter((item) => item.kind === 'call_charge' && item.call?.extension === bruno.username);
    expect(charges.map((item) => item.call?.answeredSeconds)).toEqual([fundedSeconds]);

    // The next call, from sipp with Bruno's credentials: 403 monthly_budget, and the trunk never sees it.
    const incomingBefore = carrier.events.filter((event) => event.type === 'CALL_INCOMING').length;
    const refused = await runSippClient({
      workDir: join(runDir, 'sipp'),
      proxy: `127.0.0.1:${stack.kamailio.udpPort}`,
      domain: stack.domain,
      caller: bruno,
      callee: paidNumber,
      scenario: { expectStatus: 403, expectRefusal: 'monthly_budget' },
      calls: 1,
      timeoutSeconds: 30,
    });
    expect(refused.successful, refused.output).toBe(1);
    expect(carrier.events.filter((event) => event.type === 'CALL_INCOMING').length).toBe(incomingBefore);
    expect((await api.wallet(adminToken)).reservedMinor).toBe(0);
    expect((await budgetRequest('GET', '/budget', brunoToken)).spentThisMonthMinor).toBe(after.spentThisMonthMinor);
  }, 90_000);
});
