import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, test, type Stack } from './fixtures.js';
// The page's `window.__cabineE2E` type (the hook is only installed with `?e2e=1`).
import type {} from '../../renderer/src/e2e/e2e-hook.js';

/**
 * The phone end to end: two Chromium contexts (fake microphones) sign in to a real Kamailio as 1001 and
 * 1002 and call each other. Media is asserted on the RTCPeerConnection itself (connectionState and
 * getStats), reached through the `?e2e=1` hook (renderer/src/e2e/e2e-hook.ts): a SIP session can be
 * established while no audio flows (field notes).
 */

interface Phone {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly username: string;
}

async function openPhone(browser: Browser, stack: Stack, index: number, password?: string): Promise<Phone> {
  const user = stack.users[index];
  if (user === undefined) throw new Error(`no demo user ${index}`);
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${user.username}] page error`, error));
  await page.goto(`${stack.webUrl}?e2e=1`);
  await page.getByLabel('Server').fill(stack.sipWsUrl);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(password ?? user.password);
  await page.getByLabel('Domain').fill(stack.domain);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return { context, page, username: user.username };
}

async function signedIn(browser: Browser, stack: Stack, index: number): Promise<Phone> {
  const phone = await openPhone(browser, stack, index);
  await expect(phone.page.getByRole('status')).toContainText('Registered');
  return phone;
}

/** RTP audio packets received on the call's (first) peer connection, from getStats inbound-rtp. */
function packetsReceived(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pc = window.__cabineE2E?.peerConnections()[0];
    if (pc === undefined) return -1;
    let packets = 0;
    (await pc.getStats()).forEach((report: { type: string; kind?: string; packetsReceived?: number }) => {
      if (report.type === 'inbound-rtp' && report.kind === 'audio') packets += report.packetsReceived ?? 0;
    });
    return packets;
  });
}

function connectionState(page: Page): Promise<string> {
  return page.evaluate(() => window.__cabineE2E?.peerConnections()[0]?.connectionState ?? 'none');
}

/** Resolves once inbound packets grew by at least `by` over a later reading (no fixed sleeps). */
async function expectPacketsGrowing(page: Page, by = 10): Promise<void> {
  const start = await packetsReceived(page);
  await expect.poll(() => packetsReceived(page), { timeout: 10_000 }).toBeGreaterThan(start + by);
}

async function placeCall(from: Phone, to: Phone): Promise<void> {
  await from.page.getByLabel('Number').fill(to.username);
  await from.page.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(to.page.locator('[data-call-state="incoming"]')).toBeVisible();
}

async function answer(from: Phone, to: Phone): Promise<void> {
  await to.page.getByRole('button', { name: 'Answer' }).click();
  for (const phone of [from, to]) {
    await expect(phone.page.locator('[data-call-state="established"]')).toBeVisible();
    await expect.poll(() => connectionState(phone.page)).toBe('connected');
  }
}

test.describe('the phone', () => {
  test('A calls B: ringtone, answer, two-way audio, hang up, history', async ({ browser, stack }) => {
    const a = await signedIn(browser, stack, 0);
    const b = await signedIn(browser, stack, 1);

    await placeCall(a, b);
    // B rings: the generated ringtone plays through its <audio> element; A hears the ringback.
    const ringtone = b.page.locator('audio[data-role="ringtone"]');
    await expect(ringtone).toHaveAttribute('data-playing', 'true');
    await expect.poll(() => ringtone.evaluate((el: HTMLAudioElement) => !el.paused)).toBe(true);
    await expect(a.page.locator('[data-call-state="ringing"]')).toBeVisible();
    await expect(a.page.locator('audio[data-role="ringback"]')).toHaveAttribute('data-playing', 'true');

    await answer(a, b);
    await expect(ringtone).toHaveAttribute('data-playing', 'false');
    await expect(a.page.locator('audio[data-role="ringback"]')).toHaveAttribute('data-playing', 'false');
    await expectPacketsGrowing(a.page);
    await expectPacketsGrowing(b.page);

    await a.page.getByRole('button', { name: 'Hang up' }).click();
    for (const phone of [a, b]) {
      await expect(phone.page.locator('[data-call-state]')).toHaveCount(0);
    }
    await expect(a.page.locator('tr[data-direction="outgoing"][data-number="1002"][data-outcome="answered"]')).toHaveCount(1);
    await expect(b.page.locator('tr[data-direction="incoming"][data-number="1001"][data-outcome="answered"]')).toHaveCount(1);

    await a.context.close();
    await b.context.close();
  });
});
