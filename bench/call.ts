/**
 * `npm run bench:call`: call set-up through the local Kamailio, measured in real Chromium pages with fake
 * microphones, for the Cabine app and for a bare SIP.js page (bench/bare-sipjs) in the same run.
 *
 * Per call it records, as epoch milliseconds taken inside the pages:
 * - click → INVITE sent: the Call click until SIP.js has sent the INVITE (app mark `cabine:invite-sent`);
 *   the app's number is typed key by key 50 ms before the click, which readies the call (prepareCall), the
 *   bare page has nothing to ready;
 * - INVITE → ringing at the callee: until the callee has sent 180 Ringing (`cabine:incoming-ringing`);
 * - answer → media flowing: the Answer click until both sides have received their first RTP packet, read by
 *   the same probe in both kinds of page (bench/media-probe.ts); and, to tell the callee's part from the
 *   network's, answer → the callee's 200 OK sent.
 * It prints median and p95 of each, for both, and the ratio app / bare of the medians. The app's pages are
 * the production page (no `?e2e=1`: its DTMF tap puts an encoded transform on every received stream).
 */
import { chromium, type Browser, type Page } from '@playwright/test';
import { build } from 'esbuild';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startKamailio } from '../deploy/kamailio-process.js';
import { defaultSipDomain, demoUsers } from '../shared/config/defaults.js';
import { chromiumArgs, chromiumPath } from '../scripts/lib/chromium.js';
import { freePort } from '../scripts/lib/free-port.js';
import { startStaticServer } from '../scripts/lib/static-server.js';
import { measureWalletCalls } from './call-wallet.js';
import type {} from './bare-sipjs/bare-phone.js';
import { rendererDist } from '../scripts/lib/renderer-dist.js';
import { firstRtpTime, lastOkSent, mediaProbeScript, waitForRemoteAudio } from './media-probe.js';

const calls = Number(process.env.BENCH_CALLS ?? 25);
const warmup = 2;
/** Between the last digit and Call (people take longer; the readied microphone needs ~300 ms to open here). */
export const thinkMs = Number(process.env.BENCH_THINK_MS ?? 300);
/**
 * Between the callee's 180 Ringing and its Answer click, on both kinds of page alike (people let a phone
 * ring a second or more; the app readies the answer meanwhile, prepared-answer.ts).
 */
export const ringMs = Number(process.env.BENCH_RING_MS ?? 0);
const heapCalls = Number(process.env.BENCH_HEAP_CALLS ?? 100);
/** Calls on the heap pages before the heap is first read (bench/call-wallet.ts says why). */
const heapWarmup = Number(process.env.BENCH_HEAP_WARMUP ?? 25);
const starts = Number(process.env.BENCH_STARTS ?? 10);
/** BENCH_WALLET=0 prints the first table only (no local stack), for quick A/B work on the call set-up. */
const walletPart = process.env.BENCH_WALLET !== '0';

interface Sample {
  readonly clickToInvite: number;
  readonly inviteToRinging: number;
  readonly answerToMedia: number;
  readonly answerToOk: number;
}

/** A pair of pages that can call each other and report the three moments of each call. */
interface Harness {
  oneCall(): Promise<Sample>;
  close(): Promise<void>;
}

/** The epoch time of the newest User Timing mark `name`, once there are more than `count` of them. */
function markAfter(page: Page, name: string, count: number): Promise<number> {
  return page
    .waitForFunction(
      ({ name: n, count: c }) => {
        const marks = performance.getEntriesByName(n);
        const last = marks[marks.length - 1];
        return marks.length > c && last !== undefined ? performance.timeOrigin + last.startTime : false;
      },
      { name, count },
      { polling: 'raf' },
    )
    .then((handle) => handle.jsonValue() as Promise<number>);
}

const markCount = (page: Page, name: string): Promise<number> =>
  page.evaluate((n) => performance.getEntriesByName(n).length, name);

/** Two SIP accounts, caller first. */
type Pair = readonly [BenchUser, BenchUser];
interface BenchUser {
  readonly username: string;
  readonly password: string;
}

