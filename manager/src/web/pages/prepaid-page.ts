import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/repository';
import type { WalletService } from '../../wallet/wallet-service';
import { html } from '../html';
import { notificationText, refillText, refillWhen } from '../refill-messages';
import { sendPage } from '../page-reply';
import { requireCompanyUser } from '../session-guard';
import type { SessionReader } from '../web-context';
import { formatMoneyFor } from '../web-context';

export interface PrepaidPageDeps {
  readonly auth: SessionReader;
  readonly wallet: Pick<WalletService, 'walletView'>;
  readonly store: Pick<Store, 'listNotifications'>;
}

/** GET /prepaid, the Prepaid Account: balance, automatic refill, links; admins also see the latest notifications. */
export function registerPrepaidPage(app: FastifyInstance, deps: PrepaidPageDeps): void {
  app.get('/prepaid', async (request, reply) => {
    const who = await requireCompanyUser(request, reply, deps.auth);
    if (!who) return reply;
    const { web, principal, companyId } = who;
    const t = web.t;
    const wallet = await deps.wallet.walletView(companyId);
    const isAdmin = principal.user.role === 'admin';
    const notifications = isAdmin ? await deps.store.listNotifications(companyId, 5) : [];
    return sendPage(reply, web, '/prepaid', t.prepaidAccount, html`
<section aria-labelledby="balance-h"><h2 id="balance-h">${t.balance}</h2>
<p class="balance" data-testid="balance">${formatMoneyFor(web, wallet.balanceMinor, wallet.currency)}</p>
<p>${t.available}: ${formatMoneyFor(web, wallet.availableMinor, wallet.currency)}</p>
${wallet.lowBalance ? html`<p class="notice" role="status">${t.lowBalance}</p>` : ''}
<p>${t.neverExpires}</p>
${isAdmin ? html`<p><a href="/prepaid/add-funds">${t.addFunds}</a></p>` : ''}</section>
<section aria-labelledby="refill-h"><h2 id="refill-h">${t.autoRefill}</h2>
<p>${wallet.autoRefill.enabled ? html`${t.on}: ${t.threshold} ${formatMoneyFor(web, wallet.autoRefill.thresholdMinor, wallet.currency)} → ${t.refillAmount} ${formatMoneyFor(web, wallet.autoRefill.amountMinor, wallet.currency)}` : t.off}
</p>${wallet.autoRefill.disabledReason ? html`<p class="notice" data-testid="refill-disabled">${refillText(web.lang, 'disabledAfter', { declines: wallet.autoRefill.consecutiveDeclines })}</p>` : ''}
${wallet.autoRefill.nextAttemptAt ? html`<p class="notice" data-testid="refill-next">${refillText(web.lang, 'nextAttempt', { at: refillWhen(web.locale, Date.parse(wallet.autoRefill.nextAttemptAt)) })}</p>` : ''}<p><a href="/prepaid/settings">${t.settings}</a></p></section>
<section aria-labelledby="rates-h"><h2 id="rates-h">${t.internationalRates}</h2><p><a href="/prepaid/rates">${t.viewRates}</a></p></section>
${notifications.length > 0 ? html`<section aria-labelledby="ntf-h"><h2 id="ntf-h">${t.notifications}</h2><ul>${notifications.map((n) => html`<li data-kind="${n.kind}">${new Date(n.createdAt).toLocaleString(web.locale)}: ${notificationText(web.lang, web.locale, n)}</li>`)}</ul></section>` : ''}`);
  });
}
