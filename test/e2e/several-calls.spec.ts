import { chromium, type Browser, type Page } from '@playwright/test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, chromiumPath } from '../../scripts/lib/chromium.js';
import { expect, test, type Stack } from './fixtures.js';
import { dial, signedInSoftphone, type Softphone } from './softphone.js';

/**
 * Several calls at once and the three-way call (issue 12 §2, §4), with three users in Chromium through the
 * real Kamailio and rtpengine. Bruno (1002) is the one with several calls; Alice (1001) and Chloé (1003)
 * call him or are called. Media is asserted per peer connection (the e2e hook lists them oldest call
 * first): RTP arriving, the negotiated direction of the audio transceiver (sendonly while we hold), and
 * for the three-way call the spectrum of what each party receives, each party's microphone being a tone
 * of its own (Chromium's --use-file-for-fake-audio-capture, one browser per party).
 */

interface Inbound {
  readonly packets: number;
  readonly direction: string | null;
}

/** RTP packets received and the audio transceiver's negotiated direction on the page's `index`th call. */
function inbound(page: Page, index: number): Promise<Inbound> {
  return page.evaluate(async (at) => {
    const pc = window.__cabineE2E?.peerConnections()[at];
    if (pc === undefined) return { packets: -1, direction: null };
    let packets = 0;
    (await pc.getStats()).forEach((report: { type: string; kind?: string; packetsReceived?: number }) => {
      if (report.type === 'inbound-rtp' && report.kind === 'audio') packets += report.packetsReceived ?? 0;
    });
    const transceiver = pc.getTransceivers().find((t) => t.receiver.track.kind === 'audio');
    return { packets, direction: transceiver?.currentDirection ?? null };
  }, index);
}

/** Inbound RTP on call `index` keeps growing (by 25 packets, half a second of audio). */
async function expectAudioOn(page: Page, index: number): Promise<void> {
  const start = (await inbound(page, index)).packets;
  await expect.poll(async () => (await inbound(page, index)).packets, { timeout: 15_000 }).toBeGreaterThan(start + 25);
}

/** The call's audio transceiver settled on `direction` (RFC 3264 8.4: sendonly while we hold, recvonly when held). */
async function expectDirection(page: Page, index: number, direction: RTCRtpTransceiverDirection): Promise<void> {
  await expect.poll(async () => (await inbound(page, index)).direction, { timeout: 15_000 }).toBe(direction);
}

/** Packets that arrived on call `index` over one second (a rate, read once the direction has settled). */
async function packetsPerSecond(page: Page, index: number): Promise<number> {
  const before = (await inbound(page, index)).packets;
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 1_000)));
  return (await inbound(page, index)).packets - before;
}

async function answerOn(page: Page): Promise<void> {
  await expect(page.locator('[data-call-state="incoming"], [data-waiting-call-state="incoming"]').first()).toBeVisible({ timeout: 15_000 });
  await page.getByRole('button', { name: 'Answer' }).click();
}

/** The front call panel says it is the live call with `who`; the other call's card says it is on hold. */
async function expectLive(page: Page, who: RegExp, heldWho: RegExp | null): Promise<void> {
  const front = page.locator('.call-panel[data-call-state="established"]');
  await expect(front.locator('.remote')).toHaveText(who, { timeout: 15_000 });
  await expect(front).toHaveAttribute('data-hold', 'active', { timeout: 15_000 });
  if (heldWho === null) return;
  await expect(front.locator('[data-line-role]')).toHaveAttribute('data-line-role', 'live');
  await expect(front.getByText('Live call')).toBeVisible();
  const held = page.locator('.background-call');
  await expect(held).toHaveCount(1);
  await expect(held.locator('.remote')).toHaveText(heldWho);
  await expect(held).toHaveAttribute('data-line-role', 'held', { timeout: 15_000 });
  await expect(held).toHaveAttribute('data-hold', 'held', { timeout: 15_000 });
}

async function closeAll(phones: readonly Softphone[]): Promise<void> {
  await Promise.allSettled(phones.map((phone) => phone.context.close()));
}