/**
 * The bare pages call 1001 → 1002, the app's 1003 → 1004: both pairs are registered at once, their calls
 * taken in turn (bare, app, app, bare, ...), so both see the same load on a machine shared with other work.
 */
const barePair: Pair = [demoUsers[0] ?? { username: '1001', password: 'cabine-1001' }, demoUsers[1] ?? { username: '1002', password: 'cabine-1002' }];
const appPair: Pair = [demoUsers[2] ?? { username: '1003', password: 'cabine-1003' }, { username: '1004', password: 'bench-1004' }];

async function appHarness(browser: Browser, webUrl: string, wsUrl: string, users: Pair): Promise<Harness> {
  const pages: Page[] = [];
  for (const user of users) {
    const context = await browser.newContext({ locale: 'en-GB', permissions: ['microphone'] });
    await context.addInitScript(mediaProbeScript);
    const page = await context.newPage();
    await page.goto(webUrl);
    await page.getByLabel('Server').fill(wsUrl);
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByLabel('Domain').fill(defaultSipDomain);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('status').filter({ hasText: 'Registered' }).waitFor();
    pages.push(page);
  }
  const [caller, callee] = pages as [Page, Page];
  const calleeUser = users[1].username;
  return {
    async oneCall() {
      const invites = await markCount(caller, 'cabine:invite-sent');
      const rings = await markCount(callee, 'cabine:incoming-ringing');
      // Typed as a user would: each key press in the Number field readies the call (the dialer calls
      // placer.preview, which calls SipAdapter.prepareCall). Then a pause before Call, shorter than a person's.
      const field = caller.getByLabel('Number');
      await field.fill('');
      await field.pressSequentially(calleeUser);
      await caller.waitForTimeout(thinkMs);
      const callButton = await caller.getByRole('button', { name: 'Call', exact: true }).elementHandle();
      if (callButton === null) throw new Error('no Call button');
      const clicked = await callButton.evaluate((button: HTMLButtonElement) => {
        const t = performance.timeOrigin + performance.now();
        button.click();
        return t;
      });
      const inviteSent = await markAfter(caller, 'cabine:invite-sent', invites);
      const ringing = await markAfter(callee, 'cabine:incoming-ringing', rings);
      if (ringMs > 0) await callee.waitForTimeout(ringMs);
      const answerButton = await callee.getByRole('button', { name: 'Answer' }).elementHandle();
      if (answerButton === null) throw new Error('no Answer button');
      const answered = await answerButton.evaluate((button: HTMLButtonElement) => {
        const t = performance.timeOrigin + performance.now();
        button.click();
        return t;
      });
      const { media, ok } = await mediaAfter(caller, callee, answered);
      await caller.getByRole('button', { name: 'Hang up' }).click();
      for (const page of pages) await page.locator('[data-call-state]').waitFor({ state: 'detached' });
      return { clickToInvite: inviteSent - clicked, inviteToRinging: ringing - inviteSent, answerToMedia: media - answered, answerToOk: ok - answered };
    },
    async close() {
      for (const page of pages) await page.context().close();
    },
  };
}

