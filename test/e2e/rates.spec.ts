/**
 * The app's International Rates in Chromium (French UI) against the real local stack: a country found by
 * its French name, by a phone number (+1 658: Jamaica, not the US) and by a national French overseas number
 * (the company's country reads it), its rates with destinations and number types in French.
 */
import type { Page } from '@playwright/test';
import { demo, expect, openPhone, test } from './wallet-fixtures.js';

const fr = { wallet: 'Compte prépayé', managerUrl: 'Adresse du gestionnaire', email: 'E-mail', password: 'Mot de passe', signIn: 'Se connecter', rates: 'Tarifs internationaux', search: 'Rechercher dans les tarifs' } as const;

async function search(page: Page, text: string): Promise<void> {
  await page.getByLabel(fr.search).fill(text);
}

test('finds a country by its French name, a phone number or a national overseas number, and shows its rates in French', async ({ browser, wallet }) => {
  const alice = await openPhone(browser, wallet, 'fr-FR');
  const { page } = alice;
  try {
    await page.getByLabel(fr.managerUrl).fill(wallet.managerUrl);
    await page.getByLabel(fr.email).fill(demo.admin.email);
    await page.getByLabel(fr.password, { exact: true }).fill(demo.admin.password);
    await page.getByRole('button', { name: fr.signIn, exact: true }).click();
    await expect(page.locator('p[data-registration="registered"]')).toBeVisible({ timeout: 15_000 });
    const panel = page.getByRole('region', { name: fr.wallet });
    await panel.getByText(fr.rates).click();
    const table = panel.locator('table.rates-table');

    await search(page, 'allemagne');
    await expect(table.locator('caption')).toContainText('Allemagne');
    await expect(table.getByRole('row', { name: /Allemagne Mobile \+4915/ }).first()).toBeVisible();
    await expect(table.getByRole('row', { name: /Allemagne Surtaxé/ }).first()).toBeVisible();
    await expect(table).not.toContainText('Germany');

    await search(page, '+1 658 555 1234');
    await expect(table.locator('caption')).toContainText('Jamaïque');

    await search(page, '0262 12 34 56');
    await expect(table.locator('caption')).toContainText('La Réunion');

    await search(page, 'zzzz');
    await expect(panel.getByRole('status').filter({ hasText: 'Aucun pays ne correspond.' })).toBeVisible();
  } finally {
    await alice.context.close();
  }
});
