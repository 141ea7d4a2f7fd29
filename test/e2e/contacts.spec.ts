import type { Page } from '@playwright/test';
import { expectAudioIn } from './softphone.js';
import { demo, expect, openPhone, test, type OpenPhone, type WalletStack } from './wallet-fixtures.js';

/**
 * Contacts (issue 12 §7) through the whole stack: Bruno, an employee signed in with his company account,
 * opens the list named "Contacts" (the company directory from the manager), finds colleagues by name with
 * accents ignored, and calls Alice from it: her phone rings through Kamailio, she answers, and audio flows
 * both ways. He then adds a personal contact and calls it the same way; the history names the contact.
 */
async function companySignIn(phone: OpenPhone, wallet: WalletStack, account: { email: string; password: string }): Promise<void> {
  const { page } = phone;
  await page.getByLabel('Manager address').fill(wallet.managerUrl);
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('p[data-registration="registered"]')).toBeVisible({ timeout: 15_000 });
}

/** Alice answers the ringing call; both pages then receive audio; Bruno hangs up. */
async function answeredWithAudio(alice: Page, bruno: Page): Promise<void> {
  await expect(alice.locator('[data-call-state="incoming"]')).toBeVisible({ timeout: 15_000 });
  await alice.getByRole('button', { name: 'Answer' }).first().click();
  await expect(bruno.locator('[data-call-state="established"]')).toBeVisible({ timeout: 15_000 });
  await expectAudioIn(alice);
  await expectAudioIn(bruno);
  await bruno.getByRole('button', { name: 'Hang up' }).click();
  await expect(bruno.locator('[data-call-state]')).toHaveCount(0, { timeout: 10_000 });
  await expect(alice.locator('[data-call-state]')).toHaveCount(0, { timeout: 10_000 });
}

test('Contacts: search a colleague, call from the list with audio both ways; add a personal contact and call it', async ({ browser, wallet }) => {
  test.setTimeout(120_000);
  const alice = await openPhone(browser, wallet);
  const bruno = await openPhone(browser, wallet);
  try {
    await companySignIn(alice, wallet, demo.admin);
    await companySignIn(bruno, wallet, demo.employee);
    const page = bruno.page;
    const list = page.getByRole('list', { name: 'Contacts' });
    await expect(list.getByRole('listitem')).toHaveCount(3, { timeout: 10_000 });

    // Accents and case ignored: "chloe" finds Chloé; "ALICE mart" finds Alice only.
    const search = page.getByLabel('Search contacts');
    await search.fill('chloe');
    await expect(list.getByRole('listitem')).toHaveCount(1);
    await expect(list).toContainText('Chloé Durand');
    await search.fill('ALICE mart');
    await expect(list.getByRole('listitem')).toHaveCount(1);
    await list.getByRole('button', { name: 'Call Alice Martin' }).click();
    await answeredWithAudio(alice.page, page);

    // A personal contact, kept by the app: added, found, called.
    await page.getByRole('button', { name: 'Add a personal contact' }).click();
    const form = page.getByRole('form', { name: 'Add a personal contact' });
    await form.getByLabel('Name').fill('Élodie (bureau)');
    await form.getByLabel('Number').fill('1001');
    await form.getByRole('button', { name: 'Save contact' }).click();
    await search.fill('elodie');
    await expect(list.getByRole('listitem')).toHaveCount(1);
    await expect(list.locator('[data-contact-kind="personal"]')).toContainText('Élodie (bureau)');
    await list.getByRole('button', { name: 'Call Élodie (bureau)' }).click();
    await answeredWithAudio(alice.page, page);

    // Kept by the app: in the page's storage, and the history names the number's contact.
    const stored = await page.evaluate(() => window.localStorage.getItem('cabine.contacts.v1'));
    expect(JSON.parse(stored ?? '[]')).toEqual([expect.objectContaining({ name: 'Élodie (bureau)', number: '1001' })]);
    await expect(page.locator('[data-testid="call-history"] tr[data-number="1001"]').first()).toContainText('Alice Martin');
  } finally {
    await alice.context.close();
    await bruno.context.close();
  }
});
