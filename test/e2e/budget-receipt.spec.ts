/**
 * The employee's monthly budget and a call's receipt in the web softphone (Chromium, French UI) against
 * the real local stack: the wallet panel says what the budget leaves and follows the call's charge; the
 * history row's and the activity's "Reçu" open the call's receipt, whose price is the ledger's charge and
 * the cost shown on the row; a spent budget refuses the next call with the app's own sentence, before any
 * INVITE.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { api, apiToken, demo, expect, openPhone, test } from './wallet-fixtures.js';

// This file charges a call and sets a budget: a stack of its own, so the shared demo wallet stays as seeded.
test.use({ walletStackName: 'budget-receipt' });

const fr = { wallet: 'Compte prépayé', number: 'Numéro', call: 'Appeler', paidCall: 'Appel payant', hangUp: 'Raccrocher', managerUrl: 'Adresse du gestionnaire', email: 'E-mail', password: 'Mot de passe', signIn: 'Se connecter' } as const;
const usNumber = '+1 650 253 0000';

async function dial(page: Page, number: string): Promise<void> {
  await page.getByLabel(fr.number, { exact: true }).fill(number);
  await page.getByRole('button', { name: fr.call, exact: true }).click();
}

test('a French employee sees what the budget leaves, opens a call\'s receipt from the history row and the activity, and is refused once the budget is spent', async ({ browser, wallet }) => {
  const admin = await apiToken(wallet.managerUrl, demo.admin.email, demo.admin.password);
  await api(wallet.managerUrl, admin, 'PUT', '/company/daily-cap', { dailyCapMinor: null });
  await api(wallet.managerUrl, admin, 'PUT', '/users/usr_demo_1002/budget', { monthlyBudgetMinor: 2000 });
  const bruno = await openPhone(browser, wallet, 'fr-FR');
  const { page } = bruno;
  try {
    await page.getByLabel(fr.managerUrl).fill(wallet.managerUrl);
    await page.getByLabel(fr.email).fill(demo.employee.email);
    await page.getByLabel(fr.password, { exact: true }).fill(demo.employee.password);
    await page.getByRole('button', { name: fr.signIn, exact: true }).click();
    await expect(page.locator('p[data-registration="registered"]')).toBeVisible({ timeout: 15_000 });
    const panel = page.getByRole('region', { name: fr.wallet });
    const budget = panel.getByTestId('budget-left');
    await expect(budget).toContainText('Votre budget mensuel d’appels : il reste 20,00');
    await expect(budget).toHaveAttribute('data-left-minor', '2000');

    await dial(page, usNumber);
    const gate = page.getByRole('dialog', { name: fr.paidCall });
    await expect(gate.getByTestId('gate-budget')).toContainText('20,00');
    await gate.getByRole('button', { name: fr.call }).click();
    await expect(page.locator('[data-call-state="established"]').first()).toBeVisible({ timeout: 15_000 });
    await page.getByRole('button', { name: fr.hangUp }).click();

    const row = page.locator('tr[data-direction="outgoing"][data-number="+16502530000"]').first();
    await expect(row.getByTestId('call-cost')).toHaveText(/€/, { timeout: 15_000 });
    const cost = (await row.getByTestId('call-cost').textContent()) ?? '';
    await row.getByRole('button', { name: 'Reçu de l’appel vers le +16502530000' }).click();
    const receipt = page.getByRole('dialog', { name: 'Reçu d’appel' });
    await expect(receipt.getByTestId('receipt-price')).toHaveText(cost);
    await expect(receipt.getByTestId('receipt-number')).toHaveText('+16502530000');
    await expect(receipt.getByTestId('receipt-caller')).toHaveText('Bruno Petit (1002)');
    await expect(receipt.getByTestId('receipt-increments')).toContainText('première tranche');
    await expect(receipt.getByTestId('receipt-rate')).toHaveText(/0,022/);
    // The dialog and the panel with its budget line: no serious or critical accessibility violations.
    const serious = (await new AxeBuilder({ page }).analyze()).violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id} ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`)).toEqual([]);
    await receipt.getByRole('button', { name: 'Fermer' }).click();
    await expect(receipt).toBeHidden();

    // The same receipt from the activity list; the budget line follows the charge.
    await panel.locator('tr[data-kind="call_charge"]').first().getByRole('button', { name: /^Reçu de l’appel vers le/ }).click();
    await expect(page.getByRole('dialog', { name: 'Reçu d’appel' }).getByTestId('receipt-price')).toHaveText(cost);
    await page.getByRole('dialog', { name: 'Reçu d’appel' }).getByRole('button', { name: 'Fermer' }).click();
    const spent = await api<{ spentThisMonthMinor: number; leftMinor: number }>(wallet.managerUrl, admin, 'GET', '/users/usr_demo_1002/budget');
    expect(spent.spentThisMonthMinor).toBeGreaterThan(0);
    await expect(budget).toHaveAttribute('data-left-minor', String(spent.leftMinor));

    // Spent: the admin lowers it to what is already spent; the app refuses before any INVITE.
    await api(wallet.managerUrl, admin, 'PUT', '/users/usr_demo_1002/budget', { monthlyBudgetMinor: spent.spentThisMonthMinor });
    await dial(page, usNumber);
    await expect(page.getByRole('alertdialog').or(page.getByRole('dialog'))).toContainText('Votre budget mensuel d’appels est épuisé');
    await expect(page.locator('[data-call-state]')).toHaveCount(0);
  } finally {
    await bruno.context.close();
  }
});
