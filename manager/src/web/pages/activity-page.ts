import type { FastifyInstance } from 'fastify';
import { callDestinationLabel } from '../../../../shared/rating/rate-labels';
import { refillAttempt } from '../../routes/wallet-routes';
import { activityFor } from '../../routes/activity-visibility';
import type { Store } from '../../store/repository';
import { budgetMessages } from '../budget-messages';
import { html } from '../html';
import { declineReason, refillText } from '../refill-messages';
import type { Messages } from '../i18n';
import { sendPage } from '../page-reply';
import { requireCompanyUser } from '../session-guard';
import type { SessionReader } from '../web-context';
import { formatMoneyFor } from '../web-context';
import { callReceiptPath } from './call-receipt-page';

export interface ActivityPageDeps {
  readonly auth: SessionReader;
  readonly store: Pick<Store, 'listLedger' | 'listRefillAttempts' | 'getReservation'>;
}

/** GET /prepaid/activity: the company's last 100 ledger entries (calls, top-ups, refills, reversals), as GET /api/v1/activity. */
export function registerActivityPage(app: FastifyInstance, deps: ActivityPageDeps): void {
  app.get('/prepaid/activity', async (request, reply) => {
    const who = await requireCompanyUser(request, reply, deps.auth);
    if (!who) return reply;
    const { web, companyId } = who;
    const t = web.t;
    const rows = await activityFor(deps.store, who.principal.user, await deps.store.listLedger(companyId, null, 100));
    // Every refill attempt, declined and skipped ones too (they move no money, so no ledger line).
    const attempts = (await deps.store.listRefillAttempts(companyId, 20)).map(refillAttempt);
    const attemptsTable = attempts.length === 0 ? '' : html`<section aria-labelledby="rfa-h"><h2 id="rfa-h">${refillText(web.lang, 'attemptsHeading')}</h2><table>
<thead><tr><th scope="col">${t.date}</th><th scope="col">${refillText(web.lang, 'status')}</th><th scope="col">${refillText(web.lang, 'reason')}</th><th scope="col" class="num">${t.amount}</th></tr></thead>
<tbody>${attempts.map((attempt) => html`<tr data-refill-status="${attempt.status}"><td>${new Date(attempt.updatedAt).toLocaleString(web.locale, { timeZone: 'UTC' })}</td>
<td>${refillText(web.lang, `attemptStatus_${attempt.status}`)}${attempt.declineCode ? html` · ${declineReason(web.lang, attempt.declineCode)}` : ''}</td>
<td>${refillText(web.lang, `attemptCause_${attempt.cause}`)} · ${refillText(web.lang, 'attemptNumber', { attempt: attempt.attempt })}</td>
<td class="num">${formatMoneyFor(web, attempt.amountMinor, attempt.currency)}</td></tr>`)}</tbody></table></section>`;
    // A call's receipt: its caller's, or any for an admin (the receipt page checks again, by user id).
    const receiptOf = (item: (typeof rows)[number]) => item.call && (who.principal.user.role === 'admin' || item.call.extension === who.principal.user.extension)
      ? html` · <a href="${callReceiptPath(item.seq)}">${budgetMessages[web.lang].viewReceipt}</a>` : '';
    return sendPage(reply, web, '/prepaid/activity', t.activity, rows.length === 0 ? html`${attemptsTable}<p>${t.noActivity}</p>` : html`${attemptsTable}<table>
<thead><tr><th scope="col">${t.date}</th><th scope="col">${t.type}</th><th scope="col">${t.destination}</th><th scope="col" class="num">${t.amount}</th><th scope="col" class="num">${t.balance}</th></tr></thead>
<tbody>${rows.map((item) => html`<tr><td>${new Date(item.createdAt).toLocaleString(web.locale, { timeZone: 'UTC' })}</td><td>${t[`kind_${item.kind}` as keyof Messages]}</td>
<td>${item.call ? (item.call.number === '' ? `${t.colleagueCall} · ${item.call.answeredSeconds} s` : `${item.call.number} · ${callDestinationLabel(item.call, web.lang)} · ${item.call.answeredSeconds} s (${t.prefix} +${item.call.prefix}) · ${item.call.extension}`) : item.reference}${receiptOf(item)}</td>
<td class="num">${formatMoneyFor(web, item.amountMinor, item.currency)}</td><td class="num">${formatMoneyFor(web, item.balanceAfterMinor, item.currency)}</td></tr>`)}</tbody></table>`);
  });
}
