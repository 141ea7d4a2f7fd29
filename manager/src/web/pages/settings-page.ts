import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { outsideCallsSettingSchema } from '../../../../shared/api/barring-schemas';
import { parseDecimalToMinor } from '../../../../shared/money/money';
import type { Principal } from '../../auth/auth-service';
import { setCompanyDailyCap, setCompanyHighRisk, setUserOutsideCalls, setUserPremiumBarring } from '../../company/company-settings';
import { ApiError } from '../../http/api-error';
import type { PaymentProvider } from '../../payments/payment-provider';
import { CardRejectedError } from '../../payments/payment-provider';
import type { Repository } from '../../store/repository';
import type { WalletService } from '../../wallet/wallet-service';
import type { Form } from '../form';
import { formOf } from '../form';
import type { SafeHtml } from '../html';
import { html } from '../html';
import { sendPage } from '../page-reply';
import type { CompanyVisitor } from '../session-guard';
import { checkCsrf, requireCompanyUser } from '../session-guard';
import type { SessionReader, WebContext } from '../web-context';
import { loadSettingsView, settingsBody } from './settings-view';

export interface SettingsPageDeps {
  readonly auth: SessionReader;
  readonly wallet: Pick<WalletService, 'walletView' | 'setAutoRefill' | 'saveCard'>;
  readonly repository: Repository;
  readonly provider: Pick<PaymentProvider, 'tokenizeCard'>;
  readonly topUpAmountsMinor: readonly number[];
  readonly now: () => number;
}

/** The Settings page with an optional flash (saved, or what was wrong) above it. */
async function sendSettingsPage(reply: FastifyReply, deps: SettingsPageDeps, web: WebContext, principal: Principal, companyId: string, flash: SafeHtml | null, status = 200): Promise<FastifyReply> {
  const view = await loadSettingsView({ wallet: deps.wallet, store: deps.repository.store, topUpAmountsMinor: deps.topUpAmountsMinor, now: deps.now }, principal, companyId);
  return sendPage(reply, web, '/prepaid/settings', web.t.settings, settingsBody(web, view, flash), status);
}

/** The admin-only Settings forms: CSRF first, then the role (an employee gets the page back with 403). */
async function settingsAdmin(request: FastifyRequest, reply: FastifyReply, deps: SettingsPageDeps): Promise<(CompanyVisitor & { form: Form }) | null> {
  const who = await requireCompanyUser(request, reply, deps.auth);
  if (!who) return null;
  const form = formOf(request);
  checkCsrf(who.principal, form);
  if (who.principal.user.role !== 'admin') {
    await sendSettingsPage(reply, deps, who.web, who.principal, who.companyId, null, 403);
    return null;
  }
  return { ...who, form };
}

function savedFlash(web: WebContext): SafeHtml {
  return html`<p class="ok" role="status">${web.t.saved}</p>`;
}

/**
 * GET /prepaid/settings and its forms, each posting to its own URL and answering with the page again:
 * automatic refill (POST /prepaid/settings), card on file (/card), daily spending cap (/daily-cap),
 * paid-service barring (/barring), a user's outside calls (/outside-calls), high-risk destinations (/high-risk).
 */
