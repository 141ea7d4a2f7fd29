import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../http/api-error';
import type { Store } from '../../store/repository';
import { topUpView } from '../../wallet/wallet-service';
import { html } from '../html';
import type { Messages } from '../i18n';
import { sendPage } from '../page-reply';
import { requireCompanyUser } from '../session-guard';
import type { SessionReader } from '../web-context';
import { formatMoneyFor } from '../web-context';

export interface ReceiptPageDeps {
  readonly auth: SessionReader;
  readonly store: Pick<Store, 'getTopUp' | 'getCompany'>;
}

/** GET /prepaid/receipts/:id(?new=1 right after Buy): one top-up of the visitor's company; any other id 404. */
export function registerReceiptPage(app: FastifyInstance, deps: ReceiptPageDeps): void {
  app.get('/prepaid/receipts/:id', async (request, reply) => {
    const who = await requireCompanyUser(request, reply, deps.auth);
    if (!who) return reply;
    const { web, companyId } = who;
    const t = web.t;
    const id = (request.params as Record<string, string>).id ?? '';
    const row = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await deps.store.getTopUp(id) : null;
    if (!row || row.companyId !== companyId) throw new ApiError(404, 'not_found', 'No such receipt');
    const view = topUpView(row);
    const company = await deps.store.getCompany(companyId);
    const fresh = (request.query as Record<string, unknown>).new === '1';
    return sendPage(reply, web, `/prepaid/receipts/${row.id}`, t.receipt, html`
${fresh ? html`<p class="ok" role="status" data-testid="topup-result">${t.topUpSucceeded}</p>` : ''}
<dl><dt>${t.receiptNumber}</dt><dd data-testid="receipt-number">${view.receiptNumber ?? '—'}</dd>
<dt>${t.date}</dt><dd>${new Date(row.createdAt).toLocaleString(web.locale, { timeZone: 'UTC' })} UTC</dd>
<dt>${t.amount}</dt><dd data-testid="receipt-amount">${formatMoneyFor(web, row.amountMinor, row.currency)}</dd>
<dt>${t.status}</dt><dd>${t[`status_${row.status}` as keyof Messages]}</dd>
<dt>${t.cardOnFile}</dt><dd>${row.cardLast4 ? `•••• ${row.cardLast4}` : '—'}</dd>
<dt>${t.company}</dt><dd>${company?.name ?? ''}</dd>
<dt>${t.balance}</dt><dd>${formatMoneyFor(web, company?.balanceMinor ?? 0, row.currency)}</dd></dl>
<p><a href="/prepaid">${t.backToAccount}</a></p>`);
  });
}
