/**
 * Two companies' apps on ONE Kamailio (issue 11, docs/sip-server.md "Several companies on one server"): the
 * demo company (cabine.test) and a company onboarded in the manager (acme.test) both have a 1001. The web
 * softphone signs in with each person's manager account and registers with the credentials the manager
 * hands out (`<expiry>:<extension>@<domain>`). Acme's 1002 dials 1001: Acme's 1001 rings and answers, with
 * audio both ways (RTCPeerConnection connected, inbound RTP growing on both sides); the demo company's 1001,
 * registered on the same server, never rings.
 */
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { expectAudioIn } from './softphone.js';
import { api, apiToken, demo, withWebStack, type WalletStack } from './wallet-fixtures.js';

const test = base.extend<object, { two: WalletStack }>({
  two: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      await withWebStack(
        'cabine-domains-e2e-',
        (webOrigin) => ({ carrier: false, managerEnv: { CABINE_APP_ORIGINS: webOrigin, CABINE_MAILER: 'outbox' } }),
        use,
      );
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});

/** The set-password link mailed to `to` (the development outbox), used as the person would. */
async function setPasswordFromMail(managerUrl: string, to: string, password: string): Promise<void> {
  const outbox = (await (await fetch(`${managerUrl}/dev/outbox.json`)).json()) as { messages: Array<{ to: string; text: string }> };
  const token = /\/set-password\?token=([A-Za-z0-9_-]+)/.exec(outbox.messages.filter((message) => message.to === to).at(-1)?.text ?? '')?.[1];
  if (token === undefined) throw new Error(`no link mailed to ${to}`);
  const response = await fetch(`${managerUrl}/api/v1/auth/set-password`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password }) });
  expect(response.status).toBe(204);
}

/** Signs in to the web softphone with the manager account; registered with the credentials it handed out. */
async function signInPhone(context: BrowserContext, stack: WalletStack, email: string, password: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${email}] page error`, error));
  await page.goto(`${stack.webUrl}?e2e=1`);
  await page.getByLabel('Manager address').fill(stack.managerUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('p[data-registration="registered"]')).toBeVisible({ timeout: 15_000 });
  return page;
}

test("Acme's 1002 calls 1001 and reaches Acme's 1001, with audio both ways; the demo company's 1001 on the same server never rings", async ({ browser, two }) => {
  const care = await apiToken(two.managerUrl, demo.operator.email, demo.operator.password);
  await api(two.managerUrl, care, 'POST', '/care/companies', {
    name: 'Acme Plomberie', country: 'FR', currency: 'EUR', sipDomain: 'acme.test', admin: { displayName: 'Ada Acme', email: 'ada@acme.test', extension: '1001' },
  });
  await setPasswordFromMail(two.managerUrl, 'ada@acme.test', 'ada-acme-password');
  const ada = await apiToken(two.managerUrl, 'ada@acme.test', 'ada-acme-password');
  await api(two.managerUrl, ada, 'POST', '/people', { displayName: 'Eric Acme', email: 'eric@acme.test', extension: '1002' });
  await setPasswordFromMail(two.managerUrl, 'eric@acme.test', 'eric-acme-password');

  const contexts = await Promise.all([0, 1, 2].map(() => browser.newContext({ locale: 'en-GB' })));
  const [aliceContext, adaContext, ericContext] = contexts;
  if (aliceContext === undefined || adaContext === undefined || ericContext === undefined) throw new Error('three contexts');
  const alicePhone = await signInPhone(aliceContext, two, demo.admin.email, demo.admin.password);
  const adaPhone = await signInPhone(adaContext, two, 'ada@acme.test', 'ada-acme-password');
  const ericPhone = await signInPhone(ericContext, two, 'eric@acme.test', 'eric-acme-password');
  // One server, two 1001s.
  expect(await two.stack.kamailio.registrations()).toEqual(expect.arrayContaining(['1001', '1001@acme.test', '1002@acme.test']));

  await ericPhone.getByLabel('Number', { exact: true }).fill('1001');
  await ericPhone.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(adaPhone.locator('[data-call-state="incoming"]')).toBeVisible({ timeout: 15_000 });
  await adaPhone.getByRole('button', { name: 'Answer' }).click();
  for (const page of [ericPhone, adaPhone]) await expect(page.locator('[data-call-state="established"]').first()).toBeVisible();
  await expectAudioIn(ericPhone);
  await expectAudioIn(adaPhone);
  // Alice (cabine.test's 1001) was never rung.
  await expect(alicePhone.locator('[data-call-state]')).toHaveCount(0);
  await ericPhone.getByRole('button', { name: 'Hang up' }).click();
  await expect(ericPhone.locator('[data-call-state]')).toHaveCount(0);
  await expect(adaPhone.locator('[data-call-state]')).toHaveCount(0);
  await expect(alicePhone.locator('tr[data-direction="incoming"]')).toHaveCount(0);
  for (const context of contexts) await context.close();
});
