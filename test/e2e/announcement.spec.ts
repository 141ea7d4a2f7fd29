import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from '@playwright/test';
import { startLocalStack } from '../../deploy/local-stack.js';
import { parsePcmWav, wavDurationMs } from '../../manager/src/announcements/prompt-cache.js';
import { rendererDist } from '../../scripts/lib/renderer-dist.js';
import { startStaticServer } from '../../scripts/lib/static-server.js';
import { defaultSipDomain, demoUsers } from '../../shared/config/defaults.js';
import { expect, type Stack } from './fixtures.js';
import { dial, hangUp, signedInSoftphone } from './softphone.js';

/**
 * The balance announcement heard in Cabine (Chromium, WebRTC through rtpengine): a paid call's caller
 * receives the prompt as early media, over ICE and DTLS-SRTP, before the carrier answers. The proof is
 * the inbound audio's energy (getStats inbound-rtp totalAudioEnergy, RFC 8829 / W3C webrtc-stats) while the
 * call is still ringing, over the prompt's length, sampled in the page every 20 ms.
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

/** One reading of the call's inbound audio and what the page shows. */
interface Sample {
  readonly t: number;
  readonly state: string;
  readonly packets: number;
  readonly energy: number;
}

test('a paid call in Cabine hears the balance as early media before the carrier answers', async ({ browser, stack }) => {
  const alice = await signedInSoftphone(browser, stack, 0);
  // Sampled in the page: the call's state shown and its inbound audio, every 20 ms, from the click on.
  await alice.page.evaluate(() => {
    const samples: { t: number; state: string; packets: number; energy: number }[] = [];
    (window as unknown as { __announceSamples: typeof samples }).__announceSamples = samples;
    const started = performance.now();
    const timer = setInterval(() => {
      const pc = window.__cabineE2E?.peerConnections()[0];
      const state = document.querySelector<HTMLElement>('[data-call-state]')?.dataset['callState'] ?? 'none';
      if (pc === undefined) {
        samples.push({ t: performance.now() - started, state, packets: 0, energy: 0 });
        return;
      }
      void pc.getStats().then((stats) => {
        let packets = 0;
        let energy = 0;
        stats.forEach((report: { type: string; kind?: string; packetsReceived?: number; totalAudioEnergy?: number }) => {
          if (report.type === 'inbound-rtp' && report.kind === 'audio') {
            packets += report.packetsReceived ?? 0;
            energy += report.totalAudioEnergy ?? 0;
          }
        });
        samples.push({ t: performance.now() - started, state, packets, energy });
      });
      if (samples.length > 1500) clearInterval(timer);
    }, 20);
  });
  await dial(alice, '+44 7400 900123');
  await expect(alice.page.locator('[data-call-state="established"]')).toBeVisible({ timeout: 20_000 });
  await hangUp(alice);
  const samples = await alice.page.evaluate(() => (window as unknown as { __announceSamples: Sample[] }).__announceSamples);

  const promptFiles = (await readdir(join(stack.runDir, 'prompts'))).filter((name) => name.endsWith('.wav'));
  expect(promptFiles).toHaveLength(1);
  const promptMs = wavDurationMs(parsePcmWav(await readFile(join(stack.runDir, 'prompts', promptFiles[0] ?? ''))));

  const early = samples.filter((sample) => sample.state !== 'established' && sample.state !== 'none');
  const firstPacket = early.find((sample) => sample.packets > 0);
  const answered = samples.find((sample) => sample.state === 'established');
  const lastEarly = early.at(-1);
  if (firstPacket === undefined || answered === undefined || lastEarly === undefined) throw new Error(`no early media: ${JSON.stringify(samples.slice(0, 5))}`);
  // Speech energy arrived before the answer (a silent stream adds ~0; the prompt at G.711 levels adds far more)...
  const earlyEnergy = lastEarly.energy - firstPacket.energy;
  expect(earlyEnergy).toBeGreaterThan(0.05);
  // ...spread over the prompt's window, not in a burst: energy in both its halves (after the lead silence).
  const at = (ms: number): Sample | undefined => early.find((sample) => sample.t >= firstPacket.t + ms);
  const middle = at(700 + (promptMs - 700) / 2);
  if (middle === undefined) throw new Error('the early media stopped before the middle of the prompt');
  expect(middle.energy - firstPacket.energy).toBeGreaterThan(0.01);
  expect(lastEarly.energy - middle.energy).toBeGreaterThan(0.01);
  // The call was answered only after the prompt had been played.
  expect(answered.t - firstPacket.t).toBeGreaterThan(promptMs - 500);
  const clickToFirstPacket = firstPacket.t - (samples.find((sample) => sample.state !== 'none')?.t ?? 0);
  console.info(
    `announcement in Chromium: prompt ${promptMs} ms, call shown -> first early packet ${Math.round(clickToFirstPacket)} ms, ` +
      `first early packet -> answered ${Math.round(answered.t - firstPacket.t)} ms, early energy ${earlyEnergy.toFixed(3)}, ` +
      `early packets ${lastEarly.packets - firstPacket.packets + 1}`,
  );
  await alice.context.close();
});
