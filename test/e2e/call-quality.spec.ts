import { chromium, type Browser, type Page } from '@playwright/test';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromiumArgs, chromiumPath } from '../../scripts/lib/chromium.js';
import { listNamespaces, removeLeftoverNamespaces, startScriptInNamespace, type NamespaceScript } from '../unit/deploy/support/netns.js';
import { bridgedOfficePorts } from '../unit/deploy/support/netns-bridged-office.js';
import { createOfficeLink, type LinkEnd, type OfficeLink } from '../unit/deploy/support/netns-link.js';
import { expect, test, type Stack } from './fixtures.js';
import { connectionState, expectPacketsGrowing, packetsReceived } from './softphone.js';
// The page's `window.__cabineE2E` type (the hook is only installed with `?e2e=1`).
import type {} from '../../renderer/src/e2e/e2e-hook.js';

/**
 * The call quality indicator under packet loss (issue 12 section 6): two browsers, each in its own network
 * namespace, call each other through the worker's real Kamailio; their media crosses one veth link between
 * the namespaces (test/unit/deploy/support/netns-link.ts, 203.0.113.200/30), their signalling a Unix socket
 * to the proxy. Mid-call the link loses 25 % of its packets each way (tc netem, or iptables' statistic
 * match where the kernel has no netem): the "Call quality" indicator must turn to poor with a warning in
 * plain words on both sides, and back to good once the loss is taken off, while the audio keeps flowing.
 *
 * Needs root (namespaces). Every namespace is removed in afterAll, also on failure; leftovers of dead
 * runs first.
 */

const lossPercent = 25;
const support = resolve('test/unit/deploy/support');

let runDir = '';
let link: OfficeLink | undefined;
const scripts: NamespaceScript[] = [];
const browsers: Browser[] = [];
const bridges: Server[] = [];

/** The test process's end of an office's SIP bridge: Unix socket -> the proxy's WebSocket port. */
function sipBridge(path: string, wsUrl: string): Promise<Server> {
  const port = Number(new URL(wsUrl).port);
  const server = createServer((inbound) => {
    const outbound = createConnection({ host: '127.0.0.1', port });
    inbound.pipe(outbound).pipe(inbound);
    const close = (): void => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.once('error', close).once('close', close);
    outbound.once('error', close).once('close', close);
  });
  bridges.push(server);
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(path, () => done(server));
  });
}

/** Chromium inside an office's namespace (no loopback candidates: the other office is not on its loopback). */
async function officeBrowser(end: LinkEnd, ns: string): Promise<Browser> {
  const wrapper = join(runDir, `chromium-${end}.sh`);
  await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${chromiumPath} "$@"\n`);
  await chmod(wrapper, 0o755);
  const args = chromiumArgs.filter((arg) => arg !== '--allow-loopback-in-peer-connection');
  const browser = await chromium.launch({ executablePath: wrapper, args, headless: true, timeout: 30_000 });
  browsers.push(browser);
  return browser;
}

async function officePhone(stack: Stack, end: LinkEnd, index: number): Promise<Page> {
  if (link === undefined) throw new Error('no link');
  const user = stack.users[index];
  if (user === undefined) throw new Error(`no demo user ${index}`);
  const socket = join(runDir, `sip-${end}.sock`);
  await sipBridge(socket, stack.sipWsUrl);
  scripts.push(await startScriptInNamespace(link.ns[end], join(support, 'netns-bridged-office.ts'), [socket, stack.domain], join(runDir, `office-${end}.log`), 30_000));
  const browser = await officeBrowser(end, link.ns[end]);
  const context = await browser.newContext({ locale: 'en-GB', permissions: ['microphone'] });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[office ${end}] page error`, error));
  await page.goto(`http://127.0.0.1:${bridgedOfficePorts.web}/?e2e=1`);
  await page.getByLabel('Server').fill(`ws://127.0.0.1:${bridgedOfficePorts.sipWs}`);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByLabel('Domain').fill(stack.domain);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('status')).toContainText('Registered', { timeout: 20_000 });
  return page;
}

