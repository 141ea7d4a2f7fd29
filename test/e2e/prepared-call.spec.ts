import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';
import type {} from '../../renderer/src/e2e/e2e-hook.js';
import { connectionState, expectPacketsGrowing, hangUp, signedInSoftphone } from './softphone.js';

/**
 * A call readied before the click (SipAdapter.prepareCall): the prepared microphone and peer connection
 * carry the call (two-way audio), ending it leaves no live microphone, and a set nobody calls with is
 * released after the idle time (`?preparedIdleMs=`, e2e pages only).
 */

const liveAudioTracks = (page: Page): Promise<number> => page.evaluate(() => window.__cabineE2E?.liveAudioTracks() ?? -1);

test.describe('a prepared call', () => {
  test('typing readies the microphone; the call uses it, has audio, and hanging up leaves none open', async ({ browser, stack }) => {
    const a = await signedInSoftphone(browser, stack, 0);
    const b = await signedInSoftphone(browser, stack, 1);
    expect(await liveAudioTracks(a.page)).toBe(0);

    await a.page.getByLabel('Number').pressSequentially(b.username);
    await a.page.evaluate(() => window.__cabineE2E?.prepareCall());
    await expect.poll(() => liveAudioTracks(a.page)).toBe(1);
    await a.page.getByRole('button', { name: 'Call', exact: true }).click();
    await expect(b.page.locator('[data-call-state="incoming"]')).toBeVisible();
    // The call took the prepared microphone: it opened no second one.
    expect(await liveAudioTracks(a.page)).toBe(1);

    await b.page.getByRole('button', { name: 'Answer' }).click();
    for (const phone of [a, b]) await expect.poll(() => connectionState(phone.page)).toBe('connected');
    await expectPacketsGrowing(a.page);
    await expectPacketsGrowing(b.page);

    await hangUp(a);
    await expect(b.page.locator('[data-call-state]')).toHaveCount(0);
    await expect.poll(() => liveAudioTracks(a.page)).toBe(0);
    await expect.poll(() => liveAudioTracks(b.page)).toBe(0);
    await a.context.close();
    await b.context.close();
  });

  test('a set nobody calls with is released after the idle time', async ({ browser, stack }) => {
    const user = stack.users[0];
    if (user === undefined) throw new Error('no demo user');
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${stack.webUrl}?e2e=1&preparedIdleMs=400`);
    await page.getByLabel('Server').fill(stack.sipWsUrl);
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByLabel('Domain').fill(stack.domain);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('status')).toContainText('Registered');

    await page.evaluate(() => window.__cabineE2E?.prepareCall());
    await expect.poll(() => liveAudioTracks(page)).toBe(1);
    await expect.poll(() => liveAudioTracks(page), { timeout: 5_000 }).toBe(0);
    await context.close();
  });
});