export function registerSettingsPage(app: FastifyInstance, deps: SettingsPageDeps): void {
  const store = deps.repository.store;

  app.get('/prepaid/settings', async (request, reply) => {
    const who = await requireCompanyUser(request, reply, deps.auth);
    if (!who) return reply;
    return sendSettingsPage(reply, deps, who.web, who.principal, who.companyId, null);
  });

  app.post('/prepaid/settings', async (request, reply) => {
    const admin = await settingsAdmin(request, reply, deps);
    if (!admin) return reply;
    const { web, principal, companyId, form } = admin;
    const thresholdMinor = Number(form.thresholdMinor);
    const amountMinor = Number(form.amountMinor);
    if (!Number.isSafeInteger(thresholdMinor) || thresholdMinor <= 0 || !Number.isSafeInteger(amountMinor)) throw new ApiError(400, 'validation_failed', 'Choose values from the lists');
    await deps.wallet.setAutoRefill(companyId, { enabled: form.enabled === '1', thresholdMinor, amountMinor }, principal.user);
    return sendSettingsPage(reply, deps, web, principal, companyId, savedFlash(web));
  });

  app.post('/prepaid/settings/card', async (request, reply) => {
    const admin = await settingsAdmin(request, reply, deps);
    if (!admin) return reply;
    const { web, principal, companyId, form } = admin;
    try {
      const card = await deps.provider.tokenizeCard({ number: String(form.number ?? ''), expMonth: Number(form.expMonth), expYear: Number(form.expYear), cvc: String(form.cvc ?? '') });
      await deps.wallet.saveCard({ companyId, providerToken: card.token, brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear }, principal.user);
      return sendSettingsPage(reply, deps, web, principal, companyId, html`<p class="ok" role="status">${web.t.cardSaved}</p>`);
    } catch (error) {
      if (!(error instanceof CardRejectedError)) throw error;
      return sendSettingsPage(reply, deps, web, principal, companyId, html`<p class="error" role="alert">${web.t.cardRefused}: ${error.message}</p>`, 422);
    }
  });

  app.post('/prepaid/settings/daily-cap', async (request, reply) => {
    const admin = await settingsAdmin(request, reply, deps);
    if (!admin) return reply;
    const { web, principal, companyId, form } = admin;
    const company = await store.getCompany(companyId);
    if (!company) throw new ApiError(404, 'not_found', 'No such company');
    // French writes decimals with a comma; an empty field means no cap.
    const text = String(form.dailyCap ?? '').trim().replace(',', '.');
    let capMinor: number | null = null;
    if (text !== '') {
      try {
        capMinor = /^\d{1,9}(\.\d{1,2})?$/.test(text) ? parseDecimalToMinor(text, company.currency) : NaN;
      } catch {
        capMinor = NaN;
      }
      if (!Number.isSafeInteger(capMinor) || capMinor <= 0) {
        return sendSettingsPage(reply, deps, web, principal, companyId, html`<p class="error" role="alert">${web.t.dailyCapInvalid}</p>`, 400);
      }
    }
    await setCompanyDailyCap(deps.repository, companyId, capMinor, principal.user, deps.now());
    return sendSettingsPage(reply, deps, web, principal, companyId, savedFlash(web));
  });

  app.post('/prepaid/settings/barring', async (request, reply) => {
    const admin = await settingsAdmin(request, reply, deps);
    if (!admin) return reply;
    const { web, principal, companyId, form } = admin;
    // Only the users the form showed are changed (a user added meanwhile keeps their setting); each id must
    // be one of this company's users, else 404 like the API.
    const shown = String(form.users ?? '').split(',').filter((id) => id.length > 0);
    if (shown.length > 500 || shown.some((id) => !/^[A-Za-z0-9_-]{1,64}$/.test(id))) throw new ApiError(400, 'validation_failed', 'Reload the page and try again');
    // One write (and one audit entry) per user whose setting changed; an id not of the company still 404s.
    const current = new Map((await store.listUsers(companyId)).map((user) => [user.id, user.premiumBarred]));
    for (const id of shown) {
      const barred = form[`bar_${id}`] === '1';
      if (current.get(id) !== barred) await setUserPremiumBarring(deps.repository, companyId, id, barred, principal.user, deps.now());
    }
    return sendSettingsPage(reply, deps, web, principal, companyId, savedFlash(web));
  });

  app.post('/prepaid/settings/outside-calls', async (request, reply) => {
    const admin = await settingsAdmin(request, reply, deps);
    if (!admin) return reply;
    const { web, principal, companyId, form } = admin;
    const userId = String(form.userId ?? '');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(userId)) throw new ApiError(400, 'validation_failed', 'Reload the page and try again');
    const scope = String(form.scope ?? '');
    // Codes as people type them ("gb, us" or "GB US"); kept only with the scope that uses them, so
    // switching a user to "Everything" does not need the field emptied first.
    const countries = scope === 'countries' ? String(form.countries ?? '').toUpperCase().split(/[\s,;]+/).filter((code) => code.length > 0) : [];
    const setting = outsideCallsSettingSchema.safeParse({ scope, countries });
    if (!setting.success) return sendSettingsPage(reply, deps, web, principal, companyId, html`<p class="error" role="alert">${web.t.countriesInvalid}</p>`, 400);
    const view = await setUserOutsideCalls(deps.repository, companyId, userId, setting.data, principal.user, deps.now());
    request.log.info({ adminId: principal.user.id, userId: view.userId, scope: view.scope, countries: view.countries }, 'outside-call scope changed');
    return sendSettingsPage(reply, deps, web, principal, companyId, savedFlash(web));
  });

  app.post('/prepaid/settings/high-risk', async (request, reply) => {
    const admin = await settingsAdmin(request, reply, deps);
    if (!admin) return reply;
    const { web, principal, companyId, form } = admin;
    const allowed = form.allowed === '1';
    await setCompanyHighRisk(deps.repository, companyId, allowed, principal.user, deps.now());
    request.log.info({ companyId, userId: principal.user.id, allowed }, 'high-risk destinations switch changed');
    return sendSettingsPage(reply, deps, web, principal, companyId, savedFlash(web));
  });
}