/**
 * The previous test's pages are closed, but Kamailio drops their WebSocket contacts only when it notices
 * (handle_lost_tcp, ~0.5 s): a call to a user with a dead contact forks to it too, and its failure can win
 * over the live phone's 486 (RFC 3261 16.7 best response). Each test starts once no demo user is registered.
 */
test.beforeEach(async ({ stack }) => {
  const demo = stack.users.map((user) => user.username);
  await expect.poll(async () => (await stack.kamailio.registrations()).filter((aor) => demo.includes(aor.split('@')[0] ?? '')), { timeout: 10_000 }).toEqual([]);
});

test.describe('several calls at once', () => {
  test('call waiting, swap, end either, and a new call placed while one is live', async ({ browser, stack }) => {
    const phones = [await signedInSoftphone(browser, stack, 0), await signedInSoftphone(browser, stack, 1), await signedInSoftphone(browser, stack, 2)];
    const [alice, bruno, chloe] = phones as [Softphone, Softphone, Softphone];
    try {
      await dial(alice, bruno.username);
      await answerOn(bruno.page);
      await expectAudioOn(bruno.page, 0);
      await expectAudioOn(alice.page, 0);

      // Chloé calls while Bruno talks: the call-waiting tone over his call, not the ringer.
      await dial(chloe, bruno.username);
      await expect(bruno.page.locator('[data-waiting-call-state="incoming"]')).toBeVisible({ timeout: 15_000 });
      await expect(bruno.page.locator('audio[data-role="call-waiting"]')).toHaveAttribute('data-playing', 'true');
      await expect(bruno.page.locator('audio[data-role="ringtone"]')).toHaveAttribute('data-playing', 'false');
      await bruno.page.getByRole('button', { name: 'Answer' }).click();

      // Answering holds Alice: Bruno talks to Chloé both ways; Alice's call is sendonly from Bruno and her RTP to him stops.
      await expectLive(bruno.page, /Chloé|1003/, /Alice|1001/);
      await expect(bruno.page.locator('audio[data-role="call-waiting"]')).toHaveAttribute('data-playing', 'false');
      await expectAudioOn(bruno.page, 1);
      await expectAudioOn(chloe.page, 0);
      await expectDirection(bruno.page, 0, 'sendonly');
      await expectDirection(alice.page, 0, 'recvonly');
      const fromHeldAlice = await packetsPerSecond(bruno.page, 0);
      expect(fromHeldAlice).toBeLessThan(5);

      // Swap: Alice live again (both ways), Chloé held.
      await bruno.page.getByRole('button', { name: 'Swap' }).click();
      await expectLive(bruno.page, /Alice|1001/, /Chloé|1003/);
      await expectDirection(bruno.page, 0, 'sendrecv');
      await expectDirection(bruno.page, 1, 'sendonly');
      await expectDirection(chloe.page, 0, 'recvonly');
      await expectAudioOn(bruno.page, 0);
      await expectAudioOn(alice.page, 0);
      const fromHeldChloe = await packetsPerSecond(bruno.page, 1);
      expect(fromHeldChloe).toBeLessThan(5);

      // End the held call (Chloé's) from its card: Alice's stays live.
      await bruno.page.getByRole('button', { name: /End the call with/ }).click();
      await expect(chloe.page.locator('[data-call-state]')).toHaveCount(0, { timeout: 15_000 });
      await expect(bruno.page.locator('[data-call-state]')).toHaveCount(1);
      await expectLive(bruno.page, /Alice|1001/, null);
      await expectAudioOn(bruno.page, 0);

      // A new call from the dialer while Alice is live: she goes on hold first, then Chloé rings and answers.
      await dial(bruno, chloe.username);
      await expect(bruno.page.locator('.background-call')).toHaveAttribute('data-hold', 'held', { timeout: 15_000 });
      await answerOn(chloe.page);
      await expectLive(bruno.page, /Chloé|1003/, /Alice|1001/);
      await expectDirection(bruno.page, 0, 'sendonly');
      await expectAudioOn(bruno.page, 1);
      await expectAudioOn(chloe.page, 0);
      console.info(`call waiting: packets/s from the held party ${fromHeldAlice} (Alice), ${fromHeldChloe} (Chloé after the swap)`);

      // End the live one: the held one is left, still held, and can be resumed.
      await bruno.page.locator('.call-panel').getByRole('button', { name: 'Hang up', exact: true }).click();
      await expect(chloe.page.locator('[data-call-state]')).toHaveCount(0, { timeout: 15_000 });
      await expect(bruno.page.locator('.call-panel[data-call-state="established"]')).toHaveAttribute('data-hold', 'held');
      await bruno.page.getByRole('button', { name: 'Resume', exact: true }).click();
      await expect(bruno.page.locator('.call-panel[data-call-state="established"]')).toHaveAttribute('data-hold', 'active', { timeout: 15_000 });
      await expectAudioOn(bruno.page, 0);
      await expectAudioOn(alice.page, 0);
      await bruno.page.getByRole('button', { name: 'Hang up', exact: true }).click();
      await expect(alice.page.locator('[data-call-state]')).toHaveCount(0, { timeout: 15_000 });
    } finally {
      await closeAll(phones);
    }
  });

  test('Do not disturb: the caller hears busy (486), the call is missed in the callee history and never rang', async ({ browser, stack }) => {
    const alice = await signedInSoftphone(browser, stack, 0);
    const bruno = await signedInSoftphone(browser, stack, 1);
    try {
      const dnd = bruno.page.getByRole('button', { name: 'Do not disturb' });
      await dnd.click();
      await expect(dnd).toHaveAttribute('aria-pressed', 'true');
      // Anything that shows a call on Bruno's page is noted, so "it never rang" is checked, not assumed.
      await bruno.page.evaluate(() => {
        const seen = { calls: 0 };
        (window as unknown as { __seen: typeof seen }).__seen = seen;
        new MutationObserver(() => {
          if (document.querySelector('[data-call-state], [data-waiting-call-state]') !== null) seen.calls += 1;
        }).observe(document.body, { childList: true, subtree: true });
      });
      await dial(alice, bruno.username);
      await expect(alice.page.getByRole('alert').filter({ hasText: 'The line is busy' })).toBeVisible({ timeout: 15_000 });
      await expect(alice.page.locator('[data-call-state]')).toHaveCount(0);
      const history = bruno.page.getByTestId('call-history');
      await expect(history.locator('tr[data-direction="incoming"][data-outcome="missed"][data-number="1001"]')).toHaveCount(1, { timeout: 10_000 });
      await expect(alice.page.getByTestId('call-history').locator('tr[data-direction="outgoing"][data-outcome="busy"]')).toHaveCount(1);
      expect(await bruno.page.evaluate(() => (window as unknown as { __seen: { calls: number } }).__seen.calls)).toBe(0);
      await expect(bruno.page.locator('audio[data-role="ringtone"]')).toHaveAttribute('data-playing', 'false');

      // Off again: the next call rings.
      await dnd.click();
      await expect(dnd).toHaveAttribute('aria-pressed', 'false');
      await dial(alice, bruno.username);
      await answerOn(bruno.page);
      await expectAudioOn(bruno.page, 0);
      await alice.page.getByRole('button', { name: 'Hang up', exact: true }).click();
      await expect(bruno.page.locator('[data-call-state]')).toHaveCount(0, { timeout: 15_000 });
    } finally {
      await closeAll([alice, bruno]);
    }
  });
});

