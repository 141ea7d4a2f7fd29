import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page, WebSocket } from '@playwright/test';
import { expect, test, type Stack } from './fixtures.js';
// The page's `window.__cabineE2E` type (the hook is only installed with `?e2e=1`).
import type {} from '../../renderer/src/e2e/e2e-hook.js';
import { connectionState, dial, expectPacketsGrowing, hangUp, submitSignIn, type Softphone } from './softphone.js';

/**
 * Audio devices (issue 12 section 5) with Chromium's fake devices: --use-fake-device-for-media-stream
 * lists "Fake Default Audio Input", "Fake Audio Input 1" and "Fake Audio Input 2", and the same three
 * outputs (measured, Chromium 156; labels once the microphone is allowed). Choosing a device mid-call must
 * not renegotiate: the SIP messages the page sends on its WebSocket are read off the wire and no INVITE
 * follows the first; the media is asserted on getStats (RTP packets still flowing both ways).
 */

interface WiredSoftphone extends Softphone {
  /**
   * The SIP requests this page sent on its WebSockets so far: the method, with " in dialog" when the To
   * header has a tag (a re-INVITE; the initial INVITE and its authenticated retry have none).
   */
  readonly sent: () => string[];
}

/** Signs demo user `index` in with the microphone allowed (device labels) and a tap on its SIP frames. */
async function wiredSoftphone(browser: Browser, stack: Stack, index: number): Promise<WiredSoftphone> {
  const user = stack.users[index];
  if (user === undefined) throw new Error(`no demo user ${index}`);
  const context = await browser.newContext({ locale: 'en-GB', permissions: ['microphone'] });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${user.username}] page error`, error));
  const sent: string[] = [];
  page.on('websocket', (ws: WebSocket) => {
    ws.on('framesent', (frame) => {
      const text = typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8');
      const method = /^([A-Z]+) sip:/.exec(text)?.[1];
      if (method !== undefined) sent.push(/^(To|t):[^\r\n]*;tag=/im.test(text) ? `${method} in dialog` : method);
    });
  });
  await submitSignIn(page, stack, user);
  await expect(page.getByRole('status')).toContainText('Registered');
  return { context, page, username: user.username, sent: () => [...sent] };
}

/** No serious or critical axe violation on the page as it is. */
async function expectAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${what}: ${v.id} ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`)).toEqual([]);
}

async function openSettings(page: Page): Promise<void> {
  const details = page.locator('details.settings');
  if (!(await details.evaluate((el: HTMLDetailsElement) => el.open))) await page.getByRole('heading', { name: 'Settings' }).click();
  await expect(details).toHaveJSProperty('open', true);
}

/** The deviceId Chromium gives the fake device with this label. */
function deviceIdOf(page: Page, kind: MediaDeviceKind, label: string): Promise<string> {
  return page.evaluate(async ([k, l]) => {
    const device = (await navigator.mediaDevices.enumerateDevices()).find((d) => d.kind === k && d.label === l);
    if (device === undefined) throw new Error(`no ${k} "${l}"`);
    return device.deviceId;
  }, [kind, label] as const);
}

/** The label of the track the call's audio sender sends now. */
function sentTrackLabel(page: Page): Promise<string | null> {
  return page.evaluate(() => window.__cabineE2E?.peerConnections()[0]?.getSenders().find((s) => s.track?.kind === 'audio')?.track?.label ?? null);
}

/** RTP audio packets sent on the call's first peer connection (getStats outbound-rtp); -1 without one. */
function packetsSent(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pc = window.__cabineE2E?.peerConnections()[0];
    if (pc === undefined) return -1;
    let packets = 0;
    (await pc.getStats()).forEach((report: { type: string; kind?: string; packetsSent?: number }) => {
      if (report.type === 'outbound-rtp' && report.kind === 'audio') packets += report.packetsSent ?? 0;
    });
    return packets;
  });
}

