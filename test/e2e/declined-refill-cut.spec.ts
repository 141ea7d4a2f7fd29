/**
 * A declining card does not keep a call alive (issue 10, section 1): in Chromium against the whole local
 * stack (Kamailio, rtpengine, the manager, the carrier stand-in behind the trunk), the admin calls a paid
 * number with a little over a minute of funds and automatic refill on, on a card that declines. The call
 * connects with audio both ways; the meter's one-minute warning comes up while the audio still flows; the
 * refill the call's reservation set off is declined, and the admin is told in the app; the proxy then ends
 * the call at its funded second (a BYE to the trunk and to the app, which says the funds ran out); the
 * ledger holds the declined attempt(s) and one charge for the call at the rate.
 *
 * The only wait is the call's funded time itself (70 s): the balance is set just above the warning's minute.
 */
import { test as base } from '@playwright/test';
import { callCostMinor, maxFundedSeconds, type Tariff } from '../../shared/rating/tariff.js';
import { managerApi } from '../unit/deploy/manager-api.js';
import { demo, expect, api, apiToken, openPhone, withWebStack, type WalletStack } from './wallet-fixtures.js';
import { expectAudioIn, expectPacketsGrowing } from './softphone.js';

/** 1340 U.S. Virgin Islands in the sample deck: 0.3220 EUR/min, per second. */
const virginIslands: Tariff = { pricePerMinute: 3220, connectionFee: 0, increment: { first: 1, next: 1 } };
const number = '+1 340 555 0100';
/** 0.38 EUR buys 70 s: the warning is up 10 s after the answer, the cut a minute later. */
const fundsMinor = 38;
const fundedSeconds = maxFundedSeconds(virginIslands, fundsMinor, 'EUR', 3_600);
/** The level is below the funds (turning refill on starts nothing); the call's reservation takes it under. */
const refill = { enabled: true, thresholdMinor: 30, amountMinor: 2500 } as const;
const decliningCard = { number: '4000000000000002', expMonth: 12, expYear: 2099, cvc: '123' } as const;

/** A stack of its own: the call is charged, and only this file's amounts may be topped up. */
const test = base.extend<object, { declineStack: WalletStack }>({
  declineStack: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      await withWebStack(
        'cabine-declined-refill-e2e-',
        (webOrigin) => ({ managerEnv: { CABINE_APP_ORIGINS: webOrigin, CABINE_EVENTS_POLL_MS: '200', CABINE_TOPUP_AMOUNTS: `${fundsMinor},2500` } }),
        use,
      );
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});

