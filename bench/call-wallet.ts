/**
 * The part of `npm run bench:call` that needs the whole local stack (deploy/local-stack.ts: Kamailio with
 * the manager's authorization, the manager with its demo company, rtpengine, the carrier stand-in): calls
 * that the wallet sees, the renderer's heap over many calls, and the web host's start to "Registered".
 *
 * - included: a French landline the plan includes. Typed key by key (each key press readies the call:
 *   microphone, ICE candidates, the cost line), the cost line shown, a pause shorter than a person's
 *   (BENCH_THINK_MS), then Call → INVITE sent.
 * - paid: a US landline paid from the wallet. Typed the same way; Call → the "Paid call" dialog shown, and
 *   Call in the dialog → INVITE sent. Each call is hung up (CANCEL) once the INVITE is out: nothing is
 *   charged.
 * - heap: the caller's and the callee's JS heap (after a forced GC, CDP HeapProfiler.collectGarbage) before
 *   and after N answered calls between two company users (extension 1001 → 1002, audio both ways), the
 *   second once the last call's SIP transactions have expired (RFC 3261 Timer J, 32 s). "Before" is after
 *   BENCH_HEAP_WARMUP calls on both pages (default 25): a page's first calls grow its heap by what V8
 *   compiles for them (measured: ~0.9 MB of code objects over the first 50 calls, ~70 KB over the next 50)
 *   and by the history lines that fill the history's first page (history-store.ts historyPageSize); that
 *   growth from a cold page is printed too. The pages are the production page (no `?e2e=1`): the bench
 *   reads only User Timing marks and the DOM.
 * - start to Registered: a fresh page, from navigation start to the company sign-in form, plus from the
 *   Sign in click to "Registered" (the time a person takes to type is left out).
 */
import type { Browser, Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../deploy/local-stack.js';
import { freePort } from '../scripts/lib/free-port.js';
import { startStaticServer } from '../scripts/lib/static-server.js';
import { rendererDist } from '../scripts/lib/renderer-dist.js';

const admin = { email: 'alice@cabine.test', password: 'cabine-1001' };
const employee = { email: 'bruno@cabine.test', password: 'cabine-1002' };

/** RFC 3261 Timer J (64 x T1, T1 = 500 ms) and a margin. */
const transactionLingerMs = 34_000;

export interface WalletSamples {
  readonly includedClickToInvite: number[];
  readonly paidClickToGate: number[];
  readonly paidGateToInvite: number[];
  readonly startToForm: number[];
  readonly signInToRegistered: number[];
  readonly heap: HeapSample;
}

export interface HeapSample {
  readonly calls: number;
  /** Calls made on both pages before "before" (after a first `warmup` calls, when "cold" was taken). */
  readonly warmupCalls: number;
  readonly callerColdKb: number;
  readonly calleeColdKb: number;
  readonly callerBeforeKb: number;
  readonly callerAfterKb: number;
  readonly calleeBeforeKb: number;
  readonly calleeAfterKb: number;
}

const markCount = (page: Page, name: string): Promise<number> => page.evaluate((n) => performance.getEntriesByName(n).length, name);

/** The epoch time of the newest User Timing mark `name`, once there are more than `count` of them. */
function markAfter(page: Page, name: string, count: number): Promise<number> {
  return page
    .waitForFunction(
      ({ n, c }) => {
        const marks = performance.getEntriesByName(n);
        const last = marks[marks.length - 1];
        return marks.length > c && last !== undefined ? performance.timeOrigin + last.startTime : false;
      },
      { n: name, c: count },
      { polling: 'raf' },
    )
    .then((handle) => handle.jsonValue() as Promise<number>);
}

/** Clicks `selector` inside the page and returns the epoch time of the click. */
function clickAt(page: Page, selector: string): Promise<number> {
  return page.evaluate((s) => {
    const button = document.querySelector<HTMLButtonElement>(s);
    if (button === null) throw new Error(`no ${s}`);
    const t = performance.timeOrigin + performance.now();
    button.click();
    return t;
  }, selector);
}

async function signIn(page: Page, managerUrl: string, account: { email: string; password: string }): Promise<number> {
  await page.getByLabel('Manager address').fill(managerUrl);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  const clicked = await page.getByRole('button', { name: 'Sign in', exact: true }).evaluate((button: HTMLButtonElement) => {
    const t = performance.timeOrigin + performance.now();
    button.click();
    return t;
  });
  const registered = await page
    .waitForFunction(() => (document.querySelector('p[data-registration="registered"]') === null ? false : performance.timeOrigin + performance.now()), undefined, { polling: 'raf', timeout: 15_000 })
    .then((handle) => handle.jsonValue() as Promise<number>);
  return registered - clicked;
}

async function openSignedIn(browser: Browser, webUrl: string, managerUrl: string, account: { email: string; password: string }): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-GB', permissions: ['microphone'] });
  const page = await context.newPage();
  await page.goto(webUrl);
  await signIn(page, managerUrl, account);
  return page;
}

async function typeNumber(page: Page, number: string, costKind: string, thinkMs: number): Promise<void> {
  const field = page.getByLabel('Number', { exact: true });
  await field.fill('');
  await field.pressSequentially(number);
  await page.locator(`[data-testid="cost-line"][data-cost-kind="${costKind}"]`).waitFor();
  await page.waitForTimeout(thinkMs);
}

async function hangUpAll(pages: readonly Page[]): Promise<void> {
  for (const page of pages) {
    const hangUp = page.getByRole('button', { name: 'Hang up' });
    if ((await hangUp.count()) > 0) await hangUp.first().click();
  }
  for (const page of pages) await page.locator('[data-call-state]').first().waitFor({ state: 'detached' });
}

