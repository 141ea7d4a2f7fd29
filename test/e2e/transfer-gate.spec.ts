import type { Page } from '@playwright/test';
import { managerApi } from '../unit/deploy/manager-api.js';
import { expectAudioIn } from './softphone.js';
import { demo, expect, openPhone, test as base, withWebStack, type OpenPhone, type WalletStack } from './wallet-fixtures.js';

/**
 * A blind transfer meets the same paid-call gate as a dialled call (issue 12 §3): Bruno, an employee
 * signed in with his company account (1002, barred from premium numbers), talks with Alice and transfers
 * her. To a premium number the gate says no, exactly as when he dials it: no REFER leaves his page and the
 * call goes on. To a paid number the "Paid call" dialog asks him first; he confirms, Alice's phone calls the
 * carrier stand-in, and the ledger charges the call to Bruno's extension. A stack of its own: it charges.
 */
const test = base.extend<{ gateStack: WalletStack }>({
  // eslint-disable-next-line no-empty-pattern
  gateStack: async ({}, use) => {
    await withWebStack('cabine-transfer-gate-e2e-', (webOrigin) => ({ managerEnv: { CABINE_APP_ORIGINS: webOrigin, CABINE_EVENTS_POLL_MS: '200' } }), use);
  },
});

async function companySignIn(phone: OpenPhone, wallet: WalletStack, account: { email: string; password: string }): Promise<void> {
  const { page } = phone;
  await page.getByLabel('Manager address').fill(wallet.managerUrl);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('p[data-registration="registered"]')).toBeVisible({ timeout: 15_000 });
}

/** REFER requests the page sent on its SIP WebSocket, counted from now on. */
function countRefers(page: Page): () => number {
  let refers = 0;
  page.on('websocket', (socket) => socket.on('framesent', (frame) => {
    if (typeof frame.payload === 'string' && frame.payload.startsWith('REFER ')) refers += 1;
  }));
  return () => refers;
}

test('a blind transfer goes through the paid-call gate: a barred premium target is stopped, a paid one asks first and is charged to the transferor', async ({ browser, gateStack: wallet }) => {
  test.setTimeout(120_000);
  const alice = await openPhone(browser, wallet);
  const bruno = await openPhone(browser, wallet);
  const brunoRefers = countRefers(bruno.page);
  try {
    await companySignIn(alice, wallet, demo.admin);
    await companySignIn(bruno, wallet, demo.employee);
    const api = managerApi(wallet.managerUrl);
    const token = await api.signIn(demo.admin.email, demo.admin.password);
    const lastSeq = Math.max(0, ...(await api.activity(token)).map((item) => item.seq));

    await alice.page.getByLabel('Number', { exact: true }).fill('1002');
    await alice.page.getByRole('button', { name: 'Call', exact: true }).click();
    await expect(bruno.page.locator('[data-call-state="incoming"]')).toBeVisible({ timeout: 15_000 });
    await bruno.page.getByRole('button', { name: 'Answer' }).click();
    await expectAudioIn(bruno.page);

    // Premium: barred for Bruno. The gate refuses as for a dial; no REFER, the call goes on.
    await bruno.page.getByRole('button', { name: 'Transfer', exact: true }).click();
    await bruno.page.getByLabel('Transfer to').fill('+33 8 99 12 34 56');
    await bruno.page.getByRole('button', { name: 'Transfer now' }).click();
    const refused = bruno.page.getByRole('dialog', { name: 'Call not allowed' }).or(bruno.page.getByRole('alertdialog', { name: 'Call not allowed' }));
    await expect(refused).toContainText('blocked calls to paid-service numbers');
    await refused.getByRole('button').first().click();
    expect(brunoRefers()).toBe(0);
    await expect(bruno.page.locator('[data-call-state="established"]')).toBeVisible();
    await expectAudioIn(bruno.page);

    // A paid number: the "Paid call" dialog first, then the transfer; the charge is Bruno's.
    await bruno.page.getByLabel('Transfer to').fill('+1 340 555 0100');
    await bruno.page.getByRole('button', { name: 'Transfer now' }).click();
    const gate = bruno.page.getByRole('dialog', { name: 'Paid call' });
    await expect(gate).toBeVisible({ timeout: 10_000 });
    expect(brunoRefers()).toBe(0);
    await gate.getByRole('button', { name: 'Call' }).click();
    await expect(bruno.page.locator('[data-call-state]')).toHaveCount(0, { timeout: 15_000 });
    expect(brunoRefers()).toBe(1);
    await expect(alice.page.locator('[data-call-state]')).toHaveCount(1, { timeout: 15_000 });
    await expect(alice.page.locator('[data-call-state="established"]')).toBeVisible({ timeout: 20_000 });
    await expectAudioIn(alice.page);
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await expect(alice.page.locator('[data-call-state]')).toHaveCount(0);
    await expect
      .poll(async () => (await api.activity(token)).filter((item) => item.seq > lastSeq && item.kind === 'call_charge').map((item) => [item.call?.number, item.call?.extension]), { timeout: 15_000 })
      .toEqual([['+13405550100', '1002']]);
  } finally {
    await Promise.allSettled([alice.context.close(), bruno.context.close()]);
  }
});
