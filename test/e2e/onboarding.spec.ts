/**
 * Onboarding end to end (issue 11): customer care creates a company on the manager's pages; its first admin
 * follows the welcome link from the mail (the development outbox page), sets a password, signs in and adds
 * an employee on the People page; the employee sets a password the same way (in French) and signs in to the
 * web softphone with email and password, and calls the admin: audio both ways through Kamailio and rtpengine
 * (RTCPeerConnection connected, inbound RTP growing on both sides). From the app's admin area the admin opens
 * the manager's People page, already signed in; the employee's app offers no such button.
 *
 * Stack: deploy/local-stack.ts whose Kamailio serves the new company's SIP domain (acme.test); the demo
 * company (and its customer-care account) keeps cabine.test on the manager.
 */
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';
import { expectAudioIn } from './softphone.js';
import { withWebStack, type WalletStack as AcmeStack } from './wallet-fixtures.js';

const acmeDomain = 'acme.test';

const test = base.extend<object, { acme: AcmeStack }>({
  acme: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      await withWebStack(
        'cabine-onboarding-e2e-',
        (webOrigin) => ({
          domain: acmeDomain, carrier: false,
          managerEnv: { CABINE_APP_ORIGINS: webOrigin, CABINE_SIP_DOMAIN: 'cabine.test', CABINE_MAILER: 'outbox' },
        }),
        use,
      );
    },
    { scope: 'worker', timeout: 120_000 },
  ],
});

/** Opens the newest welcome link mailed to `to` from the outbox page, as the person would from their mail. */
async function followWelcomeLink(page: Page, managerUrl: string, to: string): Promise<void> {
  await page.goto(`${managerUrl}/dev/outbox`);
  const mail = page.locator(`article[data-to="${to}"]`).first();
  await expect(mail).toBeVisible();
  // The link names the manager's public URL; the page is the same one.
  const href = await mail.locator('a[href*="/set-password?token="]').first().getAttribute('href');
  if (href === null) throw new Error(`no link mailed to ${to}`);
  await page.goto(`${managerUrl}${new URL(href).pathname}${new URL(href).search}`);
}

async function setPassword(page: Page, password: string, language: 'en' | 'fr'): Promise<void> {
  await page.getByLabel(language === 'fr' ? 'Nouveau mot de passe' : 'New password', { exact: true }).fill(password);
  await page.getByLabel(language === 'fr' ? 'Nouveau mot de passe (confirmation)' : 'New password again').fill(password);
  await page.getByRole('button', { name: language === 'fr' ? 'Choisissez votre mot de passe' : 'Set your password' }).click();
  await expect(page.getByRole('status')).toContainText(language === 'fr' ? 'Votre mot de passe est enregistré' : 'Your password is set');
}

