import type { FastifyInstance } from 'fastify';
import type { ManagerContext } from '../http/manager-context';
import type { WebErrorRenderer } from './error-page';
import { webErrorRenderer } from './error-page';
import { registerActivityPage } from './pages/activity-page';
import { registerAddFundsPage } from './pages/add-funds-page';
import { registerBudgetsPage } from './pages/budgets-page';
import { registerCallReceiptPage } from './pages/call-receipt-page';
import { registerCarePage } from './pages/care-page';
import { registerHomeRedirect } from './pages/home-redirect';
import { registerLanguageSwitch } from './pages/language-switch';
import { registerNumbersPage } from './pages/numbers-page';
import { registerPrepaidPage } from './pages/prepaid-page';
import { registerRatesPage } from './pages/rates-page';
import { registerReceiptPage } from './pages/receipt-page';
import { registerSettingsPage } from './pages/settings-page';
import { registerSignInPage } from './pages/sign-in-page';
import { registerSignOutAction } from './pages/sign-out-action';
import { registerStylesheetAsset } from './pages/stylesheet-asset';

export type { WebErrorRenderer } from './error-page';

/**
 * The server-rendered pages: sign-in, Prepaid Account, Add Funds and receipts, Settings, International Rates,
 * Activity, customer care. Each page is its own module under `pages/`, given only what it uses; the hand-off
 * page (/handoff, the app's one-time code) is `handoff-routes.ts`. Returns the HTML error page renderer.
 */
export function registerWebRoutes(app: FastifyInstance, ctx: ManagerContext): WebErrorRenderer {
  const { auth, wallet, repository, provider, rates, now } = ctx;
  const { store } = repository;
  const { cookieSecure, topUpAmountsMinor } = ctx.config;

  registerStylesheetAsset(app);
  registerHomeRedirect(app, { auth });
  registerLanguageSwitch(app, { cookieSecure });
  registerSignInPage(app, { auth, cookieSecure, now });
  registerSignOutAction(app, { auth, cookieSecure });
  registerPrepaidPage(app, { auth, wallet, store });
  registerAddFundsPage(app, { auth, wallet, store, topUpAmountsMinor, defaultCurrency: ctx.config.currency });
  registerReceiptPage(app, { auth, store });
  registerSettingsPage(app, { auth, wallet, repository, provider, topUpAmountsMinor, now });
  registerRatesPage(app, { auth, rates, store });
  registerActivityPage(app, { auth, store });
  registerBudgetsPage(app, { auth, repository, now });
  registerCallReceiptPage(app, { auth, store });
  registerCarePage(app, { auth, wallet, store });
  registerNumbersPage(app, { auth, repository, now });
  return webErrorRenderer(auth);
}
