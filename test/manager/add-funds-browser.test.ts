import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startManagerInChromium, type ManagerInChromium } from './support/browser-harness';

/**
 * The Add Funds flow driven in Chromium through the Playwright library API (inside vitest): sign in with
 * the keyboard, choose an amount, Buy, read the receipt; a declined card; the French pages.
 */
describe('Add Funds in Chromium', () => {
  let harness: ManagerInChromium;

  beforeAll(async () => {
    harness = await startManagerInChromium();
  });

  afterAll(async () => {
    expect(await harness?.stop()).toEqual([]);
  });

  const signIn = (locale: string, email: string, password: string) => harness.signIn(locale, email, password, '/prepaid');

  it('adds funds with the card on file and shows a receipt; a resubmitted form adds them once', async () => {
    const { context, page } = await signIn('en-GB', 'alice@cabine.test', 'cabine-1001');
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe('€25.00');
    await page.getByRole('navigation').getByRole('link', { name: 'Add Funds' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Add Funds');
    await page.getByLabel('Amount to add').selectOption({ label: '€50.00' });
    await page.getByRole('button', { name: 'Buy' }).click();
    await page.waitForURL(/\/prepaid\/receipts\//);
    expect(await page.getByTestId('topup-result').textContent()).toBe('Funds added.');
    expect(await page.getByTestId('receipt-amount').textContent()).toBe('€50.00');
    const receiptUrl = page.url();
    const receiptNumber = await page.getByTestId('receipt-number').textContent();
    expect(receiptNumber).toMatch(/^R-\d{8}$/);
    expect(receiptUrl).toContain('?new=1');
    // A double submission of one rendered form (same hidden idempotency key) buys once.
    await page.getByRole('link', { name: 'Back to the Prepaid Account' }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Add Funds' }).click();
    const form = Object.fromEntries(await page.locator('form[action="/prepaid/add-funds"] input[type=hidden]').evaluateAll((inputs) => inputs.map((input) => [(input as HTMLInputElement).name, (input as HTMLInputElement).value])));
    const twice = await Promise.all([1, 2].map(() => page.request.post(`${harness.manager.baseUrl}/prepaid/add-funds`, { form: { ...form, amountMinor: '1000' }, maxRedirects: 0 })));
    expect(twice.map((response) => response.status())).toEqual([303, 303]);
    expect(twice[0]?.headers().location).toBe(twice[1]?.headers().location);
    await page.getByRole('navigation').getByRole('link', { name: 'Prepaid Account' }).click();
    expect(await page.getByTestId('balance').textContent()).toBe('€85.00');
    const cookies = await context.cookies();
    expect(cookies.find((cookie) => cookie.name === 'cabine_session')).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });
    await context.close();
  });

  it('shows a declined card clearly and adds nothing', async () => {
    const { context, page } = await signIn('en-GB', 'alice@cabine.test', 'cabine-1001');
    const before = await page.getByTestId('balance').textContent();
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Card number').fill('4000 0000 0000 9995');
    await page.getByLabel('Security code (CVC)').fill('123');
    await page.getByRole('button', { name: 'Save card' }).click();
    await expect.poll(() => page.getByTestId('card-on-file').textContent()).toBe('Visa •••• 9995');
    await page.getByRole('navigation').getByRole('link', { name: 'Add Funds' }).click();
    await page.getByRole('button', { name: 'Buy' }).click();
    await expect.poll(() => page.getByTestId('topup-result').textContent()).toBe('The payment was declined: insufficient funds on the card.');
    await page.getByRole('navigation').getByRole('link', { name: 'Prepaid Account' }).click();
    expect(await page.getByTestId('balance').textContent()).toBe(before);
    // Put the approved card back for the next test.
    await page.getByRole('navigation').getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Card number').fill('4242 4242 4242 4242');
    await page.getByLabel('Security code (CVC)').fill('123');
    await page.getByRole('button', { name: 'Save card' }).click();
    await expect.poll(() => page.getByTestId('card-on-file').textContent()).toBe('Visa •••• 4242');
    await context.close();
  });

  it('speaks French with the help page wording, and keeps Buy for admins', async () => {
    const { context, page } = await signIn('fr-FR', 'alice@cabine.test', 'cabine-1001');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Compte prépayé');
    const nav = page.getByRole('navigation');
    for (const name of ['Ajouter des fonds', 'Paramètres', 'Tarifs internationaux', 'Activité']) expect(await nav.getByRole('link', { name }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Recharge automatique' }).count()).toBe(1);
    await nav.getByRole('link', { name: 'Ajouter des fonds' }).click();
    await page.getByLabel('Montant à ajouter').selectOption({ label: '10,00 €' });
    await page.getByRole('button', { name: 'Acheter' }).click();
    await page.waitForURL(/\/prepaid\/receipts\//);
    expect(await page.getByTestId('topup-result').textContent()).toBe('Fonds ajoutés.');
    await nav.getByRole('link', { name: 'Tarifs internationaux' }).click();
    await page.getByLabel('Pays').selectOption('DE');
    await page.getByRole('button', { name: 'Afficher les tarifs' }).click();
    expect(await page.getByRole('row').count()).toBeGreaterThan(5);
    await page.getByRole('link', { name: 'English' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('International Rates');
    await context.close();

    const employee = await signIn('fr-FR', 'bruno@cabine.test', 'cabine-1002');
    await employee.page.goto(`${harness.manager.baseUrl}/prepaid/add-funds`);
    expect(await employee.page.getByRole('button', { name: 'Acheter' }).count()).toBe(0);
    expect(await employee.page.getByText("Seuls les administrateurs de l'entreprise peuvent le faire.").count()).toBe(1);
    await employee.context.close();
  });
});
