import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TopUpView } from '../../../../shared/api/wallet-schemas';
import type { CurrencyCode } from '../../../../shared/money/currency';
import type { Principal } from '../../auth/auth-service';
import { ApiError } from '../../http/api-error';
import { newToken } from '../../ids';
import type { Store } from '../../store/repository';
import type { WalletService } from '../../wallet/wallet-service';
import { topUpView } from '../../wallet/wallet-service';
import { formOf } from '../form';
import { html } from '../html';
import type { Messages } from '../i18n';
import { sendPage } from '../page-reply';
import { checkCsrf, requireCompanyUser } from '../session-guard';
import type { SessionReader, WebContext } from '../web-context';
import { formatMoneyFor } from '../web-context';

export interface AddFundsPageDeps {
  readonly auth: SessionReader;
  readonly wallet: Pick<WalletService, 'topUp'>;
  readonly store: Pick<Store, 'getCompany' | 'getCard' | 'getTopUpByKey'>;
  /** The amounts offered (minor units), as the API allows them. */
  readonly topUpAmountsMinor: readonly number[];
  /** Shown when the company row is missing (it never is for a signed-in user). */
  readonly defaultCurrency: CurrencyCode;
}

/** The amount list and the card on file; admins only (anyone else gets a notice and `status` 403). */
async function sendAddFundsPage(reply: FastifyReply, deps: AddFundsPageDeps, web: WebContext, principal: Principal, companyId: string, status = 200): Promise<FastifyReply> {
  const t = web.t;
  const company = await deps.store.getCompany(companyId);
  const card = await deps.store.getCard(companyId);
  const currency = company?.currency ?? deps.defaultCurrency;
  if (principal.user.role !== 'admin') return sendPage(reply, web, '/prepaid/add-funds', t.addFunds, html`<p class="notice" role="status">${t.adminsOnly}</p>`, 403);
  // A fresh idempotency key per rendered form: a double click or a resubmitted form adds funds once.
  const key = `web-${newToken()}`;
  return sendPage(reply, web, '/prepaid/add-funds', t.addFunds, html`
<p>${t.balance}: <strong>${formatMoneyFor(web, company?.balanceMinor ?? 0, currency)}</strong></p>
<p>${t.cardOnFile}: ${card ? `${card.brand} •••• ${card.last4} (${String(card.expMonth).padStart(2, '0')}/${card.expYear})` : t.noCard}</p>
<form method="post" action="/prepaid/add-funds">
<input type="hidden" name="_csrf" value="${principal.session.csrfToken}"><input type="hidden" name="idempotencyKey" value="${key}">
<label for="amount">${t.chooseAmount}</label>
<select id="amount" name="amountMinor">${deps.topUpAmountsMinor.map((amount) => html`<option value="${amount}">${formatMoneyFor(web, amount, currency)}</option>`)}</select>
<div><button type="submit">${t.buy}</button></div></form>`, status);
}

/** The outcome of a top-up another submission of the same form started: polled for up to 5 s, else 409. */
async function waitForTopUp(store: Pick<Store, 'getTopUpByKey'>, companyId: string, idempotencyKey: string): Promise<TopUpView> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const row = await store.getTopUpByKey(companyId, idempotencyKey);
    if (row && row.status !== 'pending') return topUpView(row);
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
  throw new ApiError(409, 'idempotency_key_in_progress', 'This purchase is still being processed; reload in a moment');
}

/**
 * GET and POST /prepaid/add-funds: Buy charges the card on file once per rendered form (its idempotency key),
 * then shows the receipt (303 to /prepaid/receipts/:id?new=1) or the decline (402). CSRF first, then the role.
 */
export function registerAddFundsPage(app: FastifyInstance, deps: AddFundsPageDeps): void {
  app.get('/prepaid/add-funds', async (request, reply) => {
    const who = await requireCompanyUser(request, reply, deps.auth);
    if (!who) return reply;
    return sendAddFundsPage(reply, deps, who.web, who.principal, who.companyId);
  });

  app.post('/prepaid/add-funds', async (request, reply) => {
    const who = await requireCompanyUser(request, reply, deps.auth);
    if (!who) return reply;
    const { web, principal, companyId } = who;
    const t = web.t;
    checkCsrf(principal, formOf(request));
    if (principal.user.role !== 'admin') return sendAddFundsPage(reply, deps, web, principal, companyId, 403);
    const form = formOf(request);
    const amountMinor = /^\d{1,12}$/.test(form.amountMinor ?? '') ? Number(form.amountMinor) : NaN;
    const company = await deps.store.getCompany(companyId);
    if (!company || !Number.isSafeInteger(amountMinor) || !/^web-[A-Za-z0-9_-]{20,100}$/.test(form.idempotencyKey ?? '')) {
      throw new ApiError(400, 'validation_failed', 'Choose an amount from the list');
    }
    const idempotencyKey = form.idempotencyKey ?? '';
    let topUp;
    try {
      topUp = (await deps.wallet.topUp({ companyId, userId: principal.user.id, amountMinor, currency: company.currency, idempotencyKey })).body.topUp;
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'idempotency_key_in_progress')) throw error;
      // The same form was submitted twice at once: wait for the first submission's outcome and show it.
      topUp = await waitForTopUp(deps.store, companyId, idempotencyKey);
    }
    if (topUp.status === 'succeeded' || topUp.status === 'cancelled') return reply.redirect(`/prepaid/receipts/${topUp.id}?new=1`, 303);
    const reason = t[`decline_${topUp.declineCode ?? 'card_declined'}` as keyof Messages];
    return sendPage(reply, web, '/prepaid/add-funds', t.addFunds, html`<p class="error" role="alert" data-testid="topup-result">${t.topUpDeclined}: ${reason}</p>
<p><a href="/prepaid/add-funds">${t.addFunds}</a> · <a href="/prepaid/settings">${t.settings}</a></p>`, 402);
  });
}
