/**
 * The company-numbers pages in Chromium (real manager, SQLite): customer care gives the company a number
 * (/care/numbers, English), the admin assigns it to a person and then to a ring group and chooses the main
 * number (/prepaid/numbers, French), the employee sees their caller ID; an employee's forged post changes
 * nothing (403 page), a malformed number gets a clear error. Every change is checked through the proxy's own
 * look-ups, which is what Kamailio acts on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyCallerIdResponseSchema, proxyNumberResponseSchema } from '../../shared/api/number-schemas';
import { startManagerInChromium, type ManagerInChromium } from './support/browser-harness';

describe('company numbers pages in Chromium', () => {
  let harness: ManagerInChromium;
  let m: ManagerInChromium['manager'];

  beforeAll(async () => {
    harness = await startManagerInChromium();
    m = harness.manager;
  });

  afterAll(async () => {
    expect(await harness?.stop()).toEqual([]);
  });

  const rings = async (number: string) => proxyNumberResponseSchema.parse((await m.proxy('/api/v1/proxy/numbers/lookup', { number })).body).extensions;
  const presents = async (extension: string) => proxyCallerIdResponseSchema.parse((await m.proxy('/api/v1/proxy/caller-id', { sipDomain: 'cabine.test', extension })).body).callerId;

  it('customer care adds a number to the company, refusing a malformed one and a taken one', async () => {
    // Customer care always lands on /care after signing in.
    const { context, page } = await harness.signIn('en-GB', 'care@cabine.test', 'cabine-care', '/care');
    await page.getByRole('link', { name: 'Numbers' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Company phone numbers');
    await page.getByLabel('Company').selectOption('cmp_demo');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByLabel('Number', { exact: true }).fill('01 99 00 00 01');
    await page.getByRole('button', { name: 'Add number' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('international form');
    await page.getByLabel('Number', { exact: true }).fill('+33 1 99 00 00 01');
    await page.getByLabel('Label').fill('Accueil');
    await page.getByRole('button', { name: 'Add number' }).click();
    await expect.poll(() => page.getByTestId('care-number-+33199000001').count()).toBe(1);
    await page.getByLabel('Number', { exact: true }).fill('0033199000001');
    await page.getByRole('button', { name: 'Add number' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('This number already belongs to a company.');
    await context.close();
  });

  it('the admin points the number at a person, then at a ring group, and makes it the main number (French)', async () => {
    const { context, page } = await harness.signIn('fr-FR', 'alice@cabine.test', 'cabine-1001', '/prepaid/numbers');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Numéros de téléphone');
    await page.getByLabel('Fait sonner · +33199000001').selectOption({ label: 'Bruno Petit (1002)' });
    await page.getByTestId('number-row-+33199000001').getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Enregistré.');
    expect(await rings('+33199000001')).toBe('1002');
    expect(await presents('1002')).toBe('+33199000001');
    expect(await presents('1003')).toBe('');

    const newGroup = page.getByTestId('group-form-new');
    await newGroup.getByLabel('Nom').fill('Accueil');
    await newGroup.getByLabel('Bruno Petit (1002)').check();
    await newGroup.getByLabel('Chloé Durand (1003)').check();
    await newGroup.getByRole('button', { name: 'Enregistrer le groupe' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Enregistré.');
    await page.getByLabel('Fait sonner · +33199000001').selectOption({ label: 'Accueil' });
    await page.getByTestId('number-row-+33199000001').getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(() => rings('+33199000001')).toBe('1002,1003');

    // A group with nobody in it is refused, and nothing changes.
    const emptyGroup = page.getByTestId('group-form-new');
    await emptyGroup.getByLabel('Nom').fill('Vide');
    await emptyGroup.getByRole('button', { name: 'Enregistrer le groupe' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('de 1 à 20 personnes');

    await page.getByLabel('Numéro principal').selectOption({ label: '+33199000001' });
    await page.getByRole('button', { name: 'Enregistrer le numéro principal' }).click();
    await expect.poll(() => presents('1003')).toBe('+33199000001');
    await context.close();
  });

  it("shows an employee their caller ID, and refuses their forged post to reassign a number", async () => {
    const { context, page } = await harness.signIn('en-GB', 'chloe@cabine.test', 'cabine-1003', '/prepaid/numbers');
    expect(await page.getByTestId('caller-id').textContent()).toBe('+33199000001 (the company’s main number)');
    expect(await page.getByTestId('rings-you').textContent()).toBe('+33199000001');
    expect(await page.getByRole('combobox').count()).toBe(0);
    const numberId = ((await m.request('GET', '/api/v1/numbers', { token: await m.signIn('alice@cabine.test', 'cabine-1001') })).body as { numbers: Array<{ id: string }> }).numbers[0]?.id ?? '';
    const csrf = await page.evaluate(() => document.querySelector<HTMLInputElement>('input[name="_csrf"]')?.value ?? '');
    // The admin's form, forged into the employee's page (the page's CSP allows no fetch; a form post it allows).
    const [response] = await Promise.all([
      page.waitForResponse((candidate) => candidate.url().endsWith(`/prepaid/numbers/${numberId}/assign`)),
      page.evaluate(({ id, token }) => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = `/prepaid/numbers/${id}/assign`;
        for (const [name, value] of [['_csrf', token], ['target', 'user:usr_demo_1003']] as const) {
          const input = document.createElement('input');
          input.type = 'hidden';
          input.name = name;
          input.value = value;
          form.append(input);
        }
        document.body.append(form);
        form.submit();
      }, { id: numberId, token: csrf }),
    ]);
    const status = response.status();
    expect(status).toBe(403);
    expect(await rings('+33199000001')).toBe('1002,1003');
    await context.close();
  });
});
