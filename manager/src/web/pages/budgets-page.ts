import type { FastifyInstance, FastifyReply } from 'fastify';
import type { BudgetView } from '../../../../shared/api/budget-schemas';
import { maxMonthlyBudgetMinor } from '../../../../shared/billing/monthly-budget';
import { parseDecimalToMinor, toDecimalString } from '../../../../shared/money/money';
import { companyBudgets, setUserBudget, userBudget } from '../../budgets/monthly-budgets';
import { ApiError } from '../../http/api-error';
import type { Repository } from '../../store/repository';
import { budgetMessages } from '../budget-messages';
import { formOf } from '../form';
import type { SafeHtml } from '../html';
import { html } from '../html';
import { sendPage } from '../page-reply';
import type { CompanyVisitor } from '../session-guard';
import { checkCsrf, requireCompanyUser } from '../session-guard';
import type { SessionReader, WebContext } from '../web-context';
import { formatMoneyFor } from '../web-context';

export interface BudgetsPageDeps {
  readonly auth: SessionReader;
  readonly repository: Repository;
  readonly now: () => number;
}

const path = '/prepaid/budgets';

function money(web: WebContext, view: BudgetView, minor: number | null): string {
  return minor === null ? budgetMessages[web.lang].noBudget : formatMoneyFor(web, minor, view.currency);
}

function resetDate(web: WebContext, view: BudgetView): string {
  return new Date(view.resetsAt).toLocaleDateString(web.locale, { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
}

/** The admin's table: one row per calling user, each with its own small form (no script needed). */
function adminTable(web: WebContext, csrf: string, views: readonly BudgetView[]): SafeHtml {
  const b = budgetMessages[web.lang];
  const rows = views.map((view) => html`<tr data-testid="budget-row-${view.userId}">
<td>${view.displayName}</td><td>${view.extension ?? ''}</td>
<td class="num" data-testid="budget-amount">${money(web, view, view.monthlyBudgetMinor)}</td>
<td class="num" data-testid="budget-spent">${formatMoneyFor(web, view.spentThisMonthMinor, view.currency)}</td>
<td class="num">${formatMoneyFor(web, view.reservedMinor, view.currency)}</td>
<td class="num" data-testid="budget-left">${money(web, view, view.leftMinor)}</td>
<td><form method="post" action="${path}/${view.userId}"><input type="hidden" name="_csrf" value="${csrf}">
<label for="budget-${view.userId}">${b.monthlyBudget} (${view.currency}) · ${view.displayName}</label>
<input id="budget-${view.userId}" name="budget" inputmode="decimal" autocomplete="off" pattern="[0-9]{1,7}([.,][0-9]{1,2})?" value="${view.monthlyBudgetMinor === null ? '' : toDecimalString(view.monthlyBudgetMinor, view.currency)}">
<button type="submit">${b.setBudget}</button></form></td></tr>`);
  return html`<p>${b.budgetsHelp}</p>
<table><thead><tr><th>${b.person}</th><th>${b.extension}</th><th class="num">${b.monthlyBudget}</th><th class="num">${b.spentThisMonth}</th><th class="num">${b.inProgress}</th><th class="num">${b.left}</th><th></th></tr></thead>
<tbody>${rows}</tbody></table>
${views[0] ? html`<p>${b.resets} ${resetDate(web, views[0])} (UTC)</p>` : ''}`;
}

/** An employee sees their own budget only. */
function ownBudget(web: WebContext, view: BudgetView): SafeHtml {
  const b = budgetMessages[web.lang];
  return html`<h2>${b.yourBudget}</h2><dl>
<dt>${b.monthlyBudget}</dt><dd data-testid="budget-amount">${money(web, view, view.monthlyBudgetMinor)}</dd>
<dt>${b.spentThisMonth}</dt><dd data-testid="budget-spent">${formatMoneyFor(web, view.spentThisMonthMinor, view.currency)}</dd>
<dt>${b.inProgress}</dt><dd>${formatMoneyFor(web, view.reservedMinor, view.currency)}</dd>
<dt>${b.left}</dt><dd data-testid="budget-left">${money(web, view, view.leftMinor)}</dd>
<dt>${b.resets}</dt><dd>${resetDate(web, view)} (UTC)</dd></dl>`;
}

async function sendBudgetsPage(reply: FastifyReply, deps: BudgetsPageDeps, who: CompanyVisitor, flash: SafeHtml | null, status = 200): Promise<FastifyReply> {
  const { web, principal, companyId } = who;
  const b = budgetMessages[web.lang];
  const body = principal.user.role === 'admin'
    ? adminTable(web, principal.session.csrfToken, await companyBudgets(deps.repository, companyId, deps.now()))
    : ownBudget(web, await userBudget(deps.repository, companyId, principal.user.id, deps.now()));
  return sendPage(reply, web, path, b.budgetsTitle, html`${flash ?? ''}${body}`, status);
}

/**
 * GET /prepaid/budgets: the admin sets each person's monthly budget (an empty field clears it); everyone
 * else sees their own. POST /prepaid/budgets/:userId: admins only (403 page otherwise, nothing changed),
 * CSRF-checked; another company's user is 404, as in the API.
 */
export function registerBudgetsPage(app: FastifyInstance, deps: BudgetsPageDeps): void {
  app.get(path, async (request, reply) => {
    const who = await requireCompanyUser(request, reply, deps.auth);
    if (!who) return reply;
    return sendBudgetsPage(reply, deps, who, null);
  });

  app.post(`${path}/:userId`, async (request, reply) => {
    const who = await requireCompanyUser(request, reply, deps.auth);
    if (!who) return reply;
    const form = formOf(request);
    checkCsrf(who.principal, form);
    const b = budgetMessages[who.web.lang];
    if (who.principal.user.role !== 'admin') {
      return sendBudgetsPage(reply, deps, who, html`<p class="error" role="alert">${who.web.t.adminsOnly}</p>`, 403);
    }
    const userId = (request.params as Record<string, string>).userId ?? '';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(userId)) throw new ApiError(404, 'not_found', 'No such user');
    const company = await deps.repository.store.getCompany(who.companyId);
    if (!company) throw new ApiError(404, 'not_found', 'No such company');
    // French writes decimals with a comma; an empty field means no budget.
    const text = String(form.budget ?? '').trim().replace(',', '.');
    let budgetMinor: number | null = null;
    if (text !== '') {
      try {
        budgetMinor = /^\d{1,9}(\.\d{1,2})?$/.test(text) ? parseDecimalToMinor(text, company.currency) : NaN;
      } catch {
        budgetMinor = NaN;
      }
      if (!Number.isSafeInteger(budgetMinor) || budgetMinor <= 0 || budgetMinor > maxMonthlyBudgetMinor) {
        // Checked for the id first: a wrong id is 404 whatever the amount.
        await userBudget(deps.repository, who.companyId, userId, deps.now());
        return sendBudgetsPage(reply, deps, who, html`<p class="error" role="alert">${b.budgetInvalid}</p>`, 400);
      }
    }
    await setUserBudget(deps.repository, { companyId: who.companyId, userId, monthlyBudgetMinor: budgetMinor, actor: who.principal.user, now: deps.now() });
    request.log.info({ adminId: who.principal.user.id, userId, monthlyBudgetMinor: budgetMinor }, 'monthly budget changed (page)');
    return sendBudgetsPage(reply, deps, who, html`<p class="ok" role="status">${b.budgetSaved}</p>`);
  });
}
