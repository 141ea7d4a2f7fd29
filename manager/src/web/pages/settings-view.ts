import type { WalletView } from '../../../../shared/api/wallet-schemas';
import type { CallBarring } from '../../../../shared/billing/barring';
import { outsideCallScopes } from '../../../../shared/billing/barring';
import { toDecimalString } from '../../../../shared/money/money';
import type { Principal } from '../../auth/auth-service';
import { callBarringOf } from '../../company/company-settings';
import type { CardRow, Store, UserRow } from '../../store/repository';
import type { WalletService } from '../../wallet/wallet-service';
import type { SafeHtml } from '../html';
import { html } from '../html';
import { refillText } from '../refill-messages';
import type { WebContext } from '../web-context';
import { formatMoneyFor } from '../web-context';

export interface SettingsViewDeps {
  readonly wallet: Pick<WalletService, 'walletView'>;
  readonly store: Store;
  readonly topUpAmountsMinor: readonly number[];
  readonly now: () => number;
}

/** Everything the Settings page shows, read before any of it is rendered. */
export interface SettingsView {
  readonly principal: Principal;
  readonly isAdmin: boolean;
  readonly wallet: WalletView;
  readonly card: CardRow | null;
  readonly highRiskAllowed: boolean;
  /** The company's users with an extension; admins only (as GET /users), empty for an employee. */
  readonly users: readonly UserRow[];
  /** Each listed user's call barring; for an employee, their own. */
  readonly barringOf: ReadonlyMap<string, CallBarring>;
  /** Refill levels offered: a few fixed ones, the top-up amounts and the current level. */
  readonly thresholds: readonly number[];
  readonly topUpAmountsMinor: readonly number[];
  /** This year (UTC), for the card form's default expiry. */
  readonly year: number;
}

export async function loadSettingsView(deps: SettingsViewDeps, principal: Principal, companyId: string): Promise<SettingsView> {
  const wallet = await deps.wallet.walletView(companyId);
  const card = await deps.store.getCard(companyId);
  const company = await deps.store.getCompany(companyId);
  const isAdmin = principal.user.role === 'admin';
  // Only admins see the company's users (as GET /users); an employee sees their own barring.
  const users = isAdmin ? (await deps.store.listUsers(companyId)).filter((user) => user.extension !== null) : [];
  const barringOf = new Map<string, CallBarring>();
  for (const user of isAdmin ? users : [principal.user]) barringOf.set(user.id, await callBarringOf(deps.store, user));
  return {
    principal,
    isAdmin,
    wallet,
    card,
    highRiskAllowed: company?.highRiskAllowed ?? false,
    users,
    barringOf,
    thresholds: [...new Set([500, 1000, 2000, ...deps.topUpAmountsMinor, wallet.autoRefill.thresholdMinor])].sort((a, b) => a - b),
    topUpAmountsMinor: deps.topUpAmountsMinor,
    year: new Date(deps.now()).getUTCFullYear(),
  };
}

/**
 * The Settings page's body: one section per setting. Admins get the forms; an employee sees the values
 * (the auto-refill controls disabled) and their own barring, under a notice that only admins change them.
 */
export function settingsBody(web: WebContext, view: SettingsView, flash: SafeHtml | null): SafeHtml {
  return html`${flash ?? ''}
${view.isAdmin ? '' : html`<p class="notice" role="status">${web.t.adminsOnly}</p>`}
${autoRefillSection(web, view)}
${cardSection(web, view)}
${dailyCapSection(web, view)}
${premiumBarringSection(web, view)}
${outsideCallsSection(web, view)}
${highRiskSection(web, view)}`;
}

