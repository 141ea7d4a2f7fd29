import type { Browser, Page } from '@playwright/test';
import { expect, test, type Stack } from './fixtures.js';
import type {} from '../../renderer/src/e2e/e2e-hook.js';
import { mediaProbeScript } from '../../bench/media-probe.js';
import { connectionState, dial, expectPacketsGrowing, hangUp, submitSignIn, type Softphone } from './softphone.js';

/**
 * A call readied before the click (SipAdapter.prepareCall): the prepared microphone and peer connection
 * carry the call (two-way audio), ending it leaves no live microphone, and a set nobody calls with is
 * released after the idle time (`?preparedIdleMs=`, e2e pages only). The hang-up's BYE is answered 200 by
 * the other side: an unanswered one kept the call's SIP.js objects in the page (issue 9, the heap). An
 * incoming call is readied while it rings (prepared-answer.ts): its offer applied, the microphone open; an
 * unanswered one releases both.
 */

/** A signed-in softphone whose SIP messages, as they cross its WebSocket, are kept in `sent` and `received`. */
async function tappedSoftphone(browser: Browser, stack: Stack, index: number) {
  const user = stack.users[index];
  if (user === undefined) throw new Error(`no demo user ${index}`);
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  const sent: string[] = [];
  const received: string[] = [];
  page.on('websocket', (socket) => {
    socket.on('framesent', ({ payload }) => void (typeof payload === 'string' && sent.push(payload)));
    socket.on('framereceived', ({ payload }) => void (typeof payload === 'string' && received.push(payload)));
  });
  await submitSignIn(page, stack, user);
  await expect(page.getByRole('status')).toContainText('Registered');
  const phone: Softphone = { context, page, username: user.username };
  return { ...phone, sent, received };
}

/** A final response to a BYE among `messages`: its status code, or null when there is none. */
function byeAnswer(messages: readonly string[]): number | null {
  const response = messages.find((m) => m.startsWith('SIP/2.0 ') && /\r\nCSeq:\s*\d+\s+BYE\r\n/i.test(m) && !m.startsWith('SIP/2.0 1'));
  return response === undefined ? null : Number(response.slice(8, 11));
}

const liveAudioTracks = (page: Page): Promise<number> => page.evaluate(() => window.__cabineE2E?.liveAudioTracks() ?? -1);

test.describe('a prepared call', () => {
  test('typing readies the microphone; the call uses it, has audio; the hang-up is answered 200 and leaves none open', async ({ browser, stack }) => {
    const a = await tappedSoftphone(browser, stack, 0);
    const b = await tappedSoftphone(browser, stack, 1);
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
    // B answered A's BYE, and the 200 reached A (not a 408 from the proxy after its timer).
    await expect.poll(() => byeAnswer(b.sent), { timeout: 5_000 }).toBe(200);
    await expect.poll(() => byeAnswer(a.received), { timeout: 5_000 }).toBe(200);
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

/** The peer connections a page made, newest last, noted by bench/media-probe.ts's probe (installed first). */
const probedConnections = (page: Page) =>
  page.evaluate(() =>
    (window.__benchMediaProbe?.connections ?? []).map((pc) => ({ signaling: pc.signalingState, remote: pc.remoteDescription?.type ?? null })),
  );

/** A signed-in softphone whose page notes every RTCPeerConnection it makes. */
async function probedSoftphone(browser: Browser, stack: Stack, index: number): Promise<Softphone> {
  const user = stack.users[index];
  if (user === undefined) throw new Error(`no demo user ${index}`);
  const context = await browser.newContext({ locale: 'en-GB' });
  await context.addInitScript(mediaProbeScript);
  const page = await context.newPage();
  await submitSignIn(page, stack, user);
  await expect(page.getByRole('status')).toContainText('Registered');
  return { context, page, username: user.username };
}

test.describe('an incoming call readied while it rings', () => {
  test('its peer connection holds the offer and its microphone is open before Answer; the answer uses them, with audio both ways', async ({ browser, stack }) => {
    const a = await probedSoftphone(browser, stack, 0);
    const b = await probedSoftphone(browser, stack, 1);
    await dial(a, b.username);
    await expect(b.page.locator('[data-call-state="incoming"]')).toBeVisible();
    // Ringing: one peer connection with the INVITE's offer applied, and the microphone open, before Answer.
    await expect.poll(() => probedConnections(b.page)).toEqual([{ signaling: 'have-remote-offer', remote: 'offer' }]);
    await expect.poll(() => liveAudioTracks(b.page)).toBe(1);

    await b.page.getByRole('button', { name: 'Answer' }).click();
    for (const phone of [a, b]) await expect.poll(() => connectionState(phone.page)).toBe('connected');
    await expectPacketsGrowing(a.page);
    await expectPacketsGrowing(b.page);
    // The call runs on the connection readied while it rang: no second one, no second microphone.
    expect(await b.page.evaluate(() => window.__cabineE2E?.peerConnections()[0] === window.__benchMediaProbe?.connections[0])).toBe(true);
    expect(await liveAudioTracks(b.page)).toBe(1);

    await hangUp(a);
    await expect(b.page.locator('[data-call-state]')).toHaveCount(0);
    await expect.poll(() => liveAudioTracks(b.page)).toBe(0);
    await a.context.close();
    await b.context.close();
  });

  test('a declined call and a call cancelled while ringing release the microphone and the peer connection', async ({ browser, stack }) => {
    const a = await probedSoftphone(browser, stack, 0);
    const b = await probedSoftphone(browser, stack, 1);

    await dial(a, b.username);
    await expect(b.page.locator('[data-call-state="incoming"]')).toBeVisible();
    await expect.poll(() => liveAudioTracks(b.page)).toBe(1);
    await b.page.getByRole('button', { name: 'Decline' }).click();
    await expect(a.page.locator('[data-call-state]')).toHaveCount(0);
    await expect(b.page.locator('[data-call-state]')).toHaveCount(0);
    await expect.poll(() => liveAudioTracks(b.page)).toBe(0);
    await expect.poll(() => probedConnections(b.page)).toEqual([{ signaling: 'closed', remote: 'offer' }]);

    await dial(a, b.username);
    await expect(b.page.locator('[data-call-state="incoming"]')).toBeVisible();
    await expect.poll(() => liveAudioTracks(b.page)).toBe(1);
    await hangUp(a);
    await expect(b.page.locator('[data-call-state]')).toHaveCount(0);
    await expect.poll(() => liveAudioTracks(b.page)).toBe(0);
    await expect.poll(() => probedConnections(b.page)).toEqual([
      { signaling: 'closed', remote: 'offer' },
      { signaling: 'closed', remote: 'offer' },
    ]);
    await a.context.close();
    await b.context.close();
  });
});