async function usedHeapKb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    return usedSize / 1024;
  } finally {
    await cdp.detach();
  }
}

/** Top-ups for the paid calls' reservations (each paid call reserves what the balance can fund). */
async function fund(managerUrl: string): Promise<void> {
  const signIn = await fetch(`${managerUrl}/api/v1/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
  const { token } = (await signIn.json()) as { token: string };
  const response = await fetch(`${managerUrl}/api/v1/wallet/topups`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ amountMinor: 2500, currency: 'EUR' }),
  });
  if (response.status !== 201) throw new Error(`top-up: HTTP ${response.status}`);
}

export async function measureWalletCalls(
  browser: Browser,
  options: { calls: number; warmup: number; heapCalls: number; heapWarmup: number; starts: number; thinkMs: number },
): Promise<WalletSamples> {
  const runDir = await mkdtemp(join(tmpdir(), 'cabine-bench-wallet-'));
  const webPort = await freePort();
  const webOrigin = `http://127.0.0.1:${webPort}`;
  const stack = await startLocalStack({ runDir, paidCallsPerMinute: 10_000, managerEnv: { CABINE_APP_ORIGINS: webOrigin } });
  const web = await startStaticServer({ root: rendererDist, port: webPort, runtimeConfig: {} });
  const managerUrl = stack.manager?.url;
  if (managerUrl === undefined) throw new Error('the local stack started without a manager');
  try {
    await fund(managerUrl);
    const samples = { includedClickToInvite: [] as number[], paidClickToGate: [] as number[], paidGateToInvite: [] as number[], startToForm: [] as number[], signInToRegistered: [] as number[] };

    for (let i = 0; i < options.starts; i += 1) {
      const context = await browser.newContext({ locale: 'en-GB', permissions: ['microphone'] });
      const page = await context.newPage();
      await page.goto(web.url);
      await page.getByLabel('Manager address').waitFor();
      samples.startToForm.push(await page.evaluate(() => performance.now()));
      samples.signInToRegistered.push(await signIn(page, managerUrl, employee));
      await context.close();
    }

    const caller = await openSignedIn(browser, web.url, managerUrl, admin);
    for (let i = 0; i < options.warmup + options.calls; i += 1) {
      await typeNumber(caller, '0123456789', 'included', options.thinkMs);
      const invites = await markCount(caller, 'cabine:invite-sent');
      const clicked = await clickAt(caller, 'button.call-button');
      const sent = await markAfter(caller, 'cabine:invite-sent', invites);
      await hangUpAll([caller]);
      if (i >= options.warmup) samples.includedClickToInvite.push(sent - clicked);
    }
    for (let i = 0; i < options.warmup + options.calls; i += 1) {
      await typeNumber(caller, '+16502530000', 'paid', options.thinkMs);
      const invites = await markCount(caller, 'cabine:invite-sent');
      const clicked = await clickAt(caller, 'button.call-button');
      const shown = await caller
        .waitForFunction(() => (document.querySelector('[role="dialog"] .dialog-actions .primary') === null ? false : performance.timeOrigin + performance.now()), undefined, { polling: 'raf' })
        .then((handle) => handle.jsonValue() as Promise<number>);
      const confirmed = await clickAt(caller, '[role="dialog"] .dialog-actions .primary');
      const sent = await markAfter(caller, 'cabine:invite-sent', invites);
      await hangUpAll([caller]);
      if (i >= options.warmup) {
        samples.paidClickToGate.push(shown - clicked);
        samples.paidGateToInvite.push(sent - confirmed);
      }
    }

    const callee = await openSignedIn(browser, web.url, managerUrl, employee);
    const oneCall = async (): Promise<void> => {
      await typeNumber(caller, '1002', 'none', options.thinkMs);
      await clickAt(caller, 'button.call-button');
      await callee.getByRole('button', { name: 'Answer' }).click();
      await caller.locator('[data-call-state="established"]').waitFor();
      // The caller hangs up; the callee's call ends with the BYE (clicking its own Hang up as well raced
      // with that BYE and could find the button gone).
      await caller.getByRole('button', { name: 'Hang up' }).click();
      for (const page of [caller, callee]) await page.locator('[data-call-state]').first().waitFor({ state: 'detached' });
    };
    for (let i = 0; i < options.warmup; i += 1) await oneCall();
    const callerColdKb = await usedHeapKb(caller);
    const calleeColdKb = await usedHeapKb(callee);
    const warmupCalls = Math.max(options.warmup, options.heapWarmup);
    for (let i = options.warmup; i < warmupCalls; i += 1) await oneCall();
    await new Promise((settled) => setTimeout(settled, transactionLingerMs));
    const callerBeforeKb = await usedHeapKb(caller);
    const calleeBeforeKb = await usedHeapKb(callee);
    for (let i = 0; i < options.heapCalls; i += 1) await oneCall();
    // SIP.js keeps each ended call's transactions for RFC 3261's timers (Timer J / K: 64 x T1 = 32 s), and
    // through them the call's session and media streams: a heap taken at once counts the last ~30 s of
    // calls twice over (measured: 5 MediaStreams per call held, none 40 s later). Steady state is after them.
    await new Promise((settled) => setTimeout(settled, transactionLingerMs));
    const heap: HeapSample = {
      calls: options.heapCalls,
      warmupCalls,
      callerColdKb,
      calleeColdKb,
      callerBeforeKb,
      calleeBeforeKb,
      callerAfterKb: await usedHeapKb(caller),
      calleeAfterKb: await usedHeapKb(callee),
    };
    await caller.context().close();
    await callee.context().close();
    return { ...samples, heap };
  } finally {
    await web.close();
    await stack.stop();
    await rm(runDir, { recursive: true, force: true });
  }
}
