/**
 * The in-call meter and the proxy agree (issue 10, section 4): in Chromium against the whole local stack,
 * a paid call whose funds are bound by the daily cap (not by the 25 EUR balance the quote saw) shows the
 * manager's funded time, the one-minute warning first, follows a mid-call extension (the admin raises the
 * cap; the proxy's CALL_EXTEND asks 20 s before the cut), and the proxy cuts the call within 1 s of where
 * the meter said it would end. The old meter, from the quote's balance, would have shown over an hour.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from '@playwright/test';
import { startLocalStack } from '../../deploy/local-stack.js';
import { freePort } from '../../scripts/lib/free-port.js';
import { rendererDist } from '../../scripts/lib/renderer-dist.js';
import { startStaticServer } from '../../scripts/lib/static-server.js';
import { demo, expect, api, apiToken, openPhone, type WalletStack } from './wallet-fixtures.js';

/**
 * A stack of its own, not the worker's shared one: the call below is charged, and the wallet tests after it
 * expect the demo top-up to be whole (they empty the wallet by cancelling it).
 */
const test = base.extend<{ meterStack: WalletStack }>({
  // eslint-disable-next-line no-empty-pattern
  meterStack: async ({}, use) => {
    const runDir = await mkdtemp(join(tmpdir(), 'cabine-meter-e2e-'));
    const webPort = await freePort();
    const stack = await startLocalStack({ runDir, managerEnv: { CABINE_APP_ORIGINS: `http://127.0.0.1:${webPort}`, CABINE_EVENTS_POLL_MS: '200' } });
    try {
      if (stack.manager === undefined) throw new Error('the local stack started without a manager');
      const web = await startStaticServer({ root: rendererDist, port: webPort, runtimeConfig: {} });
      try {
        await use({ stack, webUrl: web.url, managerUrl: stack.manager.url });
      } finally {
        await web.close();
      }
    } finally {
      await stack.stop();
      await rm(runDir, { recursive: true, force: true });
    }
  },
});

const number = '+1 340 555 0100';

test('the meter shows the manager\'s funded time, warns first, follows an extension, and the proxy cuts where it said', async ({ browser, meterStack: wallet }) => {
  test.setTimeout(180_000);
  const admin = await apiToken(wallet.managerUrl, demo.admin.email, demo.admin.password);
  const view = await api<{ balanceMinor: number; spentTodayMinor: number; dailyCapMinor: number | null }>(wallet.managerUrl, admin, 'GET', '/wallet');
  expect(view.balanceMinor).toBeGreaterThan(1000);
  // 0.40 EUR of the day left: 74 s at 0.322 EUR/min, whatever the balance.
  await api(wallet.managerUrl, admin, 'PUT', '/company/daily-cap', { dailyCapMinor: view.spentTodayMinor + 40 });
  const { context, page } = await openPhone(browser, wallet);
  try {
    await page.getByLabel('Manager address').fill(wallet.managerUrl);
    await page.getByLabel('Email').fill(demo.admin.email);
    await page.getByLabel('Password', { exact: true }).fill(demo.admin.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.locator('p[data-registration="registered"]')).toBeVisible({ timeout: 15_000 });
    await expect(page.getByRole('region', { name: 'Wallet' })).toContainText('Live', { timeout: 20_000 });
    await page.getByLabel('Number', { exact: true }).fill(number);
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const gate = page.getByRole('dialog', { name: 'Paid call' });
    await gate.getByRole('button', { name: 'Call' }).click();
    await expect(page.locator('[data-call-state="established"]').first()).toBeVisible({ timeout: 15_000 });
    const timeLeft = page.getByTestId('meter-time-left');
    // The manager's funded time for this call, not the balance's.
    await expect(timeLeft).toHaveAttribute('data-funded-seconds', '74', { timeout: 5_000 });
    expect(Number(await timeLeft.getAttribute('data-seconds-left'))).toBeLessThanOrEqual(74);
    const meter = page.getByRole('region', { name: 'Paid call' });
    // 74 s funded: the one-minute warning is up within the first 15 s.
    await expect(meter.getByRole('alert')).toContainText('Less than a minute', { timeout: 16_000 });

    // The admin gives the day 0.10 EUR more (18 s) during the call: 20 s before the cut the proxy extends
    // the call, and the meter moves to the new cap.
    await api(wallet.managerUrl, admin, 'PUT', '/company/daily-cap', { dailyCapMinor: view.spentTodayMinor + 50 });
    await expect(timeLeft).toHaveAttribute('data-funded-seconds', '93', { timeout: 70_000 });
    const endsAt = Number(await timeLeft.getAttribute('data-ends-at'));
    await expect(meter.getByRole('alert')).toBeVisible();
    // The proxy's cut: the call ends in the app by itself (nobody hangs up).
    await expect(page.locator('[data-call-state="established"]')).toHaveCount(0, { timeout: 40_000 });
    const endedAt = Date.now();
    console.info(`[meter] funded 74 s then 93 s; the meter said the call ends at +${((endsAt - endedAt) / 1000).toFixed(2)} s of the proxy's cut`);
    expect(Math.abs(endedAt - endsAt)).toBeLessThanOrEqual(1_000);
  } finally {
    await context.close();
  }
});

test('a declined refill, its retry and its attempt are shown in the app in French, from the manager\'s codes', async ({ browser, meterStack: wallet }) => {
  const admin = await apiToken(wallet.managerUrl, demo.admin.email, demo.admin.password);
  const { context, page } = await openPhone(browser, wallet, 'fr-FR');
  try {
    await page.getByLabel('Adresse du gestionnaire').fill(wallet.managerUrl);
    await page.getByLabel('E-mail').fill(demo.admin.email);
    await page.getByLabel('Mot de passe', { exact: true }).fill(demo.admin.password);
    await page.getByRole('button', { name: 'Se connecter', exact: true }).click();
    const panel = page.getByRole('region', { name: 'Compte prépayé' });
    await expect(panel).toContainText('En direct', { timeout: 20_000 });
    // A declining card, and a level above the balance: turning refill on tries at once, and the card declines.
    await api(wallet.managerUrl, admin, 'PUT', '/wallet/card', { number: '4000000000000002', expMonth: 12, expYear: 2099, cvc: '123' });
    await api(wallet.managerUrl, admin, 'PUT', '/wallet/auto-refill', { enabled: true, thresholdMinor: 5000, amountMinor: 2500 });
    // Pushed by the event stream: no reload.
    await expect(panel.getByTestId('refill-notice')).toContainText('La dernière recharge automatique a été refusée (1 de suite). Prochaine tentative', { timeout: 10_000 });
    await expect(panel.locator('li[data-refill-status="declined"]')).toContainText('Refusée : la carte a été refusée · réglages enregistrés · tentative 1');
    await expect(panel).not.toContainText('declined');
  } finally {
    await context.close();
  }
});