async function bareHarness(browser: Browser, bareUrl: string, wsUrl: string, users: Pair): Promise<Harness> {
  const pages: Page[] = [];
  for (const user of users) {
    const context = await browser.newContext({ permissions: ['microphone'] });
    await context.addInitScript(mediaProbeScript);
    const page = await context.newPage();
    await page.goto(bareUrl);
    await page.evaluate(
      ({ server, username, password, domain }) => window.bare?.register(server, username, password, domain),
      { server: wsUrl, username: user.username, password: user.password, domain: defaultSipDomain },
    );
    pages.push(page);
  }
  const [caller, callee] = pages as [Page, Page];
  const calleeUser = users[1].username;
  const moment = (page: Page, name: string, after: number): Promise<number> =>
    page
      .waitForFunction(
        ({ n, a }) => {
          const t = window.bare?.moments[n];
          return t !== undefined && t > a ? t : false;
        },
        { n: name, a: after },
        { polling: 'raf' },
      )
      .then((handle) => handle.jsonValue() as Promise<number>);
  return {
    async oneCall() {
      const clicked = await caller.evaluate((user) => window.bare?.call(user) ?? 0, calleeUser);
      const inviteSent = await moment(caller, 'inviteSent', clicked);
      const ringing = await moment(callee, 'ringing', clicked);
      if (ringMs > 0) await callee.waitForTimeout(ringMs);
      const answered = await callee.evaluate(() => window.bare?.answer() ?? 0);
      const { media, ok } = await mediaAfter(caller, callee, answered);
      await caller.evaluate(() => window.bare?.hangup());
      for (const page of pages) await page.waitForFunction(() => window.bare?.idle() === true);
      return { clickToInvite: inviteSent - clicked, inviteToRinging: ringing - inviteSent, answerToMedia: media - answered, answerToOk: ok - answered };
    },
    async close() {
      for (const page of pages) await page.context().close();
    },
  };
}

/** Once both sides hear each other: when the later one's first RTP arrived, and the callee's 200 OK left. */
async function mediaAfter(caller: Page, callee: Page, answered: number): Promise<{ media: number; ok: number }> {
  await Promise.all([waitForRemoteAudio(caller, answered), waitForRemoteAudio(callee, answered)]);
  const media = Math.max(await firstRtpTime(caller), await firstRtpTime(callee));
  return { media, ok: await lastOkSent(callee) };
}

function quantile(sorted: readonly number[], q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function quantiles(values: readonly number[]): { p50: number; p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95) };
}

function summarise(samples: readonly Sample[], key: keyof Sample): { p50: number; p95: number } {
  return quantiles(samples.map((s) => s[key]));
}

/** Calls on both harnesses in turn, ABBA, so that a change of the machine's load falls on both alike. */
async function measureInTurn(bare: Harness, app: Harness): Promise<{ bare: Sample[]; app: Sample[] }> {
  const samples = { bare: [] as Sample[], app: [] as Sample[] };
  for (let i = 0; i < warmup + calls; i += 1) {
    const order = i % 2 === 0 ? (['bare', 'app'] as const) : (['app', 'bare'] as const);
    for (const which of order) {
      const sample = await (which === 'bare' ? bare : app).oneCall();
      if (i >= warmup) samples[which].push(sample);
    }
  }
  await bare.close();
  await app.close();
  return samples;
}

