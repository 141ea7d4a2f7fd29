import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../http/api-error';
import type { Store } from '../../store/repository';
import type { WalletService } from '../../wallet/wallet-service';
import { formOf } from '../form';
import type { SafeHtml } from '../html';
import { html } from '../html';
import type { Messages } from '../i18n';
import { sendPage } from '../page-reply';
import { checkCsrf } from '../session-guard';
import type { SessionReader } from '../web-context';
import { formatMoneyFor, webContextOf } from '../web-context';

export interface CarePageDeps {
  readonly auth: SessionReader;
  readonly wallet: Pick<WalletService, 'cancelTopUp'>;
  readonly store: Pick<Store, 'listCompanies' | 'listTopUps'>;
}

/**
 * GET /care and POST /care/topups/:id/cancel: customer care (operators only; anyone else 403) sees every
 * company's last 20 top-ups and cancels a succeeded one with a reason (3-500 characters).
 */
export function registerCarePage(app: FastifyInstance, deps: CarePageDeps): void {
  app.get('/care', async (request, reply) => {
    const web = await webContextOf(request, deps.auth);
    if (!web.principal) return reply.redirect('/sign-in?next=/care', 303);
    const t = web.t;
    if (web.principal.user.role !== 'operator') return sendPage(reply, web, '/care', t.customerCare, html`<p class="error" role="alert">${t.forbidden}</p>`, 403);
    const csrf = web.principal.session.csrfToken;
    const companies = await deps.store.listCompanies();
    const sections: SafeHtml[] = [];
    for (const company of companies) {
      const topUps = await deps.store.listTopUps(company.id, 20);
      sections.push(html`<section><h2>${company.name} (${company.id}) · ${formatMoneyFor(web, company.balanceMinor, company.currency)}</h2>
<table><thead><tr><th scope="col">${t.receiptNumber}</th><th scope="col">${t.date}</th><th scope="col" class="num">${t.amount}</th><th scope="col">${t.status}</th><th scope="col">${t.cancelTopUp}</th></tr></thead><tbody>
${topUps.map((row) => html`<tr><td>${row.receiptNumber ?? row.id}</td><td>${new Date(row.createdAt).toISOString()}</td><td class="num">${formatMoneyFor(web, row.amountMinor, row.currency)}</td><td>${t[`status_${row.status}` as keyof Messages]}</td>
<td>${row.status === 'succeeded' ? html`<form method="post" action="/care/topups/${row.id}/cancel"><input type="hidden" name="_csrf" value="${csrf}"><label for="reason-${row.id}">${t.reason}</label><input id="reason-${row.id}" name="reason" required minlength="3" maxlength="500"><button type="submit">${t.cancelTopUp}</button></form>` : ''}</td></tr>`)}
</tbody></table></section>`);
    }
    return sendPage(reply, web, '/care', t.operatorHome, html`${sections}`);
  });

  app.post('/care/topups/:id/cancel', async (request, reply) => {
    const web = await webContextOf(request, deps.auth);
    if (!web.principal) return reply.redirect('/sign-in?next=/care', 303);
    if (web.principal.user.role !== 'operator') throw new ApiError(403, 'forbidden', 'Only customer care may do this');
    const form = formOf(request);
    checkCsrf(web.principal, form);
    const reason = String(form.reason ?? '').trim();
    if (reason.length < 3 || reason.length > 500) throw new ApiError(400, 'validation_failed', 'Give a reason (3-500 characters)');
    await deps.wallet.cancelTopUp((request.params as Record<string, string>).id ?? '', reason, web.principal.user);
    return reply.redirect('/care', 303);
  });
}
