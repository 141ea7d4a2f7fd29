import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from '@playwright/test';
import { startLocalStack } from '../../deploy/local-stack.js';
import { loudWindows, wavSamples, windowRms } from '../unit/deploy/support/audio-energy.js';
import { rendererDist } from '../../scripts/lib/renderer-dist.js';
import { startStaticServer } from '../../scripts/lib/static-server.js';
import { defaultSipDomain, demoUsers } from '../../shared/config/defaults.js';
import { expect, type Stack } from './fixtures.js';
import { dial, expectAudioIn, expectPacketsGrowing, hangUp, signedInSoftphone } from './softphone.js';

/**
 * The balance announcement heard in Cabine (Chromium, WebRTC through rtpengine): a paid call's caller
 * receives the prompt as early media, over ICE and DTLS-SRTP, before the carrier answers. The proof is the
 * energy of the audio received before the answer, decoded from each RTP payload by the `?e2e=1` receiver
 * tap (renderer/src/e2e/dtmf-tap-worker.ts: PCMU frames and their arrival times, independent of whether the
 * page plays them), over the prompt's length; the page's call state and ringback are sampled every 20 ms.
 */
const test = base.extend<object, { stack: Stack }>({
  stack: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      if (!existsSync(join(rendererDist, 'index.html'))) throw new Error(`${rendererDist} is missing: build the renderer first`);
      const runDir = await mkdtemp(join(tmpdir(), 'cabine-e2e-announce-'));
      const local = await startLocalStack({ runDir, domain: defaultSipDomain, users: demoUsers, carrier: 'baresip', announcements: true });
      const { kamailio, manager, rtpengine, carrier } = local;
      if (manager === undefined || rtpengine === undefined || carrier === undefined) {
        await local.stop();
        throw new Error('the local stack started without its manager, rtpengine or carrier');
      }
      const web = await startStaticServer({ root: rendererDist, port: 0, runtimeConfig: { sipServer: kamailio.wsUrl, sipDomain: defaultSipDomain, managerUrl: manager.url } });
      try {
        await use({ webUrl: web.url, sipWsUrl: kamailio.wsUrl, domain: defaultSipDomain, users: demoUsers, kamailio, manager, rtpengine, carrier, local, runDir });
      } finally {
        await web.close();
        await local.stop();
        if (process.env['CABINE_KEEP_RUN_DIR'] !== '1') await rm(runDir, { recursive: true, force: true });
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
});

/** One reading of what the page shows, with its time (epoch ms). */
interface Sample {
  readonly at: number;
  readonly state: string;
  readonly packets: number;
  /** The app's own ringback tone (audio-controller.ts) is playing. */
  readonly ringback: boolean;
}

test('a paid call in Cabine hears the balance as early media before the carrier answers', async ({ browser, stack }) => {
  const alice = await signedInSoftphone(browser, stack, 0);
  await alice.page.evaluate(() => {
    const samples: { at: number; state: string; packets: number; ringback: boolean }[] = [];
    (window as unknown as { __announceSamples: typeof samples }).__announceSamples = samples;
    const timer = setInterval(() => {
      const at = Date.now();
      const pc = window.__cabineE2E?.peerConnections()[0];
      const state = document.querySelector<HTMLElement>('[data-call-state]')?.dataset['callState'] ?? 'none';
      const ringback = document.querySelector<HTMLElement>('[data-role="ringback"]')?.dataset['playing'] === 'true';
      if (pc === undefined) {
        samples.push({ at, state, packets: 0, ringback });
        return;
      }
      void pc.getStats().then((stats) => {
        let packets = 0;
        stats.forEach((report: { type: string; kind?: string; packetsReceived?: number }) => {
          if (report.type === 'inbound-rtp' && report.kind === 'audio') packets += report.packetsReceived ?? 0;
        });
        samples.push({ at, state, packets, ringback });
      });
      if (samples.length > 1500) clearInterval(timer);
    }, 20);
  });
  await dial(alice, '+44 7400 900123');
  await expect(alice.page.locator('[data-call-state="established"]')).toBeVisible({ timeout: 20_000 });
  // After the announcement the call is an ordinary one on the same rtpengine session: the carrier's tone
  // arrives, the browser's microphone reaches the carrier, and a hold and resume (re-INVITEs through the
  // proxy's to-tag alias) keep the audio.
  await expectAudioIn(alice.page);
  const carrier = stack.carrier.baresip;
  if (carrier === undefined) throw new Error('the stack runs the baresip carrier');
  await expect.poll(async () => (await carrier.receivedAudio()).peak, { timeout: 10_000 }).toBeGreaterThan(1_000);
  await alice.page.getByRole('button', { name: 'Hold', exact: true }).click();
  await expect(alice.page.locator('[data-call-state="established"]')).toHaveAttribute('data-hold', 'held');
  await alice.page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(alice.page.locator('[data-call-state="established"]')).toHaveAttribute('data-hold', 'active');
  await expectPacketsGrowing(alice.page);
  await hangUp(alice);
  const samples = await alice.page.evaluate(() => (window as unknown as { __announceSamples: Sample[] }).__announceSamples);
  const frames = await alice.page.evaluate(() => window.__cabineE2E?.receivedPcm() ?? []);

  const promptFiles = (await readdir(join(stack.runDir, 'prompts'))).filter((name) => name.endsWith('.wav'));
  expect(promptFiles).toHaveLength(1);
  const prompt = await wavSamples(join(stack.runDir, 'prompts', promptFiles[0] ?? ''));
  const promptMs = (prompt.samples.length / prompt.sampleRate) * 1000;

  const shown = samples.find((sample) => sample.state !== 'none');
  const answered = samples.find((sample) => sample.state === 'established');
  if (shown === undefined || answered === undefined) throw new Error('the call was never shown or answered');
  // Everything received before the page showed the call answered: the early media.
  const early = frames.filter((frame) => frame.at < answered.at);
  const first = early[0];
  const last = early.at(-1);
  if (first === undefined || last === undefined) throw new Error(`no audio before the answer (${frames.length} frames in all)`);
  // Speech, not silence: nearly as many loud 20 ms frames as the prompt has (G.711 and the resampler change
  // levels, not where the words are), spread over the prompt's length.
  const promptLoud = loudWindows(windowRms(prompt.samples, prompt.sampleRate, 20));
  const loud = early.filter((frame) => frame.rms > 300);
  expect(loud.length).toBeGreaterThanOrEqual(Math.floor(promptLoud * 0.7));
  expect((loud.at(-1)?.at ?? 0) - (loud[0]?.at ?? 0)).toBeGreaterThan((promptMs - 700) * 0.7);
  expect(last.at - first.at).toBeGreaterThan(promptMs - 700);
  // The app's ringback stops once the network's audio plays (RFC 3960): nothing of ours over the prompt.
  expect(samples.filter((sample) => sample.at > first.at + 300 && sample.at < answered.at && sample.ringback)).toEqual([]);
  // The call was answered only after the prompt had been played.
  expect(answered.at - first.at).toBeGreaterThan(promptMs - 700);
  console.info(
    `announcement in Chromium: prompt ${Math.round(promptMs)} ms, call shown -> first early frame ${Math.round(first.at - shown.at)} ms, ` +
      `first early frame -> answered ${Math.round(answered.at - first.at)} ms, ${early.length} early frames, ${loud.length} loud (prompt: ${promptLoud})`,
  );
  await alice.context.close();
});