/** Each party's microphone: a tone of its own, in bursts (0.4 s on, 0.2 s off) so noise suppression keeps it. */
const tones = { alice: 500, bruno: 800, chloe: 1300 } as const;
type Party = keyof typeof tones;

/** A 16-bit mono WAV of `frequency` bursts, 6 s (Chromium loops the file). */
function toneWav(frequency: number): Buffer {
  const rate = 48_000;
  const samples = rate * 6;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) {
    const inPeriod = (i / rate) % 0.6;
    const envelope = inPeriod < 0.4 ? Math.min(1, inPeriod / 0.01, (0.4 - inPeriod) / 0.01) : 0;
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * frequency * i) / rate) * envelope * 12_000), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/**
 * The level (AnalyserNode dB, floored at -160) of each party's tone in what call `index` receives: the
 * strongest of 3 s of 170 ms analyser frames, so the bursts' on-times are caught.
 */
function toneLevels(page: Page, index: number): Promise<Record<Party, number>> {
  return page.evaluate(
    async ({ at, frequencies }) => {
      const pc = window.__cabineE2E?.peerConnections()[at];
      const track = pc?.getReceivers().find((receiver) => receiver.track.kind === 'audio')?.track;
      if (track === undefined) throw new Error(`no call ${at}`);
      const context = new AudioContext();
      const analyser = context.createAnalyser();
      analyser.fftSize = 8192;
      analyser.smoothingTimeConstant = 0;
      context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
      await context.resume();
      const bins = new Float32Array(analyser.frequencyBinCount);
      const hz = context.sampleRate / analyser.fftSize;
      const best: Record<string, number> = {};
      for (let frame = 0; frame < 18; frame += 1) {
        await new Promise((resolve) => setTimeout(resolve, 170));
        analyser.getFloatFrequencyData(bins);
        for (const [party, frequency] of Object.entries(frequencies)) {
          const centre = Math.round(frequency / hz);
          // Digital silence reads -Infinity.
          const peak = Math.max(-160, ...bins.slice(centre - 2, centre + 3));
          best[party] = Math.max(best[party] ?? -160, peak);
        }
      }
      await context.close();
      return best as Record<'alice' | 'bruno' | 'chloe', number>;
    },
    { at: index, frequencies: tones },
  );
}

