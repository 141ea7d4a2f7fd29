import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { outsideCallsSettingSchema } from '../../../shared/api/barring-schemas';
import type { CallBarring } from '../../../shared/billing/barring';
import { outsideCallScopes } from '../../../shared/billing/barring';
import type { CurrencyCode } from '../../../shared/money/currency';
import { formatMoney } from '../../../shared/money/format-money';
import { parseDecimalToMinor, toDecimalString } from '../../../shared/money/money';
import { formatRateAmount } from '../../../shared/rating/rate-deck';
import { deckCountries, ratesForCountry } from '../../../shared/rating/rate-index';
import type { Principal } from '../auth/auth-service';
import { callBarringOf, setCompanyDailyCap, setCompanyHighRisk, setUserOutsideCalls, setUserPremiumBarring } from '../company/company-settings';
import { ApiError } from '../http/api-error';
import { languageCookieName, parseCookies, serializeCookie, sessionCookieName } from '../http/cookies';
import type { ManagerContext } from '../http/manager-context';
import { newToken } from '../ids';
import { CardRejectedError } from '../payments/payment-provider';
import { activityItem } from '../routes/wallet-routes';
import { topUpView } from '../wallet/wallet-service';
import type { SafeHtml } from './html';
import { html, page, stylesheet } from './html';
import type { Language, Messages } from './i18n';
import { messages, pickLanguage } from './i18n';

const loginCsrfCookie = 'cabine_login_csrf';

/** Renders an error as an HTML page (status, message) for a web route. */
export type WebErrorRenderer = (request: FastifyRequest, reply: FastifyReply, status: number, message: string) => Promise<FastifyReply>;

interface WebContext {
  readonly lang: Language;
  readonly t: Messages;
  readonly locale: string;
  readonly principal: Principal | null;
}

type Form = Record<string, string>;

function formOf(request: FastifyRequest): Form {
  const body = request.body;
  if (!body || typeof body !== 'object') return {};
  return body as Form;
}

function localPath(value: unknown, fallback: string): string {
  // Only our own absolute paths: never "//evil.example" or "https://...".
  return typeof value === 'string' && /^\/(?!\/)[A-Za-z0-9/_?=&.-]*$/.test(value) ? value : fallback;
}