async function main(): Promise<void> {
  const runDir = await mkdtemp(join(tmpdir(), 'cabine-bench-call-'));
  const kamailio = await startKamailio({
    runDir,
    wsPort: await freePort(),
    udpPort: await freePort(),
    domain: defaultSipDomain,
    users: [...barePair, ...appPair],
    // As deploy/local-stack.ts does for this machine: the pages' http://127.0.0.1 origins may open a
    // WebSocket (the proxy refuses other origins, 9809f2e), and the bench's own address is not flood-banned.
    guard: { floodExempt: ['127.0.0.1/32'], allowedOrigins: ['http://127.0.0.1:*', 'http://localhost:*'] },
  });
  const bareDir = join(runDir, 'bare');
  await build({
    entryPoints: [resolve('bench/bare-sipjs/bare-phone.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outfile: join(bareDir, 'bare-phone.js'),
    logLevel: 'silent',
  });
  await writeFile(join(bareDir, 'index.html'), '<!doctype html><title>bare SIP.js</title><script type="module" src="./bare-phone.js"></script>');
  const app = await startStaticServer({
    root: rendererDist,
    port: 0,
    runtimeConfig: { sipServer: kamailio.wsUrl, sipDomain: defaultSipDomain },
  });
  const bare = await startStaticServer({ root: bareDir, port: 0 });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs] });
  try {
    const { bare: bareSamples, app: appSamples } = await measureInTurn(
      await bareHarness(browser, bare.url, kamailio.wsUrl, barePair),
      await appHarness(browser, app.url, kamailio.wsUrl, appPair),
    );
    const rows: [string, keyof Sample][] = [
      ['click -> INVITE sent', 'clickToInvite'],
      ['INVITE -> 180 Ringing at callee', 'inviteToRinging'],
      ['answer -> media flowing (first RTP both ways)', 'answerToMedia'],
      ['answer -> 200 OK sent by the callee (part of the above)', 'answerToOk'],
    ];
    console.log(`Call set-up through Kamailio, ${calls} calls each (after ${warmup} warm-up), taken in turn, milliseconds`);
    console.log('| measure | app p50 | app p95 | bare SIP.js p50 | bare SIP.js p95 | ratio p50 |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const [label, key] of rows) {
      const a = summarise(appSamples, key);
      const b = summarise(bareSamples, key);
      const ratio = b.p50 > 0 ? (a.p50 / b.p50).toFixed(2) : 'n/a';
      console.log(`| ${label} | ${a.p50.toFixed(1)} | ${a.p95.toFixed(1)} | ${b.p50.toFixed(1)} | ${b.p95.toFixed(1)} | ${ratio} |`);
    }
    if (!walletPart) return;
    // Calls the wallet sees, the heap and the start, through the whole local stack (bench/call-wallet.ts).
    const baseline = summarise(bareSamples, 'clickToInvite');
    const wallet = await measureWalletCalls(browser, { calls, warmup, heapCalls, heapWarmup, starts, thinkMs });
    const line = (label: string, values: readonly number[], goal: string): void => {
      const { p50, p95 } = quantiles(values);
      console.log(`| ${label} | ${p50.toFixed(1)} | ${p95.toFixed(1)} | ${baseline.p50.toFixed(1)} | ${(p50 / baseline.p50).toFixed(2)} | ${goal} |`);
    };
    console.log('');
    console.log(`Company calls through the local stack (manager, rtpengine, carrier stand-in), ${calls} each, milliseconds; baseline: bare SIP.js click -> INVITE above`);
    console.log('| measure | app p50 | app p95 | bare SIP.js click -> INVITE p50 | ratio p50 | goal |');
    console.log('| --- | ---: | ---: | ---: | ---: | --- |');
    line('included number: click -> INVITE sent', wallet.includedClickToInvite, '<= 30 ms p50');
    line('paid number: click -> Paid call dialog shown', wallet.paidClickToGate, '<= 50 ms');
    line('paid number: Call in the dialog -> INVITE sent', wallet.paidGateToInvite, '<= 30 ms');
    const start = wallet.startToForm.map((form, i) => form + (wallet.signInToRegistered[i] ?? Number.NaN));
    line('web host: start -> sign-in form', wallet.startToForm, '');
    line('web host: Sign in -> Registered (company account)', wallet.signInToRegistered, '');
    line('web host: start -> Registered (the two above; typing left out)', start, '<= 1000 ms');
    const { heap } = wallet;
    console.log('');
    console.log(
      `Renderer JS heap after a forced GC, before and after ${heap.calls} answered calls (1001 -> 1002, audio both ways), KiB; ` +
        `"before" after ${heap.warmupCalls} calls on each page; "cold" after ${warmup}, for the warm-up's growth (JIT code, the history's first page)`,
    );
    console.log('| page | cold | before | after | growth | goal | warm-up growth |');
    console.log('| --- | ---: | ---: | ---: | ---: | --- | ---: |');
    const heapRow = (page: string, cold: number, before: number, after: number): void =>
      console.log(`| ${page} | ${cold.toFixed(0)} | ${before.toFixed(0)} | ${after.toFixed(0)} | ${(after - before).toFixed(0)} | < 1024 | ${(before - cold).toFixed(0)} |`);
    heapRow('caller', heap.callerColdKb, heap.callerBeforeKb, heap.callerAfterKb);
    heapRow('callee', heap.calleeColdKb, heap.calleeBeforeKb, heap.calleeAfterKb);
  } finally {
    await browser.close();
    await app.close();
    await bare.close();
    await kamailio.stop();
    await rm(runDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