async function signInPages(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in to the web softphone with the manager account; registered with the credentials it handed out. */
async function signInPhone(context: BrowserContext, acme: AcmeStack, email: string, password: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${email}] page error`, error));
  await page.goto(`${acme.webUrl}?e2e=1`);
  await page.getByLabel('Manager address').fill(acme.managerUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('p[data-registration="registered"]')).toBeVisible({ timeout: 15_000 });
  return page;
}

test('customer care onboards a company; its admin sets a password from the link and adds an employee, who signs in to the app and calls', async ({ browser, acme }) => {
  const adminEmail = 'ada@acme.test';
  const employeeEmail = 'eric@acme.test';
  const operator = await browser.newContext({ locale: 'en-GB' });
  const care = await operator.newPage();
  await care.goto(`${acme.managerUrl}/care/companies/new`);
  await signInPages(care, 'care@cabine.test', 'cabine-care');
  await care.getByRole('link', { name: 'New company' }).click();
  await care.getByLabel('Company name').fill('Acme Plomberie');
  await care.getByLabel('Country (ISO code, e.g. FR)').fill('FR');
  await care.getByLabel('Currency').selectOption('EUR');
  await care.getByLabel('SIP domain').fill(acmeDomain);
  const firstAdmin = care.getByRole('group', { name: 'First admin' });
  await firstAdmin.getByLabel('Name').fill('Ada Admin');
  await firstAdmin.getByLabel('Email').fill(adminEmail);
  await care.getByRole('button', { name: 'Create the company' }).click();
  await expect(care.getByRole('status')).toContainText(`Company Acme Plomberie created; the welcome email went to ${adminEmail}`);

  // The admin: welcome link, password, sign-in, People page, add an employee.
  const adminContext = await browser.newContext({ locale: 'en-GB' });
  const adminPage = await adminContext.newPage();
  await followWelcomeLink(adminPage, acme.managerUrl, adminEmail);
  await setPassword(adminPage, 'ada-acme-password', 'en');
  await adminPage.getByRole('link', { name: 'Sign in' }).click();
  await signInPages(adminPage, adminEmail, 'ada-acme-password');
  await adminPage.getByRole('link', { name: 'People' }).click();
  await adminPage.getByLabel('Name', { exact: true }).last().fill('Eric Employee');
  await adminPage.locator('#new-email').fill(employeeEmail);
  await adminPage.getByRole('button', { name: 'Add and send the welcome email' }).click();
  await expect(adminPage.getByRole('status')).toContainText(`welcome email with a link to set a password went to ${employeeEmail}`);
  const adminRow = adminPage.locator(`tr[data-person="${adminEmail}"]`);
  const employeeRow = adminPage.locator(`tr[data-person="${employeeEmail}"]`);
  await expect(employeeRow).toContainText('Invited');
  const adminExtension = await adminRow.locator('input[name="extension"]').inputValue();
  expect(adminExtension).toMatch(/^[12]\d{3}$/);

  // The employee, in French: the same link and page.
  const employeeContext = await browser.newContext({ locale: 'fr-FR' });
  const employeeMail = await employeeContext.newPage();
  await followWelcomeLink(employeeMail, acme.managerUrl, employeeEmail);
  await setPassword(employeeMail, 'eric-acme-password', 'fr');

  // Both sign in to the web softphone with email and password; the employee calls the admin.
  const phoneContextA = await browser.newContext({ locale: 'en-GB' });
  const phoneContextE = await browser.newContext({ locale: 'en-GB' });
  const adminPhone = await signInPhone(phoneContextA, acme, adminEmail, 'ada-acme-password');
  const employeePhone = await signInPhone(phoneContextE, acme, employeeEmail, 'eric-acme-password');
  await employeePhone.getByLabel('Number', { exact: true }).fill(adminExtension);
  await employeePhone.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(adminPhone.locator('[data-call-state="incoming"]')).toBeVisible({ timeout: 15_000 });
  await adminPhone.getByRole('button', { name: 'Answer' }).click();
  for (const page of [employeePhone, adminPhone]) await expect(page.locator('[data-call-state="established"]').first()).toBeVisible();
  await expectAudioIn(employeePhone);
  await expectAudioIn(adminPhone);
  await employeePhone.getByRole('button', { name: 'Hang up' }).click();
  await expect(employeePhone.locator('[data-call-state]')).toHaveCount(0);

  // The app's admin area: People opens the manager's page signed in (hand-off); the employee has no such button.
  await expect(employeePhone.getByRole('button', { name: 'People' })).toHaveCount(0);
  await expect(employeePhone.getByRole('button', { name: 'Change your password' })).toBeVisible();
  const [peopleTab] = await Promise.all([phoneContextA.waitForEvent('page'), adminPhone.getByRole('button', { name: 'People' }).click()]);
  await expect(peopleTab).toHaveURL(/\/prepaid\/people$/);
  await expect(peopleTab.locator(`tr[data-person="${employeeEmail}"]`)).toContainText('Active');

  // The People page now shows the employee active; the audit trail has the whole story.
  await adminPage.reload();
  await expect(employeeRow).toContainText('Active');
  await adminPage.getByRole('link', { name: 'Audit trail' }).click();
  for (const action of ['company.created', 'person.added', 'password.set']) await expect(adminPage.locator(`tr[data-action="${action}"]`).first()).toBeVisible();
  for (const context of [operator, adminContext, employeeContext, phoneContextA, phoneContextE]) await context.close();
});
