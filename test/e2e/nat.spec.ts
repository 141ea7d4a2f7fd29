import { chromium, expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromiumArgs, chromiumPath } from '../../scripts/lib/chromium.js';
import { rendererDist } from '../../scripts/lib/renderer-dist.js';
import {
  createNatTopology, listNamespaces, natAddresses, natPorts, removeLeftoverNamespaces, startScriptInNamespace,
  type NamespaceScript, type NatTopology, type Office, type PublicStackInfo,
} from '../unit/deploy/support/netns.js';
import type { TurnProbeResult } from '../unit/deploy/support/netns-turn-probe.js';
import type {} from '../../renderer/src/e2e/e2e-hook.js';

/**
 * Calls between two offices behind NAT routers (issue 12, section 1), in network namespaces this file
 * creates and removes (test/unit/deploy/support/netns.ts): Chromium runs inside each office, the proxy, the
 * manager and coturn in a "public" namespace, and the manager's TURN credentials reach the app with its SIP
 * configuration. Media is asserted, not signalling: the selected ICE candidate pair (getStats), bytes both
 * ways and the fake microphone's audio energy arriving on each side.
 *
 *   - Both routers port-restricted cone NATs (MASQUERADE): the call connects on server-reflexive candidates
 *     (the routers' public addresses), no relay.
 *   - Office A's router symmetric (MASQUERADE --random): reflexive addresses are useless, and the call
 *     connects through coturn's relay; the caller's call is a prepared one (prepareCall), whose peer
 *     connection was made before the call with the same ICE servers.
 *
 * Needs root (namespaces, iptables) and Debian's coturn; every namespace (and with it every veth) is removed
 * in afterAll, also on failure, and leftovers of dead runs are removed first.
 */

const server = natAddresses.server;
const officeUsers: Record<Office, { email: string; password: string; extension: string }> = {
  a: { email: 'alice@cabine.test', password: 'cabine-1001', extension: '1001' },
  b: { email: 'bruno@cabine.test', password: 'cabine-1002', extension: '1002' },
};

interface OfficePhone {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
}

let runDir = '';
let publicInfo: PublicStackInfo | undefined;
let topology: NatTopology | undefined;
const scripts: NamespaceScript[] = [];
const browsers: Browser[] = [];
let phones: Partial<Record<Office, OfficePhone>> = {};
const timings: string[] = [];
/**
 * totalAudioEnergy added while the bytes arrive: the fake microphone's tone adds 0.45-0.65 over those ~2 s,
 * a silent stream ~1e-5 (measured).
 */
const minimumEnergy = 0.01;

const support = resolve('test/unit/deploy/support');

/** Chromium inside an office's namespace: Playwright launches this wrapper, which keeps its pipes. */
async function officeBrowser(office: Office, ns: string): Promise<Browser> {
  const wrapper = join(runDir, `chromium-${office}.sh`);
  await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${chromiumPath} "$@"\n`);
  await chmod(wrapper, 0o755);
  // No loopback candidates: nothing in an office is reachable on the other office's loopback anyway.
  const args = chromiumArgs.filter((arg) => arg !== '--allow-loopback-in-peer-connection');
  const browser = await chromium.launch({ executablePath: wrapper, args, headless: true, timeout: 30_000 });
  browsers.push(browser);
  return browser;
}

async function signIn(office: Office, browser: Browser): Promise<OfficePhone> {
  const user = officeUsers[office];
  const context = await browser.newContext({ locale: 'en-GB', permissions: ['microphone'] });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[office ${office}] page error`, error));
  await page.goto(`http://127.0.0.1:${natPorts.web}/?e2e=1`);
  await page.getByLabel('Manager address').fill(`http://127.0.0.1:${natPorts.manager}`);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('p[data-registration="registered"]')).toBeVisible({ timeout: 20_000 });
  return { browser, context, page };
}

/**
 * Signs in with the SIP form to the proxy that anchors all media at rtpengine (the demo users' static SIP
 * passwords: no manager, so no STUN/TURN servers either).
 */
async function signInAnchored(office: Office, browser: Browser): Promise<OfficePhone> {
  const user = officeUsers[office];
  const context = await browser.newContext({ locale: 'en-GB', permissions: ['microphone'] });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[office ${office}, anchored] page error`, error));
  await page.goto(`http://127.0.0.1:${natPorts.web}/?e2e=1`);
  const advanced = page.locator('details', { hasText: 'Advanced: SIP account (no Prepaid Account)' });
  await advanced.getByText('Advanced: SIP account (no Prepaid Account)').click();
  await advanced.getByLabel('Server').fill(`ws://127.0.0.1:${natPorts.anchoredSipWs}`);
  await advanced.getByLabel('Username').fill(user.extension);
  await advanced.getByLabel('Password', { exact: true }).fill(user.password);
  await advanced.getByLabel('Domain').fill('cabine.test');
  await advanced.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('status')).toContainText('Registered', { timeout: 20_000 });
  return { browser, context, page };
}

