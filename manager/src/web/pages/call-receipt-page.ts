import type { FastifyInstance } from 'fastify';
import type { CallReceipt } from '../../../../shared/api/receipt-schemas';
import { callDestinationLabel } from '../../../../shared/rating/rate-labels';
import { ApiError } from '../../http/api-error';
import { callReceipt } from '../../receipts/call-receipts';
import type { Store } from '../../store/repository';
import type { BudgetMessages } from '../budget-messages';
import { budgetMessages } from '../budget-messages';
import type { SafeHtml } from '../html';
import { html } from '../html';
import { fill } from '../i18n';
import { sendPage } from '../page-reply';
import { requireCompanyUser } from '../session-guard';
import type { SessionReader, WebContext } from '../web-context';
import { formatMoneyFor } from '../web-context';

export interface CallReceiptPageDeps {
  readonly auth: SessionReader;
  readonly store: Pick<Store, 'getLedgerTransaction' | 'getReservation' | 'getUser'>;
}

/** The path of the receipt of the call charged by ledger transaction `seq`. */
export function callReceiptPath(seq: number): string {
  return `/prepaid/activity/calls/${seq}`;
}

/** A rate in the visitor's way of writing money, exact to the rate's four decimals ("€0.3220", "0,3220 €"). */
function formatRate(web: WebContext, decimal: string, currency: CallReceipt['currency']): string {
  return new Intl.NumberFormat(web.locale, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(decimal as Intl.StringNumericLiteral);
}

/** The receipt's rows, shared by this page and nothing else on the server. */
export function callReceiptBody(web: WebContext, b: BudgetMessages, receipt: CallReceipt): SafeHtml {
  const money = (minor: number) => formatMoneyFor(web, minor, receipt.currency);
  const [first, next] = receipt.increment.split('/');
  const seconds = (value: number) => fill(b.receiptSeconds, { seconds: value });
  return html`<dl data-testid="call-receipt">
<dt>${b.receiptDate}</dt><dd>${new Date(receipt.chargedAt).toLocaleString(web.locale, { timeZone: 'UTC' })} UTC</dd>
<dt>${b.receiptCaller}</dt><dd data-testid="receipt-caller">${receipt.caller.displayName}${receipt.caller.extension ? ` (${receipt.caller.extension})` : ''}</dd>
<dt>${b.receiptNumber}</dt><dd data-testid="receipt-number">${receipt.number}</dd>
<dt>${b.receiptDestination}</dt><dd data-testid="receipt-destination">${callDestinationLabel(receipt, web.lang)} (+${receipt.prefix})</dd>
<dt>${b.receiptRate}</dt><dd data-testid="receipt-rate">${formatRate(web, receipt.pricePerMinute.decimal, receipt.currency)}</dd>
<dt>${b.receiptConnectionFee}</dt><dd data-testid="receipt-fee">${formatRate(web, receipt.connectionFee.decimal, receipt.currency)}</dd>
<dt>${b.receiptIncrements}</dt><dd data-testid="receipt-increments">${receipt.increment} · ${fill(b.receiptIncrementsValue, { first: first ?? '', next: next ?? '' })}</dd>
<dt>${b.receiptAnswered}</dt><dd data-testid="receipt-answered">${seconds(receipt.answeredSeconds)}</dd>
<dt>${b.receiptBilled}</dt><dd data-testid="receipt-billed">${seconds(receipt.billedSeconds)}</dd>
<dt>${b.receiptArithmetic}</dt><dd data-testid="receipt-arithmetic">${formatRate(web, receipt.connectionFee.decimal, receipt.currency)} + ${formatRate(web, receipt.pricePerMinute.decimal, receipt.currency)} × ${receipt.billedSeconds} / 60 → ${money(receipt.computedMinor)}</dd>
<dt>${b.receiptPrice}</dt><dd data-testid="receipt-price">${money(receipt.priceMinor)}</dd>
<dt>${b.receiptDeck}</dt><dd>${receipt.deckVersion}</dd></dl>`;
}

/** GET /prepaid/activity/calls/:seq: a charged call's receipt; the caller's own, or any for an admin; else 404. */
export function registerCallReceiptPage(app: FastifyInstance, deps: CallReceiptPageDeps): void {
  app.get('/prepaid/activity/calls/:seq', async (request, reply) => {
    const who = await requireCompanyUser(request, reply, deps.auth);
    if (!who) return reply;
    const { web, principal, companyId } = who;
    const b = budgetMessages[web.lang];
    const text = (request.params as Record<string, string>).seq ?? '';
    if (!/^[1-9]\d{0,15}$/.test(text)) throw new ApiError(404, 'not_found', 'No such receipt');
    const seq = Number(text);
    const receipt = await callReceipt(deps.store, { userId: principal.user.id, companyId, role: principal.user.role }, seq);
    return sendPage(reply, web, callReceiptPath(seq), b.callReceipt, html`${callReceiptBody(web, b, receipt)}
<p><a href="/prepaid/activity">${b.receiptBack}</a></p>`);
  });
}