/** The server-rendered pages: sign-in, Prepaid Account, Add Funds, Settings, International Rates, Activity, care. */
export function registerWebRoutes(app: FastifyInstance, ctx: ManagerContext): WebErrorRenderer {
  const store = ctx.repository.store;

  const contextOf = async (request: FastifyRequest): Promise<WebContext> => {
    const cookies = parseCookies(request.headers.cookie);
    const lang = pickLanguage(cookies.get(languageCookieName), request.headers['accept-language']);
    const token = cookies.get(sessionCookieName);
    const principal = token ? await ctx.auth.authenticate(token, 'cookie') : null;
    return { lang, t: messages[lang], locale: lang === 'fr' ? 'fr-FR' : 'en-IE', principal };
  };

  const send = (reply: FastifyReply, web: WebContext, path: string, title: string, body: SafeHtml, status = 200): FastifyReply => {
    const signedIn = web.principal ? { displayName: web.principal.user.displayName, csrf: web.principal.session.csrfToken, role: web.principal.user.role } : null;
    return reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(page({ lang: web.lang, t: web.t, title, path, signedIn, body }));
  };

  const money = (web: WebContext, amountMinor: number, currency: CurrencyCode): string => formatMoney(amountMinor, currency, web.locale);

  /** Signed-in company user, or a redirect to the sign-in page. */
  const requireCompanyUser = async (request: FastifyRequest, reply: FastifyReply): Promise<{ web: WebContext; principal: Principal; companyId: string } | null> => {
    const web = await contextOf(request);
    if (!web.principal) {
      await reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`, 303);
      return null;
    }
    if (!web.principal.user.companyId) {
      await reply.redirect('/care', 303);
      return null;
    }
    return { web, principal: web.principal, companyId: web.principal.user.companyId };
  };

  const waitForTopUp = async (companyId: string, idempotencyKey: string) => {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const row = await store.getTopUpByKey(companyId, idempotencyKey);
      if (row && row.status !== 'pending') return topUpView(row);
      await new Promise((resolveWait) => setTimeout(resolveWait, 50));
    }
    throw new ApiError(409, 'idempotency_key_in_progress', 'This purchase is still being processed; reload in a moment');
  };

  const checkCsrf = (principal: Principal, form: Form): void => {
    if (form._csrf !== principal.session.csrfToken) throw new ApiError(403, 'csrf_failed', 'The form expired; reload the page and try again');
  };

  app.get('/assets/manager.css', (_request, reply) => reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(stylesheet));

  app.get('/', async (request, reply) => {
    const web = await contextOf(request);
    return reply.redirect(web.principal ? (web.principal.user.role === 'operator' ? '/care' : '/prepaid') : '/sign-in', 303);
  });

  app.get('/lang', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const to = query.to === 'fr' ? 'fr' : 'en';
    reply.header('set-cookie', serializeCookie(languageCookieName, to, { maxAgeSeconds: 365 * 24 * 3600, httpOnly: true, secure: ctx.config.cookieSecure }));
    return reply.redirect(localPath(query.back, '/'), 303);
  });

  const signInPage = (reply: FastifyReply, web: WebContext, next: string, error: string | null, status: number): FastifyReply => {
    const csrf = newToken();
    reply.header('set-cookie', serializeCookie(loginCsrfCookie, csrf, { maxAgeSeconds: 3600, httpOnly: true, secure: ctx.config.cookieSecure }));
    return send(reply, web, '/sign-in', web.t.signIn, html`
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/sign-in">
<input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="next" value="${next}">
<label for="email">${web.t.email}</label><input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">${web.t.password}</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<div><button type="submit">${web.t.signIn}</button></div></form>`, status);
  };

  app.get('/sign-in', async (request, reply) => {
    const web = await contextOf(request);
    const query = request.query as Record<string, unknown>;
    return signInPage(reply, { ...web, principal: null }, localPath(query.next, '/prepaid'), query.handoff === 'invalid' ? web.t.handoffInvalid : null, 200);
  });

  app.post('/sign-in', async (request, reply) => {
    const web = { ...(await contextOf(request)), principal: null };
    const form = formOf(request);
    const next = localPath(form.next, '/prepaid');
    // Login CSRF: the form must carry the random value we set in a SameSite=Strict cookie (double submit).
    const cookie = parseCookies(request.headers.cookie).get(loginCsrfCookie);
    if (!cookie || form._csrf !== cookie) return signInPage(reply, web, next, web.t.error, 403);
    try {
      const { token, session, user } = await ctx.auth.signIn(String(form.email ?? ''), String(form.password ?? ''), request.ip, 'web');
      reply.header('set-cookie', serializeCookie(sessionCookieName, token, { maxAgeSeconds: Math.floor((session.expiresAt - ctx.now()) / 1000), httpOnly: true, secure: ctx.config.cookieSecure }));
      return reply.redirect(user.role === 'operator' ? '/care' : next, 303);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 429)) {
        return signInPage(reply, web, next, error.status === 429 ? web.t.tooManyAttempts : web.t.wrongCredentials, error.status);
      }
      throw error;
    }
  });

  app.post('/sign-out', async (request, reply) => {
    const web = await contextOf(request);
    if (web.principal) {
      checkCsrf(web.principal, formOf(request));
      const token = parseCookies(request.headers.cookie).get(sessionCookieName);
      if (token) await ctx.auth.signOut(token);
    }
    reply.header('set-cookie', serializeCookie(sessionCookieName, '', { maxAgeSeconds: 0, httpOnly: true, secure: ctx.config.cookieSecure }));
    return reply.redirect('/sign-in', 303);
  });

  // /handoff (the app's one-time code) lives in handoff-routes.ts.

  app.get('/prepaid', async (request, reply) => {
    const who = await requireCompanyUser(request, reply);
    if (!who) return reply;
    const { web, principal, companyId } = who;
    const t = web.t;
    const wallet = await ctx.wallet.walletView(companyId);
    const isAdmin = principal.user.role === 'admin';
    const notifications = isAdmin ? await store.listNotifications(companyId, 5) : [];
    return send(reply, web, '/prepaid', t.prepaidAccount, html`
<section aria-labelledby="balance-h"><h2 id="balance-h">${t.balance}</h2>
<p class="balance" data-testid="balance">${money(web, wallet.balanceMinor, wallet.currency)}</p>
<p>${t.available}: ${money(web, wallet.availableMinor, wallet.currency)}</p>
${wallet.lowBalance ? html`<p class="notice" role="status">${t.lowBalance}</p>` : ''}
<p>${t.neverExpires}</p>
${isAdmin ? html`<p><a href="/prepaid/add-funds">${t.addFunds}</a></p>` : ''}</section>
<section aria-labelledby="refill-h"><h2 id="refill-h">${t.autoRefill}</h2>
<p>${wallet.autoRefill.enabled ? html`${t.on}: ${t.threshold} ${money(web, wallet.autoRefill.thresholdMinor, wallet.currency)} → ${t.refillAmount} ${money(web, wallet.autoRefill.amountMinor, wallet.currency)}` : t.off}
${wallet.autoRefill.disabledReason ? html` (${wallet.autoRefill.disabledReason})` : ''}</p><p><a href="/prepaid/settings">${t.settings}</a></p></section>
<section aria-labelledby="rates-h"><h2 id="rates-h">${t.internationalRates}</h2><p><a href="/prepaid/rates">${t.viewRates}</a></p></section>
${notifications.length > 0 ? html`<section aria-labelledby="ntf-h"><h2 id="ntf-h">${t.notifications}</h2><ul>${notifications.map((n) => html`<li>${new Date(n.createdAt).toLocaleString(web.locale)}: ${n.message}</li>`)}</ul></section>` : ''}`);
  });

  const addFundsPage = async (reply: FastifyReply, web: WebContext, principal: Principal, companyId: string, status = 200): Promise<FastifyReply> => {
    const t = web.t;
    const company = await store.getCompany(companyId);
    const card = await store.getCard(companyId);
    const currency = company?.currency ?? ctx.config.currency;
    if (principal.user.role !== 'admin') return send(reply, web, '/prepaid/add-funds', t.addFunds, html`<p class="notice" role="status">${t.adminsOnly}</p>`, 403);
    // A fresh idempotency key per rendered form: a double click or a resubmitted form adds funds once.
    const key = `web-${newToken()}`;
    return send(reply, web, '/prepaid/add-funds', t.addFunds, html`
<p>${t.balance}: <strong>${money(web, company?.balanceMinor ?? 0, currency)}</strong></p>
<p>${t.cardOnFile}: ${card ? `${card.brand} •••• ${card.last4} (${String(card.expMonth).padStart(2, '0')}/${card.expYear})` : t.noCard}</p>
<form method="post" action="/prepaid/add-funds">
<input type="hidden" name="_csrf" value="${principal.session.csrfToken}"><input type="hidden" name="idempotencyKey" value="${key}">
<label for="amount">${t.chooseAmount}</label>
<select id="amount" name="amountMinor">${ctx.config.topUpAmountsMinor.map((amount) => html`<option value="${amount}">${money(web, amount, currency)}</option>`)}</select>
<div><button type="submit">${t.buy}</button></div></form>`, status);
  };

  app.get('/prepaid/add-funds', async (request, reply) => {
    const who = await requireCompanyUser(request, reply);
    if (!who) return reply;
    return addFundsPage(reply, who.web, who.principal, who.companyId);
  });

  app.post('/prepaid/add-funds', async (request, reply) => {
    const who = await requireCompanyUser(request, reply);
    if (!who) return reply;
    const { web, principal, companyId } = who;
    const t = web.t;
    checkCsrf(principal, formOf(request));
    if (principal.user.role !== 'admin') return addFundsPage(reply, web, principal, companyId, 403);
    const form = formOf(request);
    const amountMinor = /^\d{1,12}$/.test(form.amountMinor ?? '') ? Number(form.amountMinor) : NaN;
    const company = await store.getCompany(companyId);
    if (!company || !Number.isSafeInteger(amountMinor) || !/^web-[A-Za-z0-9_-]{20,100}$/.test(form.idempotencyKey ?? '')) {
      throw new ApiError(400, 'validation_failed', 'Choose an amount from the list');
    }
    const idempotencyKey = form.idempotencyKey ?? '';
    let topUp;
    try {
      topUp = (await ctx.wallet.topUp({ companyId, userId: principal.user.id, amountMinor, currency: company.currency, idempotencyKey })).body.topUp;
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'idempotency_key_in_progress')) throw error;
      // The same form was submitted twice at once: wait for the first submission's outcome and show it.
      topUp = await waitForTopUp(companyId, idempotencyKey);
    }
    if (topUp.status === 'succeeded' || topUp.status === 'cancelled') return reply.redirect(`/prepaid/receipts/${topUp.id}?new=1`, 303);
    const reason = t[`decline_${topUp.declineCode ?? 'card_declined'}` as keyof Messages];
    return send(reply, web, '/prepaid/add-funds', t.addFunds, html`<p class="error" role="alert" data-testid="topup-result">${t.topUpDeclined}: ${reason}</p>
<p><a href="/prepaid/add-funds">${t.addFunds}</a> · <a href="/prepaid/settings">${t.settings}</a></p>`, 402);
  });

  app.get('/prepaid/receipts/:id', async (request, reply) => {
    const who = await requireCompanyUser(request, reply);
    if (!who) return reply;
    const { web, companyId } = who;
    const t = web.t;
    const id = (request.params as Record<string, string>).id ?? '';
    const row = /^[A-Za-z0-9_-]{1,64}$/.test(id) ? await store.getTopUp(id) : null;
    if (!row || row.companyId !== companyId) throw new ApiError(404, 'not_found', 'No such receipt');
    const view = topUpView(row);
    const company = await store.getCompany(companyId);
    const fresh = (request.query as Record<string, unknown>).new === '1';
    return send(reply, web, `/prepaid/receipts/${row.id}`, t.receipt, html`
${fresh ? html`<p class="ok" role="status" data-testid="topup-result">${t.topUpSucceeded}</p>` : ''}
<dl><dt>${t.receiptNumber}</dt><dd data-testid="receipt-number">${view.receiptNumber ?? '—'}</dd>
<dt>${t.date}</dt><dd>${new Date(row.createdAt).toLocaleString(web.locale, { timeZone: 'UTC' })} UTC</dd>
<dt>${t.amount}</dt><dd data-testid="receipt-amount">${money(web, row.amountMinor, row.currency)}</dd>
<dt>${t.status}</dt><dd>${t[`status_${row.status}` as keyof Messages]}</dd>
<dt>${t.cardOnFile}</dt><dd>${row.cardLast4 ? `•••• ${row.cardLast4}` : '—'}</dd>
<dt>${t.company}</dt><dd>${company?.name ?? ''}</dd>
<dt>${t.balance}</dt><dd>${money(web, company?.balanceMinor ?? 0, row.currency)}</dd></dl>
<p><a href="/prepaid">${t.backToAccount}</a></p>`);
  });

  const settingsPage = async (reply: FastifyReply, web: WebContext, principal: Principal, companyId: string, flash: SafeHtml | null, status = 200): Promise<FastifyReply> => {
    const t = web.t;
    const wallet = await ctx.wallet.walletView(companyId);
    const card = await store.getCard(companyId);
    const company = await store.getCompany(companyId);
    const isAdmin = principal.user.role === 'admin';
    const csrf = principal.session.csrfToken;
    // Only admins see the company's users (as GET /users); an employee sees their own barring.
    const users = isAdmin ? (await store.listUsers(companyId)).filter((user) => user.extension !== null) : [];
    const highRiskAllowed = company?.highRiskAllowed ?? false;
    const barringOf = new Map<string, CallBarring>();
    for (const user of isAdmin ? users : [principal.user]) barringOf.set(user.id, await callBarringOf(store, user));
    const scopeText = (barring: CallBarring | undefined): string =>
      barring ? `${t[`scope_${barring.scope}`]}${barring.scope === 'countries' ? `: ${barring.countries.join(', ')}` : ''}` : '';
    const thresholds = [...new Set([500, 1000, 2000, ...ctx.config.topUpAmountsMinor, wallet.autoRefill.thresholdMinor])].sort((a, b) => a - b);
    const disabled = isAdmin ? '' : 'disabled';
    const year = new Date(ctx.now()).getUTCFullYear();
    return send(reply, web, '/prepaid/settings', t.settings, html`${flash ?? ''}
${isAdmin ? '' : html`<p class="notice" role="status">${t.adminsOnly}</p>`}
<section aria-labelledby="ar-h"><h2 id="ar-h">${t.autoRefill}</h2>
<form method="post" action="/prepaid/settings">
<input type="hidden" name="_csrf" value="${principal.session.csrfToken}">
<label><input type="checkbox" name="enabled" value="1" ${wallet.autoRefill.enabled ? 'checked' : ''} ${disabled}> ${t.autoRefillEnabled}</label>
${wallet.autoRefill.disabledReason ? html`<p class="notice">${t.disabledReason}: ${wallet.autoRefill.disabledReason}</p>` : ''}
<label for="threshold">${t.threshold}</label>
<select id="threshold" name="thresholdMinor" ${disabled}>${thresholds.map((value) => html`<option value="${value}" ${value === wallet.autoRefill.thresholdMinor ? 'selected' : ''}>${money(web, value, wallet.currency)}</option>`)}</select>
<label for="refill-amount">${t.refillAmount}</label>
<select id="refill-amount" name="amountMinor" ${disabled}>${ctx.config.topUpAmountsMinor.map((value) => html`<option value="${value}" ${value === wallet.autoRefill.amountMinor ? 'selected' : ''}>${money(web, value, wallet.currency)}</option>`)}</select>
${isAdmin ? html`<div><button type="submit">${t.save}</button></div>` : ''}</form></section>
<section aria-labelledby="card-h"><h2 id="card-h">${t.cardOnFile}</h2>
<p data-testid="card-on-file">${card ? `${card.brand} •••• ${card.last4}` : t.noCard}</p>
${isAdmin ? html`<form method="post" action="/prepaid/settings/card"><input type="hidden" name="_csrf" value="${principal.session.csrfToken}">
<label for="card-number">${t.cardNumber}</label><input id="card-number" name="number" inputmode="numeric" autocomplete="cc-number" required pattern="[0-9 ]{12,23}">
<label for="exp-month">${t.expMonth}</label><input id="exp-month" name="expMonth" inputmode="numeric" autocomplete="cc-exp-month" required pattern="[0-9]{1,2}" value="12">
<label for="exp-year">${t.expYear}</label><input id="exp-year" name="expYear" inputmode="numeric" autocomplete="cc-exp-year" required pattern="[0-9]{4}" value="${year + 3}">
<label for="cvc">${t.cvc}</label><input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" required pattern="[0-9]{3,4}">
<div><button type="submit">${t.updateCard}</button></div></form>` : ''}</section>
<section aria-labelledby="cap-h"><h2 id="cap-h">${t.dailyCap}</h2>
<p>${t.dailyCapAmount}: <strong data-testid="daily-cap">${wallet.dailyCapMinor === null ? t.dailyCapNone : money(web, wallet.dailyCapMinor, wallet.currency)}</strong>
· ${t.spentToday}: ${money(web, wallet.spentTodayMinor, wallet.currency)}</p>
${isAdmin ? html`<form method="post" action="/prepaid/settings/daily-cap"><input type="hidden" name="_csrf" value="${csrf}">
<label for="daily-cap">${t.dailyCapAmount} (${wallet.currency})</label>
<input id="daily-cap" name="dailyCap" inputmode="decimal" autocomplete="off" pattern="[0-9]{1,9}([.,][0-9]{1,2})?" aria-describedby="daily-cap-help" value="${wallet.dailyCapMinor === null ? '' : toDecimalString(wallet.dailyCapMinor, wallet.currency)}">
<p id="daily-cap-help">${t.dailyCapHelp}</p>
<div><button type="submit">${t.save}</button></div></form>` : ''}</section>
<section aria-labelledby="barring-h"><h2 id="barring-h">${t.premiumBarring}</h2>
<p id="barring-help">${t.premiumBarringHelp}</p>
${isAdmin
    ? html`<form method="post" action="/prepaid/settings/barring"><input type="hidden" name="_csrf" value="${csrf}">
<input type="hidden" name="users" value="${users.map((user) => user.id).join(',')}">
<fieldset aria-describedby="barring-help"><legend>${t.premiumBarring}</legend>
${users.map((user) => html`<label><input type="checkbox" name="bar_${user.id}" value="1" ${user.premiumBarred ? 'checked' : ''}> ${t.barUser.replace('{name}', user.displayName).replace('{extension}', user.extension ?? '')}</label>`)}
</fieldset>
<div><button type="submit">${t.save}</button></div></form>`
    : html`<p data-testid="my-barring">${principal.user.premiumBarred ? t.barred : t.allowed}</p>`}</section>
<section aria-labelledby="outside-h"><h2 id="outside-h">${t.outsideCalls}</h2>
<p id="outside-help">${t.outsideCallsHelp}</p>
${isAdmin
    ? users.map((user) => {
        const barring = barringOf.get(user.id);
        return html`<form method="post" action="/prepaid/settings/outside-calls"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="userId" value="${user.id}">
<fieldset aria-describedby="outside-help"><legend>${t.outsideCallsFor.replace('{name}', user.displayName).replace('{extension}', user.extension ?? '')}</legend>
<label for="scope-${user.id}">${t.scope}</label>
<select id="scope-${user.id}" name="scope" data-testid="scope-${user.extension ?? ''}">${outsideCallScopes.map((scope) => html`<option value="${scope}" ${barring?.scope === scope ? 'selected' : ''}>${t[`scope_${scope}`]}</option>`)}</select>
<label for="countries-${user.id}">${t.allowedCountries}</label>
<input id="countries-${user.id}" name="countries" autocomplete="off" maxlength="1000" value="${barring?.countries.join(', ') ?? ''}">
</fieldset><div><button type="submit">${t.save}</button></div></form>`;
      })
    : html`<p><strong>${t.outsideCallsMine}</strong>: <span data-testid="my-outside-calls">${scopeText(barringOf.get(principal.user.id))}</span></p>`}</section>
<section aria-labelledby="high-risk-h"><h2 id="high-risk-h">${t.highRisk}</h2>
<p id="high-risk-help">${t.highRiskHelp}</p>
<p data-testid="high-risk">${highRiskAllowed ? t.highRiskAllowed : t.highRiskBlocked}</p>
${isAdmin ? html`<form method="post" action="/prepaid/settings/high-risk"><input type="hidden" name="_csrf" value="${csrf}">
<label><input type="checkbox" name="allowed" value="1" aria-describedby="high-risk-help" ${highRiskAllowed ? 'checked' : ''}> ${t.highRiskAllow}</label>
<div><button type="submit">${t.save}</button></div></form>` : ''}</section>`, status);
  };

  /** The admin-only Settings forms: CSRF first, then the role (an employee gets the page back with 403). */
  const settingsAdmin = async (request: FastifyRequest, reply: FastifyReply): Promise<{ web: WebContext; principal: Principal; companyId: string; form: Form } | null> => {
    const who = await requireCompanyUser(request, reply);
    if (!who) return null;
    const form = formOf(request);
    checkCsrf(who.principal, form);
    if (who.principal.user.role !== 'admin') {
      await settingsPage(reply, who.web, who.principal, who.companyId, null, 403);
      return null;
    }
    return { ...who, form };
  };

  const savedFlash = (web: WebContext): SafeHtml => html`<p class="ok" role="status">${web.t.saved}</p>`;

  app.post('/prepaid/settings/daily-cap', async (request, reply) => {
    const admin = await settingsAdmin(request, reply);
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
        return settingsPage(reply, web, principal, companyId, html`<p class="error" role="alert">${web.t.dailyCapInvalid}</p>`, 400);
      }
    }
    await setCompanyDailyCap(ctx.repository, companyId, capMinor);
    return settingsPage(reply, web, principal, companyId, savedFlash(web));
  });

  app.post('/prepaid/settings/barring', async (request, reply) => {
    const admin = await settingsAdmin(request, reply);
    if (!admin) return reply;
    const { web, principal, companyId, form } = admin;
    // Only the users the form showed are changed (a user added meanwhile keeps their setting); each id must
    // be one of this company's users, else 404 like the API.
    const shown = String(form.users ?? '').split(',').filter((id) => id.length > 0);
    if (shown.length > 500 || shown.some((id) => !/^[A-Za-z0-9_-]{1,64}$/.test(id))) throw new ApiError(400, 'validation_failed', 'Reload the page and try again');
    for (const id of shown) await setUserPremiumBarring(ctx.repository, companyId, id, form[`bar_${id}`] === '1');
    return settingsPage(reply, web, principal, companyId, savedFlash(web));
  });

  app.post('/prepaid/settings/outside-calls', async (request, reply) => {
    const admin = await settingsAdmin(request, reply);
    if (!admin) return reply;
    const { web, principal, companyId, form } = admin;
    const userId = String(form.userId ?? '');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(userId)) throw new ApiError(400, 'validation_failed', 'Reload the page and try again');
    const scope = String(form.scope ?? '');
    // Codes as people type them ("gb, us" or "GB US"); kept only with the scope that uses them, so
    // switching a user to "Everything" does not need the field emptied first.
    const countries = scope === 'countries' ? String(form.countries ?? '').toUpperCase().split(/[\s,;]+/).filter((code) => code.length > 0) : [];
    const setting = outsideCallsSettingSchema.safeParse({ scope, countries });
    if (!setting.success) return settingsPage(reply, web, principal, companyId, html`<p class="error" role="alert">${web.t.countriesInvalid}</p>`, 400);
    const view = await setUserOutsideCalls(ctx.repository, companyId, userId, setting.data, ctx.now());
    request.log.info({ adminId: principal.user.id, userId: view.userId, scope: view.scope, countries: view.countries }, 'outside-call scope changed');
    return settingsPage(reply, web, principal, companyId, savedFlash(web));
  });

  app.post('/prepaid/settings/high-risk', async (request, reply) => {
    const admin = await settingsAdmin(request, reply);
    if (!admin) return reply;
    const { web, principal, companyId, form } = admin;
    const allowed = form.allowed === '1';
    await setCompanyHighRisk(ctx.repository, companyId, allowed);
    request.log.info({ companyId, userId: principal.user.id, allowed }, 'high-risk destinations switch changed');
    return settingsPage(reply, web, principal, companyId, savedFlash(web));
  });

  app.get('/prepaid/settings', async (request, reply) => {
    const who = await requireCompanyUser(request, reply);
    if (!who) return reply;
    return settingsPage(reply, who.web, who.principal, who.companyId, null);
  });

  app.post('/prepaid/settings', async (request, reply) => {
    const admin = await settingsAdmin(request, reply);
    if (!admin) return reply;
    const { web, principal, companyId, form } = admin;
    const thresholdMinor = Number(form.thresholdMinor);
    const amountMinor = Number(form.amountMinor);
    if (!Number.isSafeInteger(thresholdMinor) || thresholdMinor <= 0 || !Number.isSafeInteger(amountMinor)) throw new ApiError(400, 'validation_failed', 'Choose values from the lists');
    await ctx.wallet.setAutoRefill(companyId, { enabled: form.enabled === '1', thresholdMinor, amountMinor });
    return settingsPage(reply, web, principal, companyId, savedFlash(web));
  });

  app.post('/prepaid/settings/card', async (request, reply) => {
    const admin = await settingsAdmin(request, reply);
    if (!admin) return reply;
    const { web, principal, companyId, form } = admin;
    try {
      const card = await ctx.provider.tokenizeCard({ number: String(form.number ?? ''), expMonth: Number(form.expMonth), expYear: Number(form.expYear), cvc: String(form.cvc ?? '') });
      await store.upsertCard({ companyId, providerToken: card.token, brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear, updatedAt: ctx.now() });
      return settingsPage(reply, web, principal, companyId, html`<p class="ok" role="status">${web.t.cardSaved}</p>`);
    } catch (error) {
      if (!(error instanceof CardRejectedError)) throw error;
      return settingsPage(reply, web, principal, companyId, html`<p class="error" role="alert">${web.t.cardRefused}: ${error.message}</p>`, 422);
    }
  });

  app.get('/prepaid/rates', async (request, reply) => {
    const who = await requireCompanyUser(request, reply);
    if (!who) return reply;
    const { web } = who;
    const t = web.t;
    const index = ctx.rates.index;
    const countries = deckCountries(index);
    const requested = (request.query as Record<string, unknown>).country;
    const country = typeof requested === 'string' && countries.some((entry) => entry.country === requested) ? requested : null;
    const rows = country ? ratesForCountry(index, country) : [];
    const currency = index.deck.currency;
    return send(reply, web, `/prepaid/rates${country ? `?country=${country}` : ''}`, t.internationalRates, html`
${ctx.rates.sample ? html`<p class="notice" role="note">${t.sampleNotice}</p>` : ''}
<form method="get" action="/prepaid/rates"><label for="country">${t.country}</label>
<select id="country" name="country">${countries.map((entry) => html`<option value="${entry.country}" ${entry.country === country ? 'selected' : ''}>${entry.name} (${entry.country})</option>`)}</select>
<div><button type="submit">${t.show}</button></div></form>
${country ? html`<table><caption>${countries.find((entry) => entry.country === country)?.name ?? country} · ${currency} · ${index.deck.version}</caption>
<thead><tr><th scope="col">${t.prefix}</th><th scope="col">${t.destination}</th><th scope="col">${t.type}</th><th scope="col" class="num">${t.perMinute}</th><th scope="col" class="num">${t.connectionFee}</th><th scope="col">${t.increments}</th></tr></thead>
<tbody>${rows.map((row) => html`<tr><td>${row.prefix.includes(':') ? row.prefix.split(':')[1] : `+${row.prefix}`}</td><td>${row.destination}</td><td>${row.numberType}</td><td class="num">${formatRateAmount(row.pricePerMinute)} ${currency}</td><td class="num">${formatRateAmount(row.connectionFee)} ${currency}</td><td>${row.increment.first}/${row.increment.next}</td></tr>`)}</tbody></table>` : ''}`);
  });

  app.get('/prepaid/activity', async (request, reply) => {
    const who = await requireCompanyUser(request, reply);
    if (!who) return reply;
    const { web, companyId } = who;
    const t = web.t;
    const rows = (await store.listLedger(companyId, null, 100)).map(activityItem);
    return send(reply, web, '/prepaid/activity', t.activity, rows.length === 0 ? html`<p>${t.noActivity}</p>` : html`<table>
<thead><tr><th scope="col">${t.date}</th><th scope="col">${t.type}</th><th scope="col">${t.destination}</th><th scope="col" class="num">${t.amount}</th><th scope="col" class="num">${t.balance}</th></tr></thead>
<tbody>${rows.map((item) => html`<tr><td>${new Date(item.createdAt).toLocaleString(web.locale, { timeZone: 'UTC' })}</td><td>${t[`kind_${item.kind}` as keyof Messages]}</td>
<td>${item.call ? `${item.call.number} · ${item.call.destination} · ${item.call.answeredSeconds} s (${t.prefix} +${item.call.prefix}) · ${item.call.extension}` : item.reference}</td>
<td class="num">${money(web, item.amountMinor, item.currency)}</td><td class="num">${money(web, item.balanceAfterMinor, item.currency)}</td></tr>`)}</tbody></table>`);
  });

  app.get('/care', async (request, reply) => {
    const web = await contextOf(request);
    if (!web.principal) return reply.redirect('/sign-in?next=/care', 303);
    const t = web.t;
    if (web.principal.user.role !== 'operator') return send(reply, web, '/care', t.customerCare, html`<p class="error" role="alert">${t.forbidden}</p>`, 403);
    const csrf = web.principal.session.csrfToken;
    const companies = await store.listCompanies();
    const sections: SafeHtml[] = [];
    for (const company of companies) {
      const topUps = await store.listTopUps(company.id, 20);
      sections.push(html`<section><h2>${company.name} (${company.id}) · ${money(web, company.balanceMinor, company.currency)}</h2>
<table><thead><tr><th scope="col">${t.receiptNumber}</th><th scope="col">${t.date}</th><th scope="col" class="num">${t.amount}</th><th scope="col">${t.status}</th><th scope="col">${t.cancelTopUp}</th></tr></thead><tbody>
${topUps.map((row) => html`<tr><td>${row.receiptNumber ?? row.id}</td><td>${new Date(row.createdAt).toISOString()}</td><td class="num">${money(web, row.amountMinor, row.currency)}</td><td>${t[`status_${row.status}` as keyof Messages]}</td>
<td>${row.status === 'succeeded' ? html`<form method="post" action="/care/topups/${row.id}/cancel"><input type="hidden" name="_csrf" value="${csrf}"><label for="reason-${row.id}">${t.reason}</label><input id="reason-${row.id}" name="reason" required minlength="3" maxlength="500"><button type="submit">${t.cancelTopUp}</button></form>` : ''}</td></tr>`)}
</tbody></table></section>`);
    }
    return send(reply, web, '/care', t.operatorHome, html`${sections}`);
  });

  app.post('/care/topups/:id/cancel', async (request, reply) => {
    const web = await contextOf(request);
    if (!web.principal) return reply.redirect('/sign-in?next=/care', 303);
    if (web.principal.user.role !== 'operator') throw new ApiError(403, 'forbidden', 'Only customer care may do this');
    const form = formOf(request);
    checkCsrf(web.principal, form);
    const reason = String(form.reason ?? '').trim();
    if (reason.length < 3 || reason.length > 500) throw new ApiError(400, 'validation_failed', 'Give a reason (3-500 characters)');
    await ctx.wallet.cancelTopUp((request.params as Record<string, string>).id ?? '', reason);
    return reply.redirect('/care', 303);
  });

  // HTML error pages for the web routes (the API answers JSON).
  return async (request, reply, status, message) => {
    const web = await contextOf(request);
    const t = web.t;
    const text = status === 404 ? t.notFound : status === 403 ? `${t.forbidden} ${message}` : status >= 500 ? t.error : message;
    return send(reply, web, request.url, t.appName, html`<p class="error" role="alert">${text}</p><p><a href="/">${t.backToAccount}</a></p>`, status);
  };
}