/** What the call's first peer connection uses and carries, from getStats. */
interface MediaPath {
  /** Every candidate pair, for the failure messages. */
  readonly pairs: readonly string[];
  readonly state: string;
  readonly local: { type: string; address: string; protocol: string } | null;
  readonly remote: { type: string; address: string; port: number } | null;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  readonly audioEnergy: number;
  readonly iceServers: readonly { urls: string | string[]; username?: string }[];
}

function mediaPath(page: Page): Promise<MediaPath> {
  return page.evaluate(async () => {
    const pc = window.__cabineE2E?.peerConnections()[0];
    if (pc === undefined) return { pairs: [], state: 'none', local: null, remote: null, bytesReceived: 0, bytesSent: 0, audioEnergy: 0, iceServers: [] };
    const stats = await pc.getStats();
    let pairId: string | undefined;
    let bytesReceived = 0;
    let bytesSent = 0;
    let audioEnergy = 0;
    stats.forEach((report: Record<string, unknown>) => {
      if (report['type'] === 'transport' && typeof report['selectedCandidatePairId'] === 'string') pairId = report['selectedCandidatePairId'];
      if (report['type'] === 'inbound-rtp' && report['kind'] === 'audio') {
        bytesReceived += Number(report['bytesReceived'] ?? 0);
        audioEnergy += Number(report['totalAudioEnergy'] ?? 0);
      }
      if (report['type'] === 'outbound-rtp' && report['kind'] === 'audio') bytesSent += Number(report['bytesSent'] ?? 0);
    });
    const pair = pairId === undefined ? undefined : (stats.get(pairId) as Record<string, unknown> | undefined);
    const candidate = (id: unknown): Record<string, unknown> | undefined => (typeof id === 'string' ? (stats.get(id) as Record<string, unknown> | undefined) : undefined);
    const local = candidate(pair?.['localCandidateId']);
    const remote = candidate(pair?.['remoteCandidateId']);
    const pairs: string[] = [];
    stats.forEach((report: Record<string, unknown>) => {
      if (report['type'] !== 'candidate-pair') return;
      const l = stats.get(String(report['localCandidateId'])) as Record<string, unknown> | undefined;
      const r = stats.get(String(report['remoteCandidateId'])) as Record<string, unknown> | undefined;
      pairs.push(`${String(l?.['candidateType'])}:${String(l?.['address'])}:${String(l?.['port'])}->${String(r?.['candidateType'])}:${String(r?.['address'])}:${String(r?.['port'])} ${String(report['state'])} nom=${String(report['nominated'])} sent=${String(report['bytesSent'])} rcv=${String(report['bytesReceived'])} req=${String(report['requestsSent'])}/${String(report['responsesReceived'])}`);
    });
    return {
      pairs,
      state: pc.connectionState,
      local: local === undefined ? null : { type: String(local['candidateType']), address: String(local['address'] ?? local['ip']), protocol: String(local['protocol']) },
      remote: remote === undefined ? null : { type: String(remote['candidateType']), address: String(remote['address'] ?? remote['ip']), port: Number(remote['port']) },
      bytesReceived, bytesSent, audioEnergy,
      iceServers: pc.getConfiguration().iceServers?.map((s) => ({ urls: s.urls, ...(s.username === undefined ? {} : { username: s.username }) })) ?? [],
    };
  });
}

/**
 * A's call to B, answered; resolves with how long each side took from the answer to a connected peer
 * connection and once audio flows both ways: bytes and audio energy growing on both sides.
 */
