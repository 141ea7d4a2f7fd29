/**
 * The wallet end to end: the web softphone in Chromium against the real local stack (Kamailio with the
 * manager's authorization, the manager, rtpengine, the carrier stand-in). The tests share one stack and
 * run in order, because they move one company's money: empty it, call an emergency number with nothing
 * in it, buy 25 EUR, then make paid calls.
 */
import AxeBuilder from '@axe-core/playwright';
import { mkdir } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { demo, emptyWallet, expect, openPhone, test, type OpenPhone, type WalletStack } from './wallet-fixtures.js';

const screenshots = 'artifacts/screenshots';

/** Names of the automation contract, per UI language (accessible names follow the UI language). */
const names = {
  en: { wallet: 'Wallet', balance: 'Balance', paidCall: 'Paid call', premium: 'Premium number', call: 'Call', cancel: 'Cancel', addFunds: 'Add funds', signIn: 'Sign in', number: 'Number', blocked: 'Not enough funds', confirm: 'I understand this call is charged at a premium rate', hangUp: 'Hang up', managerUrl: 'Manager address', email: 'Email', password: 'Password' },
  fr: { wallet: 'Compte prépayé', balance: 'Solde', paidCall: 'Appel payant', premium: 'Numéro surtaxé', call: 'Appeler', cancel: 'Annuler', addFunds: 'Ajouter des fonds', signIn: 'Se connecter', number: 'Numéro', blocked: 'Fonds insuffisants', confirm: 'Je comprends que cet appel est surtaxé', hangUp: 'Raccrocher', managerUrl: 'Adresse du gestionnaire', email: 'E-mail', password: 'Mot de passe' },
} as const;
type Language = keyof typeof names;

async function signInCompany(page: Page, wallet: WalletStack, account: { email: string; password: string }, language: Language = 'en'): Promise<void> {
  const n = names[language];
  await page.getByLabel(n.managerUrl).fill(wallet.managerUrl);
  await page.getByLabel(n.email).fill(account.email);
  await page.getByLabel(n.password, { exact: true }).fill(account.password);
  await page.getByRole('button', { name: n.signIn, exact: true }).click();
  // Registered with the SIP credentials the manager handed out: nobody typed SIP settings.
  await expect(page.locator('p[data-registration="registered"]')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole('region', { name: n.wallet })).toBeVisible();
}

async function dial(page: Page, number: string, language: Language = 'en'): Promise<void> {
  const n = names[language];
  await page.getByLabel(n.number, { exact: true }).fill(number);
  await page.getByRole('button', { name: n.call, exact: true }).click();
}

function balanceOf(page: Page, language: Language = 'en') {
  const n = names[language];
  return page.getByRole('region', { name: n.wallet }).getByRole('status', { name: n.balance, exact: true });
}

async function shot(page: Page, name: string): Promise<void> {
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: `${screenshots}/${name}.png`, fullPage: true });
}

/** The call in front reached "In call" (answered by the carrier stand-in or a phone). */
async function expectEstablished(page: Page): Promise<void> {
  await expect(page.locator('[data-call-state="established"]').first()).toBeVisible({ timeout: 15_000 });
}

test.describe.configure({ mode: 'serial' });