function autoRefillSection(web: WebContext, view: SettingsView): SafeHtml {
  const { t } = web;
  const { wallet } = view;
  const disabled = view.isAdmin ? '' : 'disabled';
  return html`<section aria-labelledby="ar-h"><h2 id="ar-h">${t.autoRefill}</h2>
<form method="post" action="/prepaid/settings">
<input type="hidden" name="_csrf" value="${view.principal.session.csrfToken}">
<label><input type="checkbox" name="enabled" value="1" ${wallet.autoRefill.enabled ? 'checked' : ''} ${disabled}> ${t.autoRefillEnabled}</label>
${wallet.autoRefill.disabledReason ? html`<p class="notice">${refillText(web.lang, 'disabledAfter', { declines: wallet.autoRefill.consecutiveDeclines })}</p>` : ''}
<label for="threshold">${t.threshold}</label>
<select id="threshold" name="thresholdMinor" ${disabled}>${view.thresholds.map((value) => html`<option value="${value}" ${value === wallet.autoRefill.thresholdMinor ? 'selected' : ''}>${formatMoneyFor(web, value, wallet.currency)}</option>`)}</select>
<label for="refill-amount">${t.refillAmount}</label>
<select id="refill-amount" name="amountMinor" ${disabled}>${view.topUpAmountsMinor.map((value) => html`<option value="${value}" ${value === wallet.autoRefill.amountMinor ? 'selected' : ''}>${formatMoneyFor(web, value, wallet.currency)}</option>`)}</select>
${view.isAdmin ? html`<div><button type="submit">${t.save}</button></div>` : ''}</form></section>`;
}

function cardSection(web: WebContext, view: SettingsView): SafeHtml {
  const { t } = web;
  const { card } = view;
  return html`<section aria-labelledby="card-h"><h2 id="card-h">${t.cardOnFile}</h2>
<p data-testid="card-on-file">${card ? `${card.brand} •••• ${card.last4}` : t.noCard}</p>
${view.isAdmin ? html`<form method="post" action="/prepaid/settings/card"><input type="hidden" name="_csrf" value="${view.principal.session.csrfToken}">
<label for="card-number">${t.cardNumber}</label><input id="card-number" name="number" inputmode="numeric" autocomplete="cc-number" required pattern="[0-9 ]{12,23}">
<label for="exp-month">${t.expMonth}</label><input id="exp-month" name="expMonth" inputmode="numeric" autocomplete="cc-exp-month" required pattern="[0-9]{1,2}" value="12">
<label for="exp-year">${t.expYear}</label><input id="exp-year" name="expYear" inputmode="numeric" autocomplete="cc-exp-year" required pattern="[0-9]{4}" value="${view.year + 3}">
<label for="cvc">${t.cvc}</label><input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" required pattern="[0-9]{3,4}">
<div><button type="submit">${t.updateCard}</button></div></form>` : ''}</section>`;
}

function dailyCapSection(web: WebContext, view: SettingsView): SafeHtml {
  const { t } = web;
  const { wallet } = view;
  return html`<section aria-labelledby="cap-h"><h2 id="cap-h">${t.dailyCap}</h2>
<p>${t.dailyCapAmount}: <strong data-testid="daily-cap">${wallet.dailyCapMinor === null ? t.dailyCapNone : formatMoneyFor(web, wallet.dailyCapMinor, wallet.currency)}</strong>
· ${t.spentToday}: ${formatMoneyFor(web, wallet.spentTodayMinor, wallet.currency)}</p>
${view.isAdmin ? html`<form method="post" action="/prepaid/settings/daily-cap"><input type="hidden" name="_csrf" value="${view.principal.session.csrfToken}">
<label for="daily-cap">${t.dailyCapAmount} (${wallet.currency})</label>
<input id="daily-cap" name="dailyCap" inputmode="decimal" autocomplete="off" pattern="[0-9]{1,9}([.,][0-9]{1,2})?" aria-describedby="daily-cap-help" value="${wallet.dailyCapMinor === null ? '' : toDecimalString(wallet.dailyCapMinor, wallet.currency)}">
<p id="daily-cap-help">${t.dailyCapHelp}</p>
<div><button type="submit">${t.save}</button></div></form>` : ''}</section>`;
}