async function callAndAnswer(a: OfficePhone, b: OfficePhone, prepared: boolean): Promise<{ answerToConnectedMs: number }> {
  if (prepared) {
    await a.page.getByLabel('Number').pressSequentially(officeUsers.b.extension);
    await a.page.evaluate(() => window.__cabineE2E?.prepareCall());
    await expect.poll(() => a.page.evaluate(() => window.__cabineE2E?.liveAudioTracks() ?? -1)).toBe(1);
  } else {
    await a.page.getByLabel('Number').fill(officeUsers.b.extension);
  }
  await a.page.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(b.page.locator('[data-call-state="incoming"]')).toBeVisible({ timeout: 15_000 });
  if (prepared) expect(await a.page.evaluate(() => window.__cabineE2E?.liveAudioTracks() ?? -1)).toBe(1);
  const answered = Date.now();
  await b.page.getByRole('button', { name: 'Answer' }).click();
  for (const phone of [a, b]) await expect.poll(async () => (await mediaPath(phone.page)).state, { timeout: 20_000, intervals: [50] }).toBe('connected');
  const answerToConnectedMs = Date.now() - answered;
  for (const phone of [a, b]) {
    const before = await mediaPath(phone.page);
    // ~2 s of Opus at least, and its energy (the fake microphone plays a tone), not silence.
    let grown = { received: 0, sent: 0, energy: 0 };
    await expect.poll(async () => {
      const now = await mediaPath(phone.page);
      grown = { received: now.bytesReceived - before.bytesReceived, sent: now.bytesSent - before.bytesSent, energy: now.audioEnergy - before.audioEnergy };
      return grown.received > 4_000 && grown.sent > 4_000 && grown.energy > minimumEnergy;
    }, { timeout: 15_000, message: 'audio bytes and energy both ways' }).toBe(true);
    console.log(`media grown: ${JSON.stringify(grown)}`);
  }
  return { answerToConnectedMs };
}

async function hangUp(a: OfficePhone, b: OfficePhone): Promise<void> {
  await a.page.getByRole('button', { name: 'Hang up' }).click();
  for (const phone of [a, b]) await expect(phone.page.locator('[data-call-state]')).toHaveCount(0, { timeout: 10_000 });
}

