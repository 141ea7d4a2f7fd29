import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { chromiumArgs, chromiumPath } from '../../../scripts/lib/chromium.js';
import { startBackend, startManager, type Backend, type RunningManager } from './manager-harness';

/** A manager on SQLite with Secure cookies and a Chromium to drive its pages (the manager's browser tests). */
export interface ManagerInChromium {
  readonly backend: Backend;
  readonly manager: RunningManager;
  readonly browser: Browser;
  /**
   * Opens `path` in a new context of `locale`, which redirects to the sign-in page; signs in with the
   * keyboard only (labels lead to the fields, Enter submits) and waits to be back on `path`.
   */
  signIn(locale: string, email: string, password: string, path: string): Promise<{ context: BrowserContext; page: Page }>;
  /** Closes the browser, checks the ledger's integrity (problems returned), stops the manager and backend. */
  stop(): Promise<readonly unknown[]>;
}

export async function startManagerInChromium(): Promise<ManagerInChromium> {
  const backend = await startBackend('sqlite');
  // Cookies stay Secure: Chromium treats http://127.0.0.1 as a secure context.
  const manager = await startManager({ ...(await backend.freshEnv()), CABINE_COOKIE_SECURE: 'true' });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs] });
  return {
    backend,
    manager,
    browser,
    async signIn(locale, email, password, path) {
      const context = await browser.newContext({ locale });
      const page = await context.newPage();
      await page.goto(`${manager.baseUrl}${path}`);
      await page.waitForURL(/\/sign-in/);
      await page.getByLabel(locale.startsWith('fr') ? 'Adresse e-mail' : 'Email').fill(email);
      await page.getByLabel(locale.startsWith('fr') ? 'Mot de passe' : 'Password').fill(password);
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`${path.replace(/[/.]/g, '\\$&')}$`));
      return { context, page };
    },
    async stop() {
      await browser.close();
      const report = await manager.repository.store.checkIntegrity();
      await manager.close();
      await backend.stop();
      return report.problems;
    },
  };
}
