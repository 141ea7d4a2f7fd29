import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetViewSchema } from '../../shared/api/budget-schemas';
import { callReceiptSchema } from '../../shared/api/receipt-schemas';
import { formatMoney } from '../../shared/money/format-money';
import { startManagerInChromium, type ManagerInChromium } from './support/browser-harness';

/**
 * The manager's Budgets page and call receipt page in Chromium, by their labels, in English and French:
 * the admin sets, rejects and clears an employee's monthly budget (checked through the API and authorize);
 * the employee sees only their own budget and a forged post of theirs is refused; a call's receipt opens
 * from the Activity page for its caller, in their language, with the ledger's price, and is 404 for another
 * employee.
 */
describe('Budgets and call receipt pages in Chromium', () => {
  let harness: ManagerInChromium;
  let m: ManagerInChromium['manager'];
  let adminToken: string;

  beforeAll(async () => {
    harness = await startManagerInChromium();
    m = harness.manager;
    adminToken = await m.signIn('alice@cabine.test', 'cabine-1001');
  });

  afterAll(async () => {
    expect(await harness?.stop()).toEqual([]);
  });

  const brunoBudget = async () => budgetViewSchema.parse((await m.request('GET', '/api/v1/users/usr_demo_1002/budget', { token: adminToken })).body).monthlyBudgetMinor;

  it('lets the admin set, refuse and clear an employee\'s monthly budget', async () => {
    const { context, page } = await harness.signIn('en-GB', 'alice@cabine.test', 'cabine-1001', '/prepaid/budgets');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Monthly budgets');
    const field = page.getByLabel('Monthly budget (EUR) · Bruno Petit');
    await field.fill('0.01');
    await page.getByTestId('budget-row-usr_demo_1002').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('The budget was saved.');
    expect(await brunoBudget()).toBe(1);
    expect(await page.getByTestId('budget-row-usr_demo_1002').getByTestId('budget-left').textContent()).toBe('€0.01');
    // A cent buys no second of a paid call: authorize refuses it.
    const refused = (await m.proxy('/api/v1/calls/authorize', { callId: 'pages-budget-1', callerExtension: '1002', dialed: '+44 7400 900123' })).body as { allowed: boolean; reason: string };
    expect(refused).toMatchObject({ allowed: false, reason: 'monthly_budget' });

    await page.getByLabel('Monthly budget (EUR) · Bruno Petit').fill('0');
    await page.getByTestId('budget-row-usr_demo_1002').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Enter an amount such as 20');
    expect(await brunoBudget()).toBe(1);

    await page.getByLabel('Monthly budget (EUR) · Bruno Petit').fill('');
    await page.getByTestId('budget-row-usr_demo_1002').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('The budget was saved.');
    expect(await brunoBudget()).toBeNull();
    expect(await page.getByTestId('budget-row-usr_demo_1002').getByTestId('budget-amount').textContent()).toBe('No budget');
    await context.close();
  });

  it('shows an employee their own budget in French, and refuses their forged post', async () => {
    expect((await m.request('PUT', '/api/v1/users/usr_demo_1002/budget', { token: adminToken, body: { monthlyBudgetMinor: 2050 } })).status).toBe(200);
    const { context, page } = await harness.signIn('fr-FR', 'bruno@cabine.test', 'cabine-1002', '/prepaid/budgets');
    expect(await page.getByRole('heading', { level: 2 }).textContent()).toBe('Votre budget mensuel');
    expect(await page.getByTestId('budget-amount').textContent()).toBe(formatMoney(2050, 'EUR', 'fr-FR'));
    expect(await page.getByTestId('budget-left').textContent()).toBe(formatMoney(2050, 'EUR', 'fr-FR'));
    expect(await page.getByRole('textbox').count()).toBe(0);
    // The form the admin has, posted by hand with Bruno's own session and CSRF token.
    const csrf = await page.locator('form.signout input[name="_csrf"]').inputValue();
    const forged = await page.request.post(`${m.baseUrl}/prepaid/budgets/usr_demo_1002`, { form: { _csrf: csrf, budget: '' } });
    expect(forged.status()).toBe(403);
    expect(await brunoBudget()).toBe(2050);
    await context.close();
  });

  it('opens a call\'s receipt from the Activity page for its caller, in French, with the ledger\'s price; another employee gets 404', async () => {
    for (let i = 0; i < 2; i += 1) {
      const topUp = await m.request('POST', '/api/v1/wallet/topups', { token: adminToken, body: { amountMinor: 2500, currency: 'EUR' }, headers: { 'idempotency-key': `pages-top-up-${i}` } });
      expect(topUp.status, JSON.stringify(topUp.body)).toBe(201);
    }
    const callId = 'pages-call@10.0.0.1~r1';
    expect((await m.proxy('/api/v1/calls/authorize', { callId, callerExtension: '1002', dialed: '+44 7400 900123' })).body).toMatchObject({ allowed: true });
    expect((await m.proxy('/api/v1/calls/complete', { callId, answeredSeconds: 47 })).status).toBe(200);
    const { context, page } = await harness.signIn('fr-FR', 'bruno@cabine.test', 'cabine-1002', '/prepaid/activity');
    await page.getByRole('link', { name: 'Reçu' }).first().click();
    await page.waitForURL(/\/prepaid\/activity\/calls\/\d+$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Reçu d’appel');
    const seq = Number(/(\d+)$/.exec(page.url())?.[1]);
    const receipt = callReceiptSchema.parse((await m.request('GET', `/api/v1/receipts/calls/${seq}`, { token: adminToken })).body);
    expect(receipt).toMatchObject({ reference: callId, answeredSeconds: 47, billedSeconds: 48, increment: '30/6' });
    expect(await page.getByTestId('receipt-number').textContent()).toBe('+447400900123');
    expect(await page.getByTestId('receipt-increments').textContent()).toBe('30/6 · première tranche 30 s, puis par 6 s');
    expect(await page.getByTestId('receipt-billed').textContent()).toBe('48 s');
    expect(await page.getByTestId('receipt-rate').textContent()).toBe(new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 4 }).format(0.166));
    expect(receipt.pricePerMinute).toEqual({ units: 1660, decimal: '0.1660' });
    expect(await page.getByTestId('receipt-price').textContent()).toBe(formatMoney(receipt.priceMinor, 'EUR', 'fr-FR'));
    expect(await page.getByTestId('receipt-caller').textContent()).toBe('Bruno Petit (1002)');
    await context.close();

    const chloe = await harness.signIn('en-GB', 'chloe@cabine.test', 'cabine-1003', '/prepaid/activity');
    // Chloé sees the company's activity but no receipt link for Bruno's call, and the URL is 404 for her.
    expect(await chloe.page.getByRole('link', { name: 'Receipt' }).count()).toBe(0);
    const answer = await chloe.page.goto(`${m.baseUrl}/prepaid/activity/calls/${seq}`);
    expect(answer?.status()).toBe(404);
    await chloe.context.close();
  });
});
