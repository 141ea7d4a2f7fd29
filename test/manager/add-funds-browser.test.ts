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

  /** A hand-off code as the app gets it (POST /api/v1/handoff with its bearer token). */
  const handoffCode = async (): Promise<string> => {
    const token = await harness.manager.signIn('alice@cabine.test', 'cabine-1001');
    const created = await harness.manager.request('POST', '/api/v1/handoff', { token, body: { next: '/prepaid/add-funds' } });
    expect(created.body.url).toBe(`/handoff#code=${created.body.code}`);
    return created.body.code as string;
  };

  it('opens Add Funds signed in from the app\'s hand-off link: the page posts the code from the fragment, once', async () => {
    const code = await handoffCode();
    const context = await harness.browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(`${request.method()} ${request.url()} ${request.postData() ?? ''}`));
    await page.goto(`${harness.manager.baseUrl}/handoff#code=${code}`);
    await page.waitForURL(`${harness.manager.baseUrl}/prepaid/add-funds`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Add Funds');
    expect(await page.getByRole('button', { name: 'Buy' }).count()).toBe(1);
    // The code went out once, in the page's POST body; never in a URL the server saw.
    expect(requested.filter((line) => line.includes(code))).toEqual([expect.stringMatching(/^POST \S+\/handoff \S*code=/)]);
    expect((await context.cookies()).map((cookie) => cookie.name)).toContain('cabine_session');
    await context.close();

    // The same link opened again (another browser, or the history) signs nobody in.
    const other = await harness.browser.newContext({ locale: 'en-GB' });
    const again = await other.newPage();
    await again.goto(`${harness.manager.baseUrl}/handoff#code=${code}`);
    await again.waitForURL(/\/sign-in\?handoff=invalid$/);
    expect(await again.getByRole('alert').textContent()).toBe('This link has expired or was already used. Sign in instead.');
    expect((await other.cookies()).map((cookie) => cookie.name)).not.toContain('cabine_session');
    await other.close();
  });

  it('signs nobody in from another site: a link to an attacker\'s code asks first, a forged post is refused and burns the code', async () => {
    const context = await harness.browser.newContext({ locale: 'en-GB' });
    const attackerCode = await handoffCode();
    const victimCode = await handoffCode();
    // evil.example is served by the test itself; the manager is a different site.
    await context.route('https://evil.example/**', (route) => route.fulfill({
      contentType: 'text/html',
      body: `<a id="link" href="${harness.manager.baseUrl}/handoff#code=${attackerCode}">win</a>
<form id="forged" method="post" action="${harness.manager.baseUrl}/handoff"><input name="code" value="${victimCode}"><input name="_csrf" value="guess"></form>`,
    }));
    const page = await context.newPage();
    await page.goto('https://evil.example/');
    await page.click('#link');
    await page.waitForURL(`${harness.manager.baseUrl}/handoff`);
    // Login CSRF: a cross-site link could carry the attacker's own code, so the page waits for the user.
    expect(await page.getByRole('status').textContent()).toContain('another site');
    expect(await page.getByRole('button', { name: 'Continue' }).isVisible()).toBe(true);
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain('cabine_session');

    await page.goto('https://evil.example/');
    await page.locator('#forged').evaluate((form) => (form as HTMLFormElement).submit());
    await page.waitForURL(/\/sign-in\?handoff=invalid$/);
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain('cabine_session');
    await context.close();

    // The victim's code, seen by the forged post, is burnt: the app's real page cannot use it either.
    const victim = await harness.browser.newContext({ locale: 'en-GB' });
    const victimPage = await victim.newPage();
    await victimPage.goto(`${harness.manager.baseUrl}/handoff#code=${victimCode}`);
    await victimPage.waitForURL(/\/sign-in\?handoff=invalid$/);
    await victim.close();
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
