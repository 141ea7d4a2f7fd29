import type { Browser, BrowserContext, Page } from '@playwright/test';
import { expect, type Stack } from './fixtures.js';
// The page's `window.__cabineE2E` type (the hook is only installed with `?e2e=1`).
import type {} from '../../renderer/src/e2e/e2e-hook.js';

/**
 * Driving the softphone in Chromium through its stable automation contract: sign-in fields "Server",
 * "Username", "Password", "Domain" and button "Sign in"; role=status says "Registered"; the number field
 * "Number" and buttons "Call", "Hang up", "Answer"; `?e2e=1` exposes the call's RTCPeerConnections. Media is
 * asserted on the peer connection (connectionState, getStats), never on SIP state alone (field notes).
 */
export interface Softphone {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly username: string;
}

/** Opens the softphone on `page` and submits the SIP sign-in form (without waiting for its outcome). */
export async function submitSignIn(page: Page, stack: Stack, user: { readonly username: string; readonly password: string }): Promise<void> {
  await page.goto(`${stack.webUrl}?e2e=1`);
  await page.getByLabel('Server').fill(stack.sipWsUrl);
  await page.getByLabel('Username').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByLabel('Domain').fill(stack.domain);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Opens a context for demo user `index`, signs in and waits for "Registered". Page errors go to the log. */
export async function signedInSoftphone(browser: Browser, stack: Stack, index: number): Promise<Softphone> {
  const user = stack.users[index];
  if (user === undefined) throw new Error(`no demo user ${index}`);
  const context = await browser.newContext({ locale: 'en-GB' });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${user.username}] page error`, error));
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`[${user.username}] console: ${message.text()}`);
  });
  await submitSignIn(page, stack, user);
  await expect(page.getByRole('status')).toContainText('Registered');
  return { context, page, username: user.username };
}

/** RTP audio packets received on the call's first peer connection (getStats inbound-rtp); -1 without one. */
export function packetsReceived(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pc = window.__cabineE2E?.peerConnections()[0];
    if (pc === undefined) return -1;
    let packets = 0;
    (await pc.getStats()).forEach((report: { type: string; kind?: string; packetsReceived?: number }) => {
      if (report.type === 'inbound-rtp' && report.kind === 'audio') packets += report.packetsReceived ?? 0;
    });
    return packets;
  });
}

/** The first peer connection's connectionState ('none' without one). */
export function connectionState(page: Page): Promise<string> {
  return page.evaluate(() => window.__cabineE2E?.peerConnections()[0]?.connectionState ?? 'none');
}

/** Resolves once inbound packets grew by more than `by` over a later reading (no fixed sleeps). */
export async function expectPacketsGrowing(page: Page, by = 10): Promise<void> {
  const start = await packetsReceived(page);
  await expect.poll(() => packetsReceived(page), { timeout: 10_000 }).toBeGreaterThan(start + by);
}

/** Waits for ICE + DTLS to connect and for inbound audio packets to keep arriving. */
export async function expectAudioIn(page: Page, packets = 25): Promise<void> {
  await expect.poll(() => connectionState(page), { timeout: 15_000 }).toBe('connected');
  await expectPacketsGrowing(page, packets);
}

/** Dials a number with the "Number" field and the "Call" button. */
export async function dial(phone: Softphone, number: string): Promise<void> {
  await phone.page.getByLabel('Number').fill(number);
  await phone.page.getByRole('button', { name: 'Call', exact: true }).click();
}

/** Hangs up with the "Hang up" button and waits until no call is shown. */
export async function hangUp(phone: Softphone): Promise<void> {
  await phone.page.getByRole('button', { name: 'Hang up' }).click();
  await expect(phone.page.locator('[data-call-state]')).toHaveCount(0);
}