test.describe.serial('calls between two offices behind NAT routers', () => {
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    if (!existsSync(join(rendererDist, 'index.html'))) throw new Error(`${rendererDist} is missing: run \`npm run build\` before the end-to-end tests`);
    const leftovers = await removeLeftoverNamespaces();
    if (leftovers.length > 0) console.log(`removed namespaces of dead runs: ${leftovers.join(', ')}`);
    runDir = await mkdtemp(join(tmpdir(), 'cabine-nat-'));
    topology = await createNatTopology();
    const stack = await startScriptInNamespace(topology.publicNs, join(support, 'netns-public-stack.ts'), [join(runDir, 'public'), server], join(runDir, 'public-stack.log'), 60_000);
    scripts.push(stack);
    const info = JSON.parse(stack.firstLine) as PublicStackInfo;
    publicInfo = info;
    expect(info.turnUrls).toContain(`turn:${server}:${natPorts.turn}?transport=udp`);
    for (const office of ['a', 'b'] as const) {
      scripts.push(await startScriptInNamespace(topology.officeNs[office], join(support, 'netns-office.ts'), [server], join(runDir, `office-${office}.log`), 30_000));
    }
    phones = {
      a: await signIn('a', await officeBrowser('a', topology.officeNs.a)),
      b: await signIn('b', await officeBrowser('b', topology.officeNs.b)),
    };
  });

  test.afterAll(async () => {
    test.setTimeout(60_000);
    for (const browser of browsers.splice(0)) await browser.close().catch(() => undefined);
    for (const script of scripts.splice(0).reverse()) await script.stop().catch(() => undefined);
    const prefix = topology?.prefix;
    await topology?.remove();
    if (prefix !== undefined) expect((await listNamespaces()).filter((name) => name.startsWith(prefix))).toEqual([]);
    if (timings.length > 0) console.log(`NAT call set-up: ${timings.join('; ')}`);
    if (runDir !== '' && process.env['CABINE_KEEP_RUN_DIR'] !== '1') await rm(runDir, { recursive: true, force: true });
  });

  test('both routers cone NATs: the call connects on server-reflexive candidates, audio both ways', async () => {
    const { a, b } = phones;
    if (a === undefined || b === undefined || topology === undefined) throw new Error('the offices are not signed in');
    // The manager's TURN credentials reached the app's peer connections.
    const { answerToConnectedMs } = await callAndAnswer(a, b, false);
    const pathA = await mediaPath(a.page);
    const pathB = await mediaPath(b.page);
    expect(pathA.iceServers.find((s) => String(s.urls).includes('turn:'))?.username).toMatch(/^\d+:1001$/);
    expect(pathB.iceServers.find((s) => String(s.urls).includes('turn:'))?.username).toMatch(/^\d+:1002$/);
    // Each side talks to the other's router: reflexive (or peer-reflexive, the same address learnt from
    // the peer's checks) candidates at the routers' public addresses, no relay.
    for (const [path, own, other] of [[pathA, natAddresses.routerA, natAddresses.routerB], [pathB, natAddresses.routerB, natAddresses.routerA]] as const) {
      const pairs = path.pairs.join('\n');
      expect(['srflx', 'prflx'], pairs).toContain(path.local?.type);
      expect(['srflx', 'prflx'], pairs).toContain(path.remote?.type);
      expect(path.remote?.address, pairs).toBe(other);
      expect(path.local?.type === 'srflx' ? path.local.address : own, pairs).toBe(own);
    }
    timings.push(`reflexive ${answerToConnectedMs} ms from answer to connected (${pathA.local?.type}/${pathA.remote?.type})`);
    await hangUp(a, b);
  });

  test('office A behind a symmetric NAT: the prepared call connects through the TURN relay, audio both ways', async () => {
    const { a, b } = phones;
    if (a === undefined || b === undefined || topology === undefined) throw new Error('the offices are not signed in');
    await topology.setSymmetric('a', true);
    expect(await topology.natRule('a')).toMatch(/MASQUERADE --random/);
    const { answerToConnectedMs } = await callAndAnswer(a, b, true);
    const pathA = await mediaPath(a.page);
    const pathB = await mediaPath(b.page);
    // The prepared peer connection was made with the manager's TURN credentials too.
    expect(pathA.iceServers.find((s) => String(s.urls).includes('turn:'))?.username).toMatch(/^\d+:1001$/);
    // One side's candidate on the selected pair is coturn's relay; the server's address is where it lives.
    for (const path of [pathA, pathB]) {
      const relay = [path.local, path.remote].find((candidate) => candidate?.type === 'relay');
      expect(relay, path.pairs.join('\n')).toBeDefined();
      expect(relay?.address).toBe(server);
    }
    timings.push(`relay ${answerToConnectedMs} ms from answer to connected (A ${pathA.local?.type}/${pathA.remote?.type})`);
    await hangUp(a, b);
    await topology.setSymmetric('a', false);
  });

  test('an attacker behind office B\'s router: no relay without genuine credentials, none to loopback or private peers', async () => {
    if (topology === undefined || publicInfo === undefined) throw new Error('no topology');
    const probe = await startScriptInNamespace(
      topology.officeNs.b, join(support, 'netns-turn-probe.ts'), [server, String(publicInfo.turnPort), publicInfo.turnSecret], join(runDir, 'turn-probe.log'), 30_000,
    );
    await probe.stop(5_000);
    const result = JSON.parse(probe.firstLine) as TurnProbeResult;
    expect(result).toEqual({
      noCredentials: 401, forged: 401, expired: 401, genuine: 0,
      permissions: {
        '127.0.0.1': 403, '127.0.0.53': 403, '10.1.2.3': 403, '172.16.0.1': 403, '192.168.0.1': 403, '169.254.169.254': 403, '100.64.0.1': 403,
        // The control: a public peer is allowed, so the refusals above are about the addresses.
        '198.51.100.6': 0,
      },
    });
  });

  test('a deployment that forces media through rtpengine: office A symmetric, no TURN, media anchored at rtpengine, audio both ways', async () => {
    const { a, b } = phones;
    if (a === undefined || b === undefined || topology === undefined) throw new Error('the offices are not signed in');
    await topology.setSymmetric('a', true);
    const anchoredA = await signInAnchored('a', a.browser);
    const anchoredB = await signInAnchored('b', b.browser);
    try {
      const { answerToConnectedMs } = await callAndAnswer(anchoredA, anchoredB, false);
      for (const phone of [anchoredA, anchoredB]) {
        const path = await mediaPath(phone.page);
        const pairs = path.pairs.join('\n');
        expect(path.iceServers, pairs).toEqual([]);
        // Each browser's peer is rtpengine: its own candidate on the server's address, in its media ports.
        expect(path.remote?.address, pairs).toBe(server);
        expect(path.remote?.port ?? 0, pairs).toBeGreaterThanOrEqual(natPorts.rtpMin);
        expect(path.remote?.port ?? 0, pairs).toBeLessThanOrEqual(natPorts.rtpMax);
        expect(path.local?.type, pairs).not.toBe('relay');
      }
      timings.push(`anchored at rtpengine ${answerToConnectedMs} ms from answer to connected`);
      await hangUp(anchoredA, anchoredB);
    } finally {
      await anchoredA.context.close();
      await anchoredB.context.close();
      await topology.setSymmetric('a', false);
    }
  });
});
