/**
 * The stack the wallet's end-to-end tests run against: the whole local stack (deploy/local-stack.ts:
 * Kamailio with auth_ephemeral and manager authorization, the manager with its demo company, rtpengine,
 * the carrier stand-in) and the web softphone served from its own origin, which the manager allows
 * through CABINE_APP_ORIGINS. One per Playwright worker.
 *
 * Files that spend from the demo wallet or change its settings for good (a charged call, a budget) take a
 * stack of their own with `test.use({ walletStackName: '<file>' })`: a worker option, so Playwright runs
 * them in another worker with another stack, and the files that expect the demo wallet as seeded (or empty
 * it by cancelling its top-ups, which needs the money still there) never see what they spent.
 */
import { test as base, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../deploy/local-stack.js';
import { freePort } from '../../scripts/lib/free-port.js';
import { startStaticServer } from '../../scripts/lib/static-server.js';
import { rendererDist } from '../../scripts/lib/renderer-dist.js';

export interface WalletStack {
  readonly stack: LocalStack;
  /** The web softphone. */
  readonly webUrl: string;
  /** The manager's origin, e.g. http://127.0.0.1:40123. */
  readonly managerUrl: string;
}

/** Demo accounts the manager seeds (manager/src/seed/demo-seed.ts, documented in docs/manager.md). */
export const demo = {
  admin: { email: 'alice@cabine.test', password: 'cabine-1001', extension: '1001' },
  employee: { email: 'bruno@cabine.test', password: 'cabine-1002', extension: '1002' },
  operator: { email: 'care@cabine.test', password: 'cabine-care' },
} as const;

/**
 * Starts the local stack and the web softphone on a free port of its own (allowed by the options `stackOptions`
 * builds from that origin), hands both to `use`, and stops and removes them afterwards, also on failure. No
 * sipServer in the runtime config: the phone gets its SIP settings from the manager.
 */
export async function withWebStack(
  runDirPrefix: string,
  stackOptions: (webOrigin: string) => Omit<LocalStackOptions, 'runDir'>,
  use: (stack: WalletStack) => Promise<void>,
): Promise<void> {
  if (!existsSync(join(rendererDist, 'index.html'))) {
    throw new Error(`${rendererDist} is missing: build the renderer (npm run build, or set CABINE_RENDERER_DIST)`);
  }
  const runDir = await mkdtemp(join(tmpdir(), runDirPrefix));
  const webPort = await freePort();
  const stack = await startLocalStack({ runDir, ...stackOptions(`http://127.0.0.1:${webPort}`) });
  if (stack.manager === undefined) throw new Error('the local stack started without a manager');
  const web = await startStaticServer({ root: rendererDist, port: webPort, runtimeConfig: {} });
  try {
    await use({ stack, webUrl: web.url, managerUrl: stack.manager.url });
  } finally {
    await web.close();
    await stack.stop();
    await rm(runDir, { recursive: true, force: true });
  }
}

export const test = base.extend<object, { wallet: WalletStack; walletStackName: string }>({
  walletStackName: ['shared', { scope: 'worker', option: true }],
  wallet: [
    async ({ walletStackName }, use) => {
      await withWebStack(
        `cabine-wallet-e2e-${walletStackName.replace(/[^a-z0-9-]/gi, '')}-`,
        (webOrigin) => ({ managerEnv: { CABINE_APP_ORIGINS: webOrigin, CABINE_EVENTS_POLL_MS: '200' } }),
        use,
      );
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});

export { expect } from '@playwright/test';

export interface OpenPhone {
  readonly context: BrowserContext;
  readonly page: Page;
}

/** Opens the web softphone in a fresh context (its own storage) in the given UI language. */
export async function openPhone(browser: Browser, wallet: WalletStack, locale: 'en-GB' | 'fr-FR' = 'en-GB'): Promise<OpenPhone> {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error('page error', error));
  await page.goto(`${wallet.webUrl}?e2e=1`);
  return { context, page };
}

/** A bearer token for the manager's API, to set up the facts a test needs (the same API the app uses). */
export async function apiToken(managerUrl: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${managerUrl}/api/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in as ${email}: HTTP ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

export async function api<T>(managerUrl: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${managerUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status >= 300) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * Empties the Prepaid Account the way customer care would: every succeeded top-up is cancelled with a
 * reversing entry (append-only ledger), which leaves the demo company at zero.
 */
export async function emptyWallet(managerUrl: string): Promise<void> {
  const admin = await apiToken(managerUrl, demo.admin.email, demo.admin.password);
  const me = await api<{ company: { id: string } }>(managerUrl, admin, 'GET', '/me');
  const care = await apiToken(managerUrl, demo.operator.email, demo.operator.password);
  const { topUps } = await api<{ topUps: { id: string; status: string }[] }>(managerUrl, care, 'GET', `/care/companies/${me.company.id}/topups`);
  for (const topUp of topUps.filter((t) => t.status === 'succeeded')) {
    await api(managerUrl, care, 'POST', `/care/topups/${topUp.id}/cancel`, { reason: 'e2e: empty the wallet' });
  }
  const wallet = await api<{ balanceMinor: number }>(managerUrl, admin, 'GET', '/wallet');
  if (wallet.balanceMinor !== 0) throw new Error(`the wallet still holds ${wallet.balanceMinor} minor units`);
}