/** A tone is heard above this level; one that is not there stays far below it (values printed by the test). */
const heardDb = -60;

/**
 * `heard` tones are present; `absent` ones at least 25 dB under the weakest heard one (measured: heard tones
 * -22 to -24 dB, absent ones -77 to -93 dB, and once -59 dB in the first frames after a split).
 */
function expectHears(levels: Record<Party, number>, heard: readonly Party[], absent: readonly Party[]): void {
  for (const party of heard) expect(levels[party], `${party}'s tone`).toBeGreaterThan(heardDb);
  const weakest = Math.min(...heard.map((party) => levels[party]));
  for (const party of absent) expect(levels[party], `${party}'s tone (absent)`).toBeLessThan(weakest - 25);
}

async function toneBrowser(dir: string, party: Party): Promise<Browser> {
  const file = join(dir, `${party}.wav`);
  await writeFile(file, toneWav(tones[party]));
  return chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs, `--use-file-for-fake-audio-capture=${file}`], headless: true });
}

async function tonePhone(browser: Browser, stack: Stack, index: number): Promise<Softphone> {
  return signedInSoftphone(browser, stack, index);
}

test('three-way call: Bruno merges Alice and Chloé, each hears the other two, then splits', async ({ stack }) => {
  const dir = await mkdtemp(join(tmpdir(), 'cabine-tones-'));
  const browsers: Browser[] = [];
  try {
    for (const party of ['alice', 'bruno', 'chloe'] as const) browsers.push(await toneBrowser(dir, party));
    const [alice, bruno, chloe] = [await tonePhone(browsers[0] as Browser, stack, 0), await tonePhone(browsers[1] as Browser, stack, 1), await tonePhone(browsers[2] as Browser, stack, 2)];
    // Alice calls Bruno; Chloé calls him too and he answers her, which holds Alice.
    await dial(alice, bruno.username);
    await answerOn(bruno.page);
    await expectAudioOn(bruno.page, 0);
    await dial(chloe, bruno.username);
    await expect(bruno.page.locator('[data-waiting-call-state="incoming"]')).toBeVisible({ timeout: 15_000 });
    await bruno.page.getByRole('button', { name: 'Answer' }).click();
    await expectLive(bruno.page, /Chloé|1003/, /Alice|1001/);
    await expectAudioOn(chloe.page, 0);
    const micTrack = await bruno.page.evaluate(() => window.__cabineE2E?.peerConnections()[1]?.getSenders()[0]?.track?.id ?? '');
    expect(micTrack).not.toBe('');

    // Before the merge Chloé hears Bruno only.
    const beforeChloe = await toneLevels(chloe.page, 0);
    console.info(`before the merge Chloé hears ${JSON.stringify(beforeChloe)}`);
    expectHears(beforeChloe, ['bruno'], ['alice']);

    await bruno.page.getByRole('button', { name: 'Merge' }).click();
    await expect(bruno.page.getByRole('button', { name: 'Split' })).toBeVisible({ timeout: 15_000 });
    await expect(bruno.page.locator('[data-line-role="conference"]')).toHaveCount(2, { timeout: 15_000 });
    await expect(bruno.page.locator('.background-call')).toHaveAttribute('data-hold', 'active', { timeout: 15_000 });
    await expectDirection(bruno.page, 0, 'sendrecv');
    await expectDirection(alice.page, 0, 'sendrecv');
    // Bruno's senders now carry the mixes, not the microphone; no renegotiation beyond Alice's resume.
    const mixedTracks = await bruno.page.evaluate(() => window.__cabineE2E?.peerConnections().map((pc) => pc.getSenders()[0]?.track?.id ?? '') ?? []);
    expect(mixedTracks).toHaveLength(2);
    expect(mixedTracks).not.toContain(micTrack);
    expect(new Set(mixedTracks).size).toBe(2);

    const atAlice = await toneLevels(alice.page, 0);
    const atChloe = await toneLevels(chloe.page, 0);
    const atBrunoFromAlice = await toneLevels(bruno.page, 0);
    const atBrunoFromChloe = await toneLevels(bruno.page, 1);
    console.info(
      `three-way, dB above the spectrum median: Alice hears ${JSON.stringify(atAlice)}, Chloé hears ${JSON.stringify(atChloe)}, ` +
        `Bruno hears ${JSON.stringify(atBrunoFromAlice)} from Alice and ${JSON.stringify(atBrunoFromChloe)} from Chloé`,
    );
    expectHears(atAlice, ['bruno', 'chloe'], ['alice']);
    expectHears(atChloe, ['bruno', 'alice'], ['chloe']);
    expectHears(atBrunoFromAlice, ['alice'], ['bruno', 'chloe']);
    expectHears(atBrunoFromChloe, ['chloe'], ['bruno', 'alice']);
    // Bruno plays both: two remote <audio> elements, neither muted.
    await expect.poll(() => bruno.page.evaluate(() => [...document.querySelectorAll<HTMLAudioElement>('audio[data-role="remote"]')].filter((a) => !a.muted && !a.paused).length)).toBe(2);

    // Split: Chloé stays live with Bruno's own microphone, Alice goes back on hold and hears nothing of Chloé.
    await bruno.page.getByRole('button', { name: 'Split' }).click();
    await expectLive(bruno.page, /Chloé|1003/, /Alice|1001/);
    await expectDirection(bruno.page, 0, 'sendonly');
    expect(await bruno.page.evaluate(() => window.__cabineE2E?.peerConnections()[1]?.getSenders()[0]?.track?.id ?? '')).toBe(micTrack);
    const afterChloe = await toneLevels(chloe.page, 0);
    console.info(`after split Chloé hears ${JSON.stringify(afterChloe)}`);
    expectHears(afterChloe, ['bruno'], ['alice']);
    await expectAudioOn(chloe.page, 0);
    await bruno.page.locator('.call-panel').getByRole('button', { name: 'Hang up', exact: true }).click();
    await expect(chloe.page.locator('[data-call-state]')).toHaveCount(0, { timeout: 15_000 });
    await bruno.page.getByRole('button', { name: 'Hang up', exact: true }).click();
    await expect(alice.page.locator('[data-call-state]')).toHaveCount(0, { timeout: 15_000 });
  } finally {
    await Promise.allSettled(browsers.map((browser) => browser.close()));
    await rm(dir, { recursive: true, force: true });
  }
});
