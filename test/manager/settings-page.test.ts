import type { Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startManagerInChromium, type ManagerInChromium } from './support/browser-harness';

/**
 * The admin controls of the Settings page, driven in Chromium by their labels (the Playwright library API
 * inside vitest, like add-funds-browser): the daily spending cap, premium barring per employee and the
 * high-risk destinations switch. Each change is checked where it matters — the wallet API and the proxy's
 * authorize answer — and an employee can neither see the forms nor post them.
 */
describe('Settings page admin controls in Chromium', () => {
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

  const signIn = (locale: string, email: string, password: string) => harness.signIn(locale, email, password, '/prepaid/settings');

  const wallet = async () => (await m.request('GET', '/api/v1/wallet', { token: adminToken })).body as { dailyCapMinor: number | null };
  const brunoBarred = async (): Promise<boolean> => {
    const users = (await m.request('GET', '/api/v1/users', { token: adminToken })).body.users as Array<{ extension: string; premiumBarred: boolean }>;
    return users.find((user) => user.extension === '1002')?.premiumBarred ?? false;
  };
  let callNumber = 0;
  const authorize = async (callerExtension: string, dialed: string): Promise<{ allowed: boolean; reason: string }> => {
    callNumber += 1;
    const callId = `settings-${callNumber}`;
    const answer = (await m.proxy('/api/v1/calls/authorize', { callId, callerExtension, dialed })).body as { allowed: boolean; reason: string };
    if (answer.allowed) await m.proxy('/api/v1/calls/release', { callId });
    return answer;
  };
  const saved = (page: Page) => expect.poll(() => page.getByRole('status').filter({ hasText: /saved|sauvegardés/ }).count()).toBe(1);

  it('lets an admin set and remove the daily spending cap', async () => {
    const { context, page } = await signIn('en-GB', 'alice@cabine.test', 'cabine-1001');
    const section = page.getByRole('region', { name: 'Daily spending cap' });
    // A new company starts with the default cap (shared/billing/daily-cap.ts), shown in the field too.
    expect(await section.getByTestId('daily-cap').textContent()).toMatch(/^€50\.00$/);
    expect(await section.getByLabel('Daily cap (EUR)').inputValue()).toBe('50.00');
    await section.getByLabel('Daily cap (EUR)').fill('20.50');
    await section.getByRole('button', { name: 'Save changes' }).click();
    await saved(page);
    expect((await wallet()).dailyCapMinor).toBe(2050);
    expect(await page.getByRole('region', { name: 'Daily spending cap' }).getByTestId('daily-cap').textContent()).toBe('€20.50');
    expect(await page.getByLabel('Daily cap (EUR)').inputValue()).toBe('20.50');

    // Zero is not a cap: a clear error, nothing changed.
    await page.getByLabel('Daily cap (EUR)').fill('0');
    await page.getByRole('region', { name: 'Daily spending cap' }).getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Enter an amount such as 20');
    expect((await wallet()).dailyCapMinor).toBe(2050);

    // Empty: no cap.
    await page.getByLabel('Daily cap (EUR)').fill('');
    await page.getByRole('region', { name: 'Daily spending cap' }).getByRole('button', { name: 'Save changes' }).click();
    await saved(page);
    expect((await wallet()).dailyCapMinor).toBeNull();
    await context.close();
  });

  it('lets an admin bar and allow paid-service numbers per employee', async () => {
    const { context, page } = await signIn('en-GB', 'alice@cabine.test', 'cabine-1001');
    expect(await brunoBarred()).toBe(true);
    const bruno = page.getByLabel('Bar paid-service numbers for Bruno Petit (1002)');
    expect(await bruno.isChecked()).toBe(true);
    expect(await page.getByLabel('Bar paid-service numbers for Chloé Durand (1003)').isChecked()).toBe(true);
    expect(await authorize('1002', '0899 123 456')).toMatchObject({ allowed: false, reason: 'barred' });

    await bruno.uncheck();
    await page.getByRole('region', { name: 'Paid-service numbers' }).getByRole('button', { name: 'Save changes' }).click();
    await saved(page);
    expect(await brunoBarred()).toBe(false);
    expect(await page.getByLabel('Bar paid-service numbers for Bruno Petit (1002)').isChecked()).toBe(false);
    // Only Bruno changed.
    expect(await page.getByLabel('Bar paid-service numbers for Chloé Durand (1003)').isChecked()).toBe(true);
    expect(await authorize('1002', '0899 123 456')).toMatchObject({ allowed: true });
    expect(await authorize('1003', '0899 123 456')).toMatchObject({ allowed: false, reason: 'barred' });

    await page.getByLabel('Bar paid-service numbers for Bruno Petit (1002)').check();
    await page.getByRole('region', { name: 'Paid-service numbers' }).getByRole('button', { name: 'Save changes' }).click();
    await saved(page);
    expect(await brunoBarred()).toBe(true);
    await context.close();
  });

  it('lets an admin allow and block high-risk destinations', async () => {
    const { context, page } = await signIn('en-GB', 'alice@cabine.test', 'cabine-1001');
    const region = () => page.getByRole('region', { name: 'High-risk destinations' });
    expect(await region().getByTestId('high-risk').textContent()).toBe('Blocked');
    expect(await authorize('1001', '+881612345678')).toMatchObject({ allowed: false, reason: 'class_blocked' });

    await page.getByLabel('Allow calls to high-risk destinations').check();
    await region().getByRole('button', { name: 'Save changes' }).click();
    await saved(page);
    expect(await region().getByTestId('high-risk').textContent()).toBe('Allowed');
    expect((await m.request('GET', '/api/v1/company/high-risk', { token: adminToken })).body).toEqual({ allowed: true });
    expect(await authorize('1001', '+881612345678')).toMatchObject({ allowed: true });

    await page.getByLabel('Allow calls to high-risk destinations').uncheck();
    await region().getByRole('button', { name: 'Save changes' }).click();
    await saved(page);
    expect(await region().getByTestId('high-risk').textContent()).toBe('Blocked');
    expect(await authorize('1001', '+881612345678')).toMatchObject({ allowed: false, reason: 'class_blocked' });
    await context.close();
  });

  it('lets an admin limit an employee to the plan or to chosen countries', async () => {
    const { context, page } = await signIn('en-GB', 'alice@cabine.test', 'cabine-1001');
    const bruno = page.getByRole('group', { name: 'Outside calls for Bruno Petit (1002)' });
    const save = () => page.locator('form', { has: page.getByRole('group', { name: 'Outside calls for Bruno Petit (1002)' }) }).getByRole('button', { name: 'Save changes' }).click();
    expect(await authorize('1002', '+1 212 555 0100')).toMatchObject({ allowed: true });

    await bruno.getByLabel('May call').selectOption({ label: 'Only calls the plan includes (nothing from the Prepaid Account)' });
    await save();
    await saved(page);
    expect(await authorize('1002', '+1 212 555 0100')).toMatchObject({ allowed: false, reason: 'barred' });
    expect(await authorize('1002', '01 42 68 53 00')).toMatchObject({ allowed: true });
    // Chloé was not touched.
    expect(await authorize('1003', '+1 212 555 0100')).toMatchObject({ allowed: true });

    await page.getByRole('group', { name: 'Outside calls for Bruno Petit (1002)' }).getByLabel('May call').selectOption('countries');
    await page.getByRole('group', { name: 'Outside calls for Bruno Petit (1002)' }).getByLabel('Countries (two-letter ISO codes, such as GB, US)').fill('us; gb');
    await save();
    await saved(page);
    expect(await page.getByRole('group', { name: 'Outside calls for Bruno Petit (1002)' }).getByLabel('Countries (two-letter ISO codes, such as GB, US)').inputValue()).toBe('GB, US');
    expect(await authorize('1002', '+1 212 555 0100')).toMatchObject({ allowed: true });
    expect(await authorize('1002', '+49 1512 3456789')).toMatchObject({ allowed: false, reason: 'barred' });

    // A bad list is refused and changes nothing.
    await page.getByRole('group', { name: 'Outside calls for Bruno Petit (1002)' }).getByLabel('Countries (two-letter ISO codes, such as GB, US)').fill('Germany');
    await save();
    expect(await page.getByRole('alert').textContent()).toContain('two-letter ISO codes');
    expect(await authorize('1002', '+1 212 555 0100')).toMatchObject({ allowed: true });

    await page.getByRole('group', { name: 'Outside calls for Bruno Petit (1002)' }).getByLabel('May call').selectOption('all');
    await save();
    await saved(page);
    expect(await authorize('1002', '+49 1512 3456789')).toMatchObject({ allowed: true });
    await context.close();
  });

  it('speaks French, with a decimal comma for the cap', async () => {
    const { context, page } = await signIn('fr-FR', 'alice@cabine.test', 'cabine-1001');
    for (const name of ['Plafond de dépenses quotidien', 'Numéros de services payants', "Appels vers l'extérieur", 'Destinations à risque']) {
      expect(await page.getByRole('heading', { name }).count()).toBe(1);
    }
    expect(await page.getByLabel('Bloquer les numéros de services payants pour Bruno Petit (1002)').isChecked()).toBe(true);
    expect(await page.getByLabel('Autoriser les appels vers les destinations à risque').isChecked()).toBe(false);
    expect(await page.getByRole('group', { name: "Appels vers l'extérieur pour Bruno Petit (1002)" }).getByLabel('Peut appeler').inputValue()).toBe('all');
    await page.getByLabel('Plafond quotidien (EUR)').fill('15,75');
    await page.getByRole('region', { name: 'Plafond de dépenses quotidien' }).getByRole('button', { name: 'Sauvegarder les changements' }).click();
    await saved(page);
    expect((await wallet()).dailyCapMinor).toBe(1575);
    expect(await page.getByRole('region', { name: 'Plafond de dépenses quotidien' }).getByTestId('daily-cap').textContent()).toMatch(/^15,75\s€$/);
    expect((await m.request('PUT', '/api/v1/company/daily-cap', { token: adminToken, body: { dailyCapMinor: null } })).status).toBe(200);
    await context.close();
  });

  it('shows employees the rules read-only and refuses their posts, even with a valid CSRF token', async () => {
    const { context, page } = await signIn('en-GB', 'bruno@cabine.test', 'cabine-1002');
    expect(await page.getByText('Only the company admins can do this.').count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Daily spending cap' }).getByTestId('daily-cap').textContent()).toBe('No cap');
    expect(await page.getByTestId('my-barring').textContent()).toBe('Barred');
    expect(await page.getByTestId('high-risk').textContent()).toBe('Blocked');
    expect(await page.getByTestId('my-outside-calls').textContent()).toBe('Everything');
    for (const label of ['May call', 'Daily cap (EUR)', 'Allow calls to high-risk destinations', 'Bar paid-service numbers for Bruno Petit (1002)']) {
      expect(await page.getByLabel(label).count(), label).toBe(0);
    }
    // No other user is listed to an employee.
    expect(await page.getByText('Chloé Durand').count()).toBe(0);

    // Forged posts with the employee's own session and CSRF token: 403, nothing changes.
    const csrf = await page.locator('form[action="/sign-out"] input[name="_csrf"]').inputValue();
    const posts: Array<[string, Record<string, string>]> = [
      ['/prepaid/settings/daily-cap', { dailyCap: '1' }],
      ['/prepaid/settings/barring', { users: 'usr_demo_1002', bar_usr_demo_1002: '' }],
      ['/prepaid/settings/high-risk', { allowed: '1' }],
      ['/prepaid/settings/outside-calls', { userId: 'usr_demo_1003', scope: 'plan', countries: '' }],
    ];
    for (const [path, fields] of posts) {
      const response = await page.request.post(`${m.baseUrl}${path}`, { form: { _csrf: csrf, ...fields }, maxRedirects: 0 });
      expect(response.status(), path).toBe(403);
      // Without the token it fails the CSRF check first.
      expect((await page.request.post(`${m.baseUrl}${path}`, { form: fields, maxRedirects: 0 })).status(), path).toBe(403);
    }
    expect((await wallet()).dailyCapMinor).toBeNull();
    expect(await brunoBarred()).toBe(true);
    expect((await m.request('GET', '/api/v1/company/high-risk', { token: adminToken })).body).toEqual({ allowed: false });
    expect((await m.request('GET', '/api/v1/users/usr_demo_1003/outside-calls', { token: adminToken })).body).toMatchObject({ scope: 'all' });
    await context.close();
  });

  it('refuses admin posts without the CSRF token and users of another company', async () => {
    const { context, page } = await signIn('en-GB', 'alice@cabine.test', 'cabine-1001');
    expect((await page.request.post(`${m.baseUrl}/prepaid/settings/high-risk`, { form: { allowed: '1' }, maxRedirects: 0 })).status()).toBe(403);
    const csrf = await page.locator('form[action="/sign-out"] input[name="_csrf"]').inputValue();
    const foreign = await page.request.post(`${m.baseUrl}/prepaid/settings/barring`, { form: { _csrf: csrf, users: 'usr_someone_else' }, maxRedirects: 0 });
    expect(foreign.status()).toBe(404);
    const foreignScope = await page.request.post(`${m.baseUrl}/prepaid/settings/outside-calls`, { form: { _csrf: csrf, userId: 'usr_someone_else', scope: 'all', countries: '' }, maxRedirects: 0 });
    expect(foreignScope.status()).toBe(404);
    expect((await m.request('GET', '/api/v1/company/high-risk', { token: adminToken })).body).toEqual({ allowed: false });
    await context.close();
  });
});
