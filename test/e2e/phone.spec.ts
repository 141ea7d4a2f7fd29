import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.js';
// The page's `window.__cabineE2E` type (the hook is only installed with `?e2e=1`).
import type {} from '../../renderer/src/e2e/e2e-hook.js';
import {
  connectionState, dial, expectPacketsGrowing, hangUp, packetsReceived, signedInSoftphone, submitSignIn, type Softphone,
} from './softphone.js';

/**
 * The phone end to end: two Chromium contexts (fake microphones) sign in to a real Kamailio as 1001 and
 * 1002 and call each other. Media is asserted on the RTCPeerConnection itself (connectionState and
 * getStats), reached through the `?e2e=1` hook (renderer/src/e2e/e2e-hook.ts): a SIP session can be
 * established while no audio flows (field notes).
 */

/**
 * Inbound packets received since the previous call of the returned function. Polled with expect.poll,
 * whose intervals (100 ms and up) are several 20 ms RTP packet times: 0 means the stream stopped.
 */
function packetDelta(page: Page): () => Promise<number> {
  let previous: number | null = null;
  return async () => {
    const current = await packetsReceived(page);
    const delta = previous === null ? Number.NaN : current - previous;
    previous = current;
    return delta;
  };
}

async function placeCall(from: Softphone, to: Softphone): Promise<void> {
  await dial(from, to.username);
  await expect(to.page.locator('[data-call-state="incoming"]')).toBeVisible();
}

async function answer(from: Softphone, to: Softphone): Promise<void> {
  await to.page.getByRole('button', { name: 'Answer' }).click();
  for (const phone of [from, to]) {
    await expect(phone.page.locator('[data-call-state="established"]')).toBeVisible();
    await expect.poll(() => connectionState(phone.page)).toBe('connected');
  }
}