test.describe('the wallet', () => {
  let admin: OpenPhone | null = null;

  test.afterAll(async () => {
    await admin?.context.close();
  });

  test('zero balance: the call is not placed; the admin gets Add funds, the employee is told to ask an admin', async ({ browser, wallet }) => {
    await emptyWallet(wallet.managerUrl);
    admin = await openPhone(browser, wallet);
    await signInCompany(admin.page, wallet, demo.admin);
    await expect(balanceOf(admin.page)).toHaveText(/0[.,]00/);

    await dial(admin.page, '+1 650 253 0000');
    const blocked = admin.page.getByRole('alertdialog', { name: names.en.blocked });
    await expect(blocked).toBeVisible();
    await expect(blocked.getByRole('button', { name: names.en.addFunds })).toBeVisible();
    await expect(admin.page.locator('[data-call-state]')).toHaveCount(0);
    await blocked.getByRole('button', { name: 'Close' }).click();
    await expect(blocked).toBeHidden();

    const employee = await openPhone(browser, wallet);
    try {
      await signInCompany(employee.page, wallet, demo.employee);
      await dial(employee.page, '+1 650 253 0000');
      const employeeBlocked = employee.page.getByRole('alertdialog', { name: names.en.blocked });
      await expect(employeeBlocked).toContainText('Ask your admin to add funds');
      await expect(employeeBlocked.getByRole('button', { name: names.en.addFunds })).toHaveCount(0);
      await expect(employee.page.locator('[data-call-state]')).toHaveCount(0);
      await employeeBlocked.getByRole('button', { name: 'Close' }).click();
      // Employees read automatic refill and are told an admin is needed.
      await expect(employee.page.getByRole('region', { name: names.en.wallet })).toContainText('Only an admin can change automatic refill.');
    } finally {
      await employee.context.close();
    }
  });

  test('an emergency number goes straight out with a zero balance and the manager stopped', async ({ wallet }) => {
    if (admin === null) throw new Error('needs the signed-in admin of the first test');
    const manager = wallet.stack.manager;
    if (manager === undefined) throw new Error('no manager');
    await manager.stop();
    try {
      await dial(admin.page, '112');
      // No gate, no warning: the call is placed at once and answered by the carrier stand-in.
      await expect(admin.page.getByRole('dialog')).toHaveCount(0);
      await expect(admin.page.getByRole('alertdialog')).toHaveCount(0);
      await expectEstablished(admin.page);
      await admin.page.getByRole('button', { name: names.en.hangUp }).click();
      await expect(admin.page.locator('[data-call-state]')).toHaveCount(0);
    } finally {
      await manager.restart();
    }
  });

  test('the admin opens Add funds from the app, buys 25 EUR in the manager, and the balance updates without a reload', async () => {
    if (admin === null) throw new Error('needs the signed-in admin of the first test');
    const { page, context } = admin;
    const panel = page.getByRole('region', { name: names.en.wallet });
    await expect(panel).toContainText('Live', { timeout: 20_000 });
    const [managerPage] = await Promise.all([context.waitForEvent('page'), panel.getByRole('button', { name: names.en.addFunds }).click()]);
    await managerPage.waitForURL(/\/prepaid\/add-funds$/);
    await managerPage.locator('select#amount').selectOption({ value: '2500' });
    await managerPage.getByRole('button', { name: 'Buy' }).click();
    await expect(managerPage.getByTestId('topup-result')).toBeVisible();
    // Same page, no reload: the event stream brought the new balance.
    await expect(balanceOf(page)).toHaveText(/25[.,]00/, { timeout: 5_000 });
    await managerPage.close();
  });

  test('the international gate shows the manager’s balance and rate, and the call connects after Call', async () => {
    if (admin === null) throw new Error('needs the signed-in admin of the first test');
    const { page } = admin;
    await shot(page, 'wallet-panel-en');
    await dial(page, '+1 650 253 0000');
    const gate = page.getByRole('dialog', { name: names.en.paidCall });
    await expect(gate).toBeVisible();
    await expect(gate.getByTestId('gate-balance')).toHaveText(/25[.,]00/);
    await expect(gate.getByTestId('gate-rate')).toHaveText(/0[.,]022/);
    await expect(gate.getByTestId('gate-minutes')).toHaveText(/\d+ min/);
    await expect(gate.getByRole('button', { name: names.en.call })).toBeFocused();
    await shot(page, 'gate-en');
    await gate.getByRole('button', { name: names.en.call }).click();
    await expectEstablished(page);
    await expect(page.getByRole('region', { name: 'Paid call' })).toBeVisible();
    await page.getByRole('button', { name: names.en.hangUp }).click();
    // The call's cost shows in the activity once the proxy has charged it, and on the call's history row.
    await expect(page.getByRole('region', { name: names.en.wallet }).locator('tr[data-kind="call_charge"]').first()).toBeVisible({ timeout: 10_000 });
    const row = page.locator('tr[data-direction="outgoing"][data-number="+16502530000"]').first();
    await expect(row.getByTestId('call-cost')).toHaveText(/€|EUR/);
  });

  test('a premium number needs the explicit confirmation', async () => {
    if (admin === null) throw new Error('needs the signed-in admin of the first test');
    const { page } = admin;
    await dial(page, '08 99 12 34 56');
    const warning = page.getByRole('alertdialog', { name: names.en.premium });
    await expect(warning).toBeVisible();
    await expect(warning).toContainText('premium-rate number');
    await expect(warning.getByRole('checkbox', { name: names.en.confirm })).toBeFocused();
    await shot(page, 'premium-en');
    // Call without ticking the box does nothing but say so.
    await warning.getByRole('button', { name: names.en.call }).click();
    await expect(warning.getByRole('alert')).toContainText('Tick the box');
    await expect(page.locator('[data-call-state]')).toHaveCount(0);
    await warning.getByRole('button', { name: names.en.cancel }).click();
    await expect(warning).toBeHidden();
    await expect(page.locator('[data-call-state]')).toHaveCount(0);

    await dial(page, '08 99 12 34 56');
    await expect(warning.getByRole('checkbox', { name: names.en.confirm })).not.toBeChecked();
    await warning.getByRole('checkbox', { name: names.en.confirm }).check();
    await warning.getByRole('button', { name: names.en.call }).click();
    await expect(page.locator('[data-call-state]').first()).toBeVisible();
    await page.getByRole('button', { name: names.en.hangUp }).click();
    await expect(page.locator('[data-call-state]')).toHaveCount(0);
  });

  test('the French UI end to end: sign-in, panel, gate, premium warning', async ({ browser, wallet }) => {
    const fr = await openPhone(browser, wallet, 'fr-FR');
    try {
      const { page } = fr;
      await signInCompany(page, wallet, demo.admin, 'fr');
      const panel = page.getByRole('region', { name: names.fr.wallet });
      await expect(balanceOf(page, 'fr')).toHaveText(/\d+,\d{2}\s?€/);
      await expect(panel.getByRole('button', { name: names.fr.addFunds })).toBeVisible();
      await expect(panel).toContainText('Recharge automatique');
      await shot(page, 'wallet-panel-fr');

      await dial(page, '+1 650 253 0000', 'fr');
      const gate = page.getByRole('dialog', { name: names.fr.paidCall });
      await expect(gate).toContainText('Tarif par minute');
      await expect(gate.getByTestId('gate-rate')).toHaveText(/0,022/);
      await shot(page, 'gate-fr');
      await gate.getByRole('button', { name: names.fr.cancel }).click();
      await expect(gate).toBeHidden();

      await dial(page, '0899123456', 'fr');
      const warning = page.getByRole('alertdialog', { name: names.fr.premium });
      await expect(warning).toContainText('surtaxé');
      await shot(page, 'premium-fr');
      await warning.getByRole('button', { name: names.fr.cancel }).click();
      await expect(page.locator('[data-call-state]')).toHaveCount(0);
    } finally {
      await fr.context.close();
    }
  });

  test('axe finds no serious or critical violations on the sign-in, the wallet panel and the gate', async ({ browser, wallet }) => {
    const phone = await openPhone(browser, wallet);
    try {
      const { page } = phone;
      const scan = async (what: string): Promise<void> => {
        const results = await new AxeBuilder({ page }).analyze();
        const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        expect(serious.map((v) => `${what}: ${v.id} ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`)).toEqual([]);
      };
      await scan('sign-in');
      await signInCompany(page, wallet, demo.admin);
      await scan('wallet panel');
      await dial(page, '+1 650 253 0000');
      await expect(page.getByRole('dialog', { name: names.en.paidCall })).toBeVisible();
      await scan('paid call gate');
      await page.getByRole('button', { name: names.en.cancel }).click();
      await dial(page, '0899123456');
      await expect(page.getByRole('alertdialog', { name: names.en.premium })).toBeVisible();
      await scan('premium warning');
    } finally {
      await phone.context.close();
    }
  });
});