test.describe('audio devices', () => {
  test('settings list the fake devices; the level meter moves; the test tone plays on the chosen speaker; choices persist', async ({ browser, stack }) => {
    const a = await wiredSoftphone(browser, stack, 0);
    await openSettings(a.page);
    const microphone = a.page.getByLabel('Microphone', { exact: true });
    const speaker = a.page.getByLabel('Speaker', { exact: true });
    const ringer = a.page.getByLabel('Ringtone output', { exact: true });
    for (const select of [microphone, speaker, ringer]) await expect(select).toHaveValue('default');
    await expect(microphone.locator('option')).toHaveText(['System default', 'Fake Audio Input 1', 'Fake Audio Input 2']);
    await expect(speaker.locator('option')).toHaveText(['System default', 'Fake Audio Output 1', 'Fake Audio Output 2']);

    // The fake microphone beeps: the meter (an AnalyserNode on the chosen input) rises above its floor.
    await microphone.selectOption({ label: 'Fake Audio Input 1' });
    const meter = a.page.getByRole('meter', { name: 'Microphone level' });
    await expect.poll(async () => Number(await meter.getAttribute('data-level')), { timeout: 10_000, intervals: [100] }).toBeGreaterThan(0.2);
    await expectAccessible(a.page, 'settings open');

    const output1 = await deviceIdOf(a.page, 'audiooutput', 'Fake Audio Output 1');
    await speaker.selectOption({ label: 'Fake Audio Output 1' });
    await ringer.selectOption({ label: 'Fake Audio Output 2' });
    await a.page.getByRole('button', { name: 'Play a test sound' }).click();
    const testTone = a.page.locator('audio[data-role="test-tone"]');
    await expect(testTone).toHaveAttribute('data-playing', 'true');
    await expect.poll(() => testTone.evaluate((el: HTMLAudioElement & { sinkId: string }) => el.sinkId)).toBe(output1);
    await expect(testTone).toHaveAttribute('data-playing', 'false', { timeout: 5_000 });

    // Persisted like the other settings: a reload shows the same choices.
    await a.page.reload();
    await openSettings(a.page);
    await expect(a.page.getByLabel('Microphone', { exact: true })).toHaveValue(await deviceIdOf(a.page, 'audioinput', 'Fake Audio Input 1'));
    await expect(a.page.getByLabel('Speaker', { exact: true })).toHaveValue(output1);
    await expect(a.page.getByLabel('Ringtone output', { exact: true })).toHaveValue(await deviceIdOf(a.page, 'audiooutput', 'Fake Audio Output 2'));
    // In French too.
    await a.page.getByLabel('Language', { exact: true }).selectOption('fr');
    await expect(a.page.getByLabel('Micro', { exact: true })).toHaveValue(await deviceIdOf(a.page, 'audioinput', 'Fake Audio Input 1'));
    await expect(a.page.getByLabel('Haut-parleur', { exact: true })).toHaveValue(output1);
    await expect(a.page.getByRole('meter', { name: 'Niveau du micro' })).toBeVisible();
    await expect(a.page.getByRole('button', { name: 'Jouer un son d’essai' })).toBeVisible();
    await a.page.getByLabel('Langue', { exact: true }).selectOption('en');
    // The level meter holds the microphone only while the settings are open.
    await a.page.getByRole('heading', { name: 'Settings' }).click();
    await expect.poll(() => a.page.evaluate(() => window.__cabineE2E?.liveAudioTracks() ?? -1)).toBe(0);
    await a.context.close();
  });

  test('mid-call: the microphone switch keeps RTP flowing with no re-INVITE; the speaker switch moves the call audio', async ({ browser, stack }) => {
    const a = await wiredSoftphone(browser, stack, 0);
    const b = await wiredSoftphone(browser, stack, 1);
    await dial(a, b.username);
    await expect(b.page.locator('[data-call-state="incoming"]')).toBeVisible();
    // While it rings, B moves the ringtone to another output: it follows without stopping.
    const ringtone = b.page.locator('audio[data-role="ringtone"]');
    await expect(ringtone).toHaveAttribute('data-playing', 'true');
    await openSettings(b.page);
    const ringOutput = await deviceIdOf(b.page, 'audiooutput', 'Fake Audio Output 1');
    await b.page.getByLabel('Ringtone output', { exact: true }).selectOption({ label: 'Fake Audio Output 1' });
    await expect.poll(() => ringtone.evaluate((el: HTMLAudioElement & { sinkId: string }) => el.sinkId)).toBe(ringOutput);
    await expect(ringtone).toHaveAttribute('data-playing', 'true');
    // B's speaker chosen before the call's audio exists: the call plays there from the start.
    await b.page.getByLabel('Speaker', { exact: true }).selectOption({ label: 'Fake Audio Output 1' });
    await b.page.getByRole('heading', { name: 'Settings' }).click();
    await b.page.getByRole('button', { name: 'Answer' }).click();
    for (const phone of [a, b]) await expect.poll(() => connectionState(phone.page)).toBe('connected');
    await expect.poll(() => b.page.locator('audio[data-role="remote"]').evaluate((el: HTMLAudioElement & { sinkId: string }) => el.sinkId)).toBe(ringOutput);
    await expectPacketsGrowing(b.page);
    expect(await sentTrackLabel(a.page)).toBe('Fake Default Audio Input');
    const renegotiations = (phone: WiredSoftphone): string[] => phone.sent().filter((m) => m === 'INVITE in dialog' || m.startsWith('UPDATE'));
    expect(a.sent()).toContain('INVITE');
    expect([...renegotiations(a), ...renegotiations(b)]).toEqual([]);

    await openSettings(a.page);
    const sentBefore = await packetsSent(a.page);
    await a.page.getByLabel('Microphone', { exact: true }).selectOption({ label: 'Fake Audio Input 2' });
    await expect.poll(() => sentTrackLabel(a.page)).toBe('Fake Audio Input 2');
    // Packets keep leaving A and keep reaching B, on the same peer connection.
    await expect.poll(() => packetsSent(a.page)).toBeGreaterThan(sentBefore + 50);
    await expectPacketsGrowing(b.page, 50);
    expect(await connectionState(a.page)).toBe('connected');

    const output2 = await deviceIdOf(a.page, 'audiooutput', 'Fake Audio Output 2');
    await a.page.getByLabel('Speaker', { exact: true }).selectOption({ label: 'Fake Audio Output 2' });
    const remote = a.page.locator('audio[data-role="remote"]');
    await expect.poll(() => remote.evaluate((el: HTMLAudioElement & { sinkId: string }) => el.sinkId)).toBe(output2);
    await expectPacketsGrowing(a.page);
    await expect(a.page.getByRole('group', { name: 'Call quality' })).toHaveAttribute('data-quality', 'good', { timeout: 15_000 });
    await expectAccessible(a.page, 'call with settings open');

    // Neither side renegotiated: no re-INVITE (nor UPDATE) on either WebSocket.
    expect(renegotiations(a)).toEqual([]);
    expect(renegotiations(b)).toEqual([]);

    // A hold and resume afterwards (a re-INVITE each, which the tap above does see) keeps the switched
    // microphone.
    await a.page.getByRole('button', { name: 'Hold', exact: true }).click();
    await expect(a.page.locator('[data-hold="held"]')).toBeVisible();
    await a.page.getByRole('button', { name: 'Resume', exact: true }).click();
    await expect(a.page.locator('[data-hold="active"]')).toBeVisible();
    await expectPacketsGrowing(b.page);
    expect(renegotiations(a)).toEqual(['INVITE in dialog', 'INVITE in dialog']);
    expect(await sentTrackLabel(a.page)).toBe('Fake Audio Input 2');

    await hangUp(a);
    await expect(b.page.locator('[data-call-state]')).toHaveCount(0);
    // The settings' meter still holds its own track while they are open; the call's are all stopped.
    await a.page.getByRole('heading', { name: 'Settings' }).click();
    await expect.poll(() => a.page.evaluate(() => window.__cabineE2E?.liveAudioTracks() ?? -1)).toBe(0);
    await a.context.close();
    await b.context.close();
  });
});