function premiumBarringSection(web: WebContext, view: SettingsView): SafeHtml {
  const { t } = web;
  const { users } = view;
  return html`<section aria-labelledby="barring-h"><h2 id="barring-h">${t.premiumBarring}</h2>
<p id="barring-help">${t.premiumBarringHelp}</p>
${view.isAdmin
    ? html`<form method="post" action="/prepaid/settings/barring"><input type="hidden" name="_csrf" value="${view.principal.session.csrfToken}">
<input type="hidden" name="users" value="${users.map((user) => user.id).join(',')}">
<fieldset aria-describedby="barring-help"><legend>${t.premiumBarring}</legend>
${users.map((user) => html`<label><input type="checkbox" name="bar_${user.id}" value="1" ${user.premiumBarred ? 'checked' : ''}> ${t.barUser.replace('{name}', user.displayName).replace('{extension}', user.extension ?? '')}</label>`)}
</fieldset>
<div><button type="submit">${t.save}</button></div></form>`
    : html`<p data-testid="my-barring">${view.principal.user.premiumBarred ? t.barred : t.allowed}</p>`}</section>`;
}

function outsideCallsSection(web: WebContext, view: SettingsView): SafeHtml {
  const { t } = web;
  const csrf = view.principal.session.csrfToken;
  const scopeText = (barring: CallBarring | undefined): string =>
    barring ? `${t[`scope_${barring.scope}`]}${barring.scope === 'countries' ? `: ${barring.countries.join(', ')}` : ''}` : '';
  return html`<section aria-labelledby="outside-h"><h2 id="outside-h">${t.outsideCalls}</h2>
<p id="outside-help">${t.outsideCallsHelp}</p>
${view.isAdmin
    ? view.users.map((user) => {
        const barring = view.barringOf.get(user.id);
        return html`<form method="post" action="/prepaid/settings/outside-calls"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="userId" value="${user.id}">
<fieldset aria-describedby="outside-help"><legend>${t.outsideCallsFor.replace('{name}', user.displayName).replace('{extension}', user.extension ?? '')}</legend>
<label for="scope-${user.id}">${t.scope}</label>
<select id="scope-${user.id}" name="scope" data-testid="scope-${user.extension ?? ''}">${outsideCallScopes.map((scope) => html`<option value="${scope}" ${barring?.scope === scope ? 'selected' : ''}>${t[`scope_${scope}`]}</option>`)}</select>
<label for="countries-${user.id}">${t.allowedCountries}</label>
<input id="countries-${user.id}" name="countries" autocomplete="off" maxlength="1000" value="${barring?.countries.join(', ') ?? ''}">
</fieldset><div><button type="submit">${t.save}</button></div></form>`;
      })
    : html`<p><strong>${t.outsideCallsMine}</strong>: <span data-testid="my-outside-calls">${scopeText(view.barringOf.get(view.principal.user.id))}</span></p>`}</section>`;
}

function highRiskSection(web: WebContext, view: SettingsView): SafeHtml {
  const { t } = web;
  return html`<section aria-labelledby="high-risk-h"><h2 id="high-risk-h">${t.highRisk}</h2>
<p id="high-risk-help">${t.highRiskHelp}</p>
<p data-testid="high-risk">${view.highRiskAllowed ? t.highRiskAllowed : t.highRiskBlocked}</p>
${view.isAdmin ? html`<form method="post" action="/prepaid/settings/high-risk"><input type="hidden" name="_csrf" value="${view.principal.session.csrfToken}">
<label><input type="checkbox" name="allowed" value="1" aria-describedby="high-risk-help" ${view.highRiskAllowed ? 'checked' : ''}> ${t.highRiskAllow}</label>
<div><button type="submit">${t.save}</button></div></form>` : ''}</section>`;
}