test('with a declining card and auto-refill on, the call is warned a minute ahead, then cut at its funded second and charged once', async ({ browser, declineStack: wallet }) => {
  test.setTimeout(fundedSeconds * 1000 + 90_000);
  expect(fundedSeconds).toBe(70);
  const carrier = wallet.stack.carrier?.baresip;
  if (carrier === undefined) throw new Error('the wallet stack runs the baresip carrier');
  // The wallet holds exactly the test's funds, through the product's own paths: customer care cancels the
  // demo top-up (reversing entries), the admin tops up 0.38 EUR, saves the card and turns refill on.
  const manager = managerApi(wallet.managerUrl);
  const admin = await apiToken(wallet.managerUrl, demo.admin.email, demo.admin.password);
  await manager.cancelTopUps(await apiToken(wallet.managerUrl, demo.operator.email, demo.operator.password), 'cmp_demo');
  await manager.topUp(admin, fundsMinor);
  await api(wallet.managerUrl, admin, 'PUT', '/company/daily-cap', { dailyCapMinor: null });
  await api(wallet.managerUrl, admin, 'PUT', '/wallet/card', decliningCard);
  await api(wallet.managerUrl, admin, 'PUT', '/wallet/auto-refill', refill);
  expect(await manager.wallet(admin)).toMatchObject({ balanceMinor: fundsMinor, reservedMinor: 0 });

  const { context, page } = await openPhone(browser, wallet);
  try {
    await page.getByLabel('Manager address').fill(wallet.managerUrl);
    await page.getByLabel('Email').fill(demo.admin.email);
    await page.getByLabel('Password', { exact: true }).fill(demo.admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.locator('p[data-registration="registered"]')).toBeVisible({ timeout: 15_000 });
    const panel = page.getByRole('region', { name: 'Wallet' });
    await expect(panel).toContainText('Live', { timeout: 20_000 });
    await expect(panel.getByTestId('refill-notice')).toHaveCount(0);

    const closedBefore = carrier.events.filter((event) => event.type === 'CALL_CLOSED').length;
    await page.getByLabel('Number', { exact: true }).fill(number);
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await page.getByRole('dialog', { name: 'Paid call' }).getByRole('button', { name: 'Call' }).click();
    await expect(page.locator('[data-call-state="established"]').first()).toBeVisible({ timeout: 15_000 });
    const trunkClosed = carrier.waitForEvent('CALL_CLOSED', fundedSeconds * 1000 + 30_000, () => carrier.events.filter((event) => event.type === 'CALL_CLOSED').length > closedBefore);

    // Audio both ways: the carrier's tone reaches Chromium, the fake microphone reaches the carrier.
    await expectAudioIn(page);
    await expect.poll(async () => (await carrier.receivedAudio()).peak, { timeout: 10_000 }).toBeGreaterThan(1_000);

    // The meter counts down the manager's funded time for this call; a minute before its end, the warning.
    const timeLeft = page.getByTestId('meter-time-left');
    await expect(timeLeft).toHaveAttribute('data-funded-seconds', String(fundedSeconds), { timeout: 5_000 });
    const endsAt = Number(await timeLeft.getAttribute('data-ends-at'));
    const meter = page.getByRole('region', { name: 'Paid call' });
    await expect(meter.getByRole('alert')).toContainText('Less than a minute of funds left', { timeout: 15_000 });
    const warnedAt = Date.now();
    // ...while the audio still flows, both ways.
    const trunkSamples = (await carrier.receivedAudio()).samples;
    await expectPacketsGrowing(page);
    await expect.poll(async () => (await carrier.receivedAudio()).samples, { timeout: 10_000 }).toBeGreaterThan(trunkSamples + 8_000);

    // The refill the call's reservation set off was declined: the admin is told in the app (event stream).
    await expect(panel.getByTestId('refill-notice')).toContainText('The last automatic refill was declined (1 in a row). Next attempt', { timeout: 10_000 });
    await expect(panel.locator('li[data-refill-status="declined"]').first()).toContainText('Declined: the card was declined · during a call');

    // Nobody hangs up: the proxy cuts the call at its funded second, with a BYE both ways.
    await expect(page.locator('[data-call-state="established"]')).toHaveCount(0, { timeout: fundedSeconds * 1000 });
    const endedAt = Date.now();
    const trunkBye = await trunkClosed;
    const trunkEndedAt = Date.now();
    await expect(page.getByRole('alert').filter({ hasText: 'ran out of funds' })).toHaveText('The phone system ended the call: the Prepaid Account ran out of funds.');
    console.info(`[declined refill] funded ${fundedSeconds} s; warning ${((endsAt - warnedAt) / 1000).toFixed(1)} s before the end; the app's call ended ${((endedAt - endsAt) / 1000).toFixed(2)} s after the meter's end, the trunk's ${((trunkEndedAt - endsAt) / 1000).toFixed(2)} s (${trunkBye.param ?? ''})`);
    // baresip (libre's sipsess) reports a BYE from the other side as ECONNRESET: the trunk was sent the BYE.
    expect(trunkBye.param).toBe('Connection reset by peer');
    expect(endsAt - warnedAt).toBeGreaterThanOrEqual(58_000);
    expect(Math.abs(endedAt - endsAt)).toBeLessThanOrEqual(1_500);

    // The ledger: one charge for the funded seconds at the rate, the declined attempt(s), nothing reserved.
    await expect.poll(async () => (await manager.activity(admin)).filter((item) => item.kind === 'call_charge').length, { timeout: 10_000 }).toBe(1);
    const activity = await manager.activity(admin);
    const charges = activity.filter((item) => item.kind === 'call_charge');
    expect(charges.map((charge) => charge.call?.answeredSeconds)).toEqual([fundedSeconds]);
    expect(charges[0]?.amountMinor).toBe(-callCostMinor(virginIslands, fundedSeconds, 'EUR'));
    expect(activity.filter((item) => item.kind === 'auto_refill')).toHaveLength(0);
    const { refillAttempts } = await api<{ refillAttempts: { status: string; declineCode: string | null; cause: string }[] }>(wallet.managerUrl, admin, 'GET', '/activity?limit=100');
    expect(refillAttempts.length).toBeGreaterThanOrEqual(1);
    expect(refillAttempts.every((attempt) => attempt.status === 'declined' && attempt.declineCode === 'card_declined')).toBe(true);
    expect(refillAttempts.map((attempt) => attempt.cause)).toContain('reservation');
    expect(await manager.wallet(admin)).toMatchObject({ balanceMinor: fundsMinor - callCostMinor(virginIslands, fundedSeconds, 'EUR'), reservedMinor: 0 });
    // The app's activity shows the same one charge.
    await expect(panel.locator('tr[data-kind="call_charge"]')).toHaveCount(1, { timeout: 10_000 });
    console.info(`[declined refill] ${refillAttempts.length} refill attempt(s) declined (${refillAttempts.map((attempt) => attempt.cause).reverse().join(', ')}); one charge of ${-(charges[0]?.amountMinor ?? 0)} cents for ${fundedSeconds} s`);
  } finally {
    await context.close();
  }
});