/** The selected candidate pair's local and remote addresses (the media path). */
function mediaAddresses(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const pc = window.__cabineE2E?.peerConnections()[0];
    if (pc === undefined) return 'none';
    const stats = await pc.getStats();
    let pairId = '';
    stats.forEach((r: Record<string, unknown>) => {
      if (r['type'] === 'transport' && typeof r['selectedCandidatePairId'] === 'string') pairId = r['selectedCandidatePairId'];
    });
    const pair = stats.get(pairId) as Record<string, unknown> | undefined;
    const address = (id: unknown): string => String((stats.get(String(id)) as Record<string, unknown> | undefined)?.['address'] ?? '?');
    return `${address(pair?.['localCandidateId'])}->${address(pair?.['remoteCandidateId'])}`;
  });
}

test.describe.serial('call quality under packet loss on the office link', () => {
  test.beforeAll(async () => {
    const leftovers = await removeLeftoverNamespaces();
    if (leftovers.length > 0) console.log(`removed namespaces of dead runs: ${leftovers.join(', ')}`);
    runDir = await mkdtemp(join(tmpdir(), 'cabine-quality-'));
    link = await createOfficeLink();
  });

  test.afterAll(async () => {
    test.setTimeout(60_000);
    for (const browser of browsers.splice(0)) await browser.close().catch(() => undefined);
    for (const script of scripts.splice(0).reverse()) await script.stop().catch(() => undefined);
    for (const bridge of bridges.splice(0)) bridge.close();
    const prefix = link?.prefix;
    await link?.remove();
    if (prefix !== undefined) expect((await listNamespaces()).filter((name) => name.startsWith(prefix))).toEqual([]);
    if (runDir !== '' && process.env['CABINE_KEEP_RUN_DIR'] !== '1') await rm(runDir, { recursive: true, force: true });
  });

  test(`${lossPercent} % loss each way: the indicator warns on both sides, and recovers when the loss is gone`, async ({ stack }) => {
    test.setTimeout(120_000);
    if (link === undefined) throw new Error('no link');
    const a = await officePhone(stack, 'a', 0);
    const b = await officePhone(stack, 'b', 1);
    const b1 = stack.users[1];
    if (b1 === undefined) throw new Error('no demo user 1');

    await a.getByLabel('Number').fill(b1.username);
    await a.getByRole('button', { name: 'Call', exact: true }).click();
    await expect(b.locator('[data-call-state="incoming"]')).toBeVisible({ timeout: 15_000 });
    await b.getByRole('button', { name: 'Answer' }).click();
    for (const page of [a, b]) await expect.poll(() => connectionState(page), { timeout: 20_000 }).toBe('connected');
    // The media takes the office link, nothing else.
    expect(await mediaAddresses(a)).toBe('203.0.113.201->203.0.113.202');
    for (const page of [a, b]) await expectPacketsGrowing(page, 50);

    const quality = (page: Page) => page.getByRole('group', { name: 'Call quality' });
    for (const page of [a, b]) {
      await expect(quality(page)).toHaveAttribute('data-quality', 'good', { timeout: 15_000 });
      await expect(quality(page).locator('.quality-warning')).toHaveText('');
    }

    const degradedAt = Date.now();
    const method = await link.degrade(lossPercent);
    for (const page of [a, b]) {
      await expect(quality(page)).toHaveAttribute('data-quality', 'poor', { timeout: 20_000 });
      await expect(quality(page)).toContainText('Your connection is losing a lot of audio');
    }
    const warnedMs = Date.now() - degradedAt;
    console.log(`quality: ${lossPercent} % loss by ${method}; both sides warned ${warnedMs} ms after; A says "${(await quality(a).innerText()).replace(/\s+/g, ' ')}"`);
    // Lossy, not dead: packets still arrive.
    for (const page of [a, b]) await expectPacketsGrowing(page, 25);

    const restoredAt = Date.now();
    await link.restore();
    for (const page of [a, b]) {
      await expect(quality(page)).toHaveAttribute('data-quality', 'good', { timeout: 20_000 });
      await expect(quality(page).locator('.quality-warning')).toHaveText('');
    }
    console.log(`quality: good again on both sides ${Date.now() - restoredAt} ms after the loss was removed`);
    const before = await packetsReceived(b);
    await a.getByRole('button', { name: 'Hang up' }).click();
    for (const page of [a, b]) await expect(page.locator('[data-call-state]')).toHaveCount(0, { timeout: 10_000 });
    expect(before).toBeGreaterThan(0);
  });
});
