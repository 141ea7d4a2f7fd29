/**
 * The one call path end to end (issue 9), in Chromium against the real local stack: the cost of the
 * number shows while it is typed (the manager's quote, its verdict), and the microphone the dialer readies
 * for the next call is released again when nobody dials.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import { api, apiToken, demo, expect, openPhone, test, type WalletStack } from './wallet-fixtures.js';

test.describe.configure({ mode: 'serial' });

/** Makes sure the Prepaid Account holds money, whatever the specs before this one did with it. */
async function fundWallet(wallet: WalletStack): Promise<void> {
  const token = await apiToken(wallet.managerUrl, demo.admin.email, demo.admin.password);
  const { balanceMinor } = await api<{ balanceMinor: number }>(wallet.managerUrl, token, 'GET', '/wallet');
  if (balanceMinor >= 1000) return;
  const response = await fetch(`${wallet.managerUrl}/api/v1/wallet/topups`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ amountMinor: 2500, currency: 'EUR' }),
  });
  if (response.status !== 201) throw new Error(`top-up: HTTP ${response.status} ${await response.text()}`);
}

async function signIn(page: Page, wallet: WalletStack, account: { email: string; password: string }): Promise<void> {
  await page.getByLabel('Manager address').fill(wallet.managerUrl);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('p[data-registration="registered"]')).toBeVisible({ timeout: 15_000 });
}

test.describe('the call path', () => {
  test('the cost shows as you type: an included, a paid and a premium number, before anyone presses Call', async ({ browser, wallet }) => {
    await fundWallet(wallet);
    const { context, page } = await openPhone(browser, wallet);
    try {
      await signIn(page, wallet, demo.admin);
      const number = page.getByLabel('Number', { exact: true });
      const cost = page.getByTestId('cost-line');

      await number.pressSequentially('0123456789');
      await expect(cost).toHaveAttribute('data-cost-kind', 'included');
      await expect(cost).toHaveText('Included in your plan');

      // A US landline: paid from the wallet. The line carries the manager's rate, balance and minutes.
      await number.fill('');
      await number.pressSequentially('+16502530000');
      await expect(cost).toHaveAttribute('data-cost-kind', 'paid');
      await expect(cost).toHaveText(/^€0\.\d+\/min · balance €\d+\.\d\d · \d+ min$/);

      // A French premium-rate number: the warning is in the line already.
      await number.fill('');
      await number.pressSequentially('0899123456');
      await expect(cost).toHaveAttribute('data-cost-kind', 'premium');
      await expect(cost).toHaveText(/^Premium-rate number: €\d+\.\d+\/min · balance €\d+\.\d\d · \d+ min$/);

      // Call: the premium dialog opens from the quote already in hand; Cancel places nothing.
      await page.getByRole('button', { name: 'Call', exact: true }).click();
      const premium = page.getByRole('alertdialog', { name: 'Premium number' });
      await expect(premium).toBeVisible();
      await premium.getByRole('button', { name: 'Cancel' }).click();
      await expect(page.locator('[data-call-state]')).toHaveCount(0);

      // The field cleared by the call: no line.
      await expect(number).toHaveValue('');
      await expect(cost).toHaveAttribute('data-cost-kind', 'none');
    } finally {
      await context.close();
    }
  });

  test('the microphone readied by a key press is released after the idle time: no live audio track', async ({ browser, wallet }) => {
    const context = await browser.newContext({ locale: 'en-GB' });
    // Count the microphone tracks the page holds, from outside the app.
    await context.addInitScript(() => {
      const tracks: MediaStreamTrack[] = [];
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (constraints) => {
        const stream = await original(constraints);
        tracks.push(...stream.getAudioTracks());
        return stream;
      };
      Object.assign(window, { __liveMicTracks: () => tracks.filter((track) => track.readyState === 'live').length, __micTracks: () => tracks.length });
    });
    const page = await context.newPage();
    try {
      await page.goto(`${wallet.webUrl}?e2e=1&preparedIdleMs=1500`);
      await signIn(page, wallet, demo.employee);
      const live = (): Promise<number> => page.evaluate(() => (window as unknown as { __liveMicTracks: () => number }).__liveMicTracks());
      expect(await live()).toBe(0);

      await page.getByLabel('Number', { exact: true }).pressSequentially('10');
      // Readied at the first key press...
      await page.waitForFunction(() => (window as unknown as { __liveMicTracks: () => number }).__liveMicTracks() === 1);
      // ...and released once nobody has typed for the idle time (1.5 s here, 30 s by default).
      await page.waitForFunction(() => (window as unknown as { __micTracks: () => number; __liveMicTracks: () => number }).__micTracks() >= 1 && (window as unknown as { __liveMicTracks: () => number }).__liveMicTracks() === 0, undefined, { timeout: 10_000 });
      expect(await live()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