test.describe('the phone', () => {
  test('A calls B: ringtone, answer, two-way audio, hang up, history', async ({ browser, stack }) => {
    const a = await signedInSoftphone(browser, stack, 0);
    const b = await signedInSoftphone(browser, stack, 1);

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

    await hangUp(a);
    await expect(b.page.locator('[data-call-state]')).toHaveCount(0);
    await expect(a.page.locator('tr[data-direction="outgoing"][data-number="1002"][data-outcome="answered"]')).toHaveCount(1);
    await expect(b.page.locator('tr[data-direction="incoming"][data-number="1001"][data-outcome="answered"]')).toHaveCount(1);

    await a.context.close();
    await b.context.close();
  });

  test('B decodes the DTMF digits A sends; hold and resume stop and restart the audio', async ({ browser, stack }) => {
    const a = await signedInSoftphone(browser, stack, 0);
    const b = await signedInSoftphone(browser, stack, 1);
    await placeCall(a, b);
    await answer(a, b);
    await expectPacketsGrowing(a.page);

    // DTMF. A: the RTCDTMFSender plays each tone (tonechange). B: the RFC 4733 telephone-event packets that
    // arrived are decoded by the e2e tap (renderer/src/e2e/dtmf-tap-worker.ts); getStats shows none.
    expect(await b.page.evaluate(() => window.__cabineE2E?.dtmfTap ?? false)).toBe(true);
    await a.page.evaluate(() => {
      const sender = window.__cabineE2E?.peerConnections()[0]?.getSenders().find((s) => s.track?.kind === 'audio');
      const played: string[] = [];
      (window as unknown as { playedTones: string[] }).playedTones = played;
      sender?.dtmf?.addEventListener('tonechange', (event) => {
        if (event.tone !== '') played.push(event.tone);
      });
    });
    await a.page.getByRole('button', { name: 'Keypad' }).click();
    const tones = a.page.getByRole('group', { name: 'Send tones' });
    for (const key of ['1', '5', '9', '#']) {
      await tones.getByRole('button', { name: key, exact: true }).click();
      // One digit at a time: insertDTMF replaces a tone still queued, so wait until this one was played.
      await expect.poll(() => a.page.evaluate(() => (window as unknown as { playedTones: string[] }).playedTones.join(''))).toContain(key);
    }
    await expect.poll(() => a.page.evaluate(() => (window as unknown as { playedTones: string[] }).playedTones.join(''))).toBe('159#');
    await expect.poll(() => b.page.evaluate(() => window.__cabineE2E?.receivedDtmf() ?? '')).toBe('159#');


    // Hold (RFC 3264 sendonly): the held side (B) stops sending, so A's inbound packets stop growing.
    await a.page.getByRole('button', { name: 'Hold', exact: true }).click();
    await expect(a.page.locator('[data-call-state="established"]')).toHaveAttribute('data-hold', 'held');
    await expect.poll(packetDelta(a.page), { timeout: 10_000 }).toBe(0);
    // Resume: the audio flows again both ways.
    await a.page.getByRole('button', { name: 'Resume', exact: true }).click();
    await expect(a.page.locator('[data-call-state="established"]')).toHaveAttribute('data-hold', 'active');
    await expectPacketsGrowing(a.page);
    await expectPacketsGrowing(b.page);

    // Escape hangs up (the caller here: see the next test for the callee after a hold).
    await a.page.keyboard.press('Escape');
    for (const phone of [a, b]) await expect(phone.page.locator('[data-call-state]')).toHaveCount(0);
    await a.context.close();
    await b.context.close();
  });

  test('a wrong password says so and stops after a bounded number of REGISTERs', async ({ browser, stack }) => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    let registers = 0;
    page.on('websocket', (socket) => {
      socket.on('framesent', (frame) => {
        if (typeof frame.payload === 'string' && frame.payload.startsWith('REGISTER ')) registers += 1;
      });
    });
    const user = stack.users[0];
    if (user === undefined) throw new Error('no demo user');
    await submitSignIn(page, stack, { username: user.username, password: 'not-the-password' });
    await expect(page.getByRole('status')).toContainText('Wrong username or password');
    // SIP.js answers the first challenge (2 REGISTERs); the second 401 ends it. Give a retry storm the
    // chance to show: the status must stay put and the count must not move while the socket is closed.
    await expect(page.getByRole('status')).toContainText('Wrong username or password');
    expect(registers).toBeLessThanOrEqual(2);
    await expect.poll(() => stack.kamailio.registrations()).not.toContain(user.username);
    // The form is back, ready for the right password.
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('status')).toContainText('Registered');
    expect(registers).toBeLessThanOrEqual(4);
    await context.close();
  });

  test('Kamailio restarts: the phone says so, registers again within 5 s, the call keeps its audio', async ({ browser, stack }) => {
    const a = await signedInSoftphone(browser, stack, 0);
    const b = await signedInSoftphone(browser, stack, 1);
    await placeCall(a, b);
    await answer(a, b);
    await expectPacketsGrowing(a.page);

    const restart = stack.kamailio.restart();
    // The socket drops at once (the server closes it): both phones say they lost the server.
    for (const phone of [a, b]) await expect(phone.page.getByRole('status')).toContainText(/Server unreachable/);
    await restart;
    const restartedAt = Date.now();
    for (const phone of [a, b]) {
      await expect(phone.page.getByRole('status')).toContainText('Registered', { timeout: 5_000 });
    }
    expect(Date.now() - restartedAt).toBeLessThan(5_000);
    await expect
      .poll(async () => (await stack.kamailio.registrations()).sort(), { timeout: 5_000 })
      .toEqual(['1001', '1002']);

    // The call is still up and its audio still flows both ways after the ICE-restart re-INVITEs.
    for (const phone of [a, b]) {
      await expect(phone.page.locator('[data-call-state="established"]')).toBeVisible();
      await expect.poll(() => connectionState(phone.page)).toBe('connected');
      await expectPacketsGrowing(phone.page);
    }
    // A's hang-up reaches B on its new connection: the ICE-restart re-INVITEs refreshed both targets
    // (RFC 3261 12.2) and Kamailio aliased their Contacts to the new WebSockets.
    await hangUp(a);
    await expect(b.page.locator('[data-call-state]')).toHaveCount(0);
    await a.context.close();
    await b.context.close();
  });

  test('the callee can hang up after the caller held and resumed', async ({ browser, stack }) => {
    // A hold re-INVITE is a target refresh (RFC 3261 12.2): Kamailio must alias the Contact of in-dialog
    // requests from WebSocket clients too, or B's BYE later gets 478 and never reaches A.
    const a = await signedInSoftphone(browser, stack, 0);
    const b = await signedInSoftphone(browser, stack, 1);
    await placeCall(a, b);
    await answer(a, b);
    await a.page.getByRole('button', { name: 'Hold', exact: true }).click();
    await expect(a.page.locator('[data-call-state="established"]')).toHaveAttribute('data-hold', 'held');
    await a.page.getByRole('button', { name: 'Resume', exact: true }).click();
    await expect(a.page.locator('[data-call-state="established"]')).toHaveAttribute('data-hold', 'active');
    try {
      await b.page.getByRole('button', { name: 'Hang up' }).click();
      for (const phone of [a, b]) await expect(phone.page.locator('[data-call-state]')).toHaveCount(0);
    } finally {
      await a.context.close();
      await b.context.close();
    }
  });
});
