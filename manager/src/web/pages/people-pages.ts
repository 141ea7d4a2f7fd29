import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addPersonRequestSchema, newPasswordSchema, onboardCompanyRequestSchema, updatePersonRequestSchema } from '../../../../shared/api/people-schemas';
import type { PersonView } from '../../../../shared/api/people-schemas';
import { currencyCodes } from '../../../../shared/money/currency';
import { parseDecimalToMinor } from '../../../../shared/money/money';
import type { Principal } from '../../auth/auth-service';
import { auditEventView } from '../../audit/audit-trail';
import { ApiError } from '../../http/api-error';
import type { ManagerContext } from '../../http/manager-context';
import type { Mailer } from '../../mail/mailer';
import { OutboxMailer } from '../../mail/outbox-mailer';
import type { OnboardingDeps } from '../../onboarding/onboard-company';
import { onboardCompany } from '../../onboarding/onboard-company';
import { PeopleError } from '../../people/people-errors';
import type { PeopleService } from '../../people/people-service';
import type { Form } from '../form';
import { formOf } from '../form';
import type { SafeHtml } from '../html';
import { html } from '../html';
import { fill } from '../i18n';
import { sendPage } from '../page-reply';
import type { PeopleMessages } from '../people-messages';
import { peopleMessages, refusalText } from '../people-messages';
import { checkCsrf, requireCompanyUser } from '../session-guard';
import type { WebContext } from '../web-context';
import { webContextOf } from '../web-context';

export interface PeoplePagesDeps {
  readonly ctx: ManagerContext;
  readonly people: PeopleService;
  readonly onboarding: OnboardingDeps;
  readonly mailer: Mailer;
}

const peoplePath = '/prepaid/people';
const idPattern = /^[A-Za-z0-9_-]{1,64}$/;

const ok = (text: string): SafeHtml => html`<p class="ok" role="status">${text}</p>`;
const fail = (text: string): SafeHtml => html`<p class="error" role="alert">${text}</p>`;

/** A refusal the service explained, in the visitor's language; anything else goes on to the error page. */
function refusalFlash(web: WebContext, error: unknown): { flash: SafeHtml; status: number } {
  if (error instanceof PeopleError) return { flash: fail(refusalText(web.lang, error.refusal)), status: error.status };
  if (error instanceof ApiError && error.code === 'validation_failed') return { flash: fail(peopleMessages[web.lang].invalidInput), status: 400 };
  throw error;
}

function roleSelect(p: PeopleMessages, id: string, role: string): SafeHtml {
  return html`<select id="${id}" name="role">${(['employee', 'admin'] as const).map((value) => html`<option value="${value}"${value === role ? html` selected` : ''}>${p[`role_${value}`]}</option>`)}</select>`;
}

function personRow(p: PeopleMessages, csrf: string, person: PersonView, self: boolean): SafeHtml {
  const hidden = html`<input type="hidden" name="_csrf" value="${csrf}">`;
  const base = `${peoplePath}/${person.id}`;
  return html`<tr data-person="${person.email}"><td>${person.displayName}<br><small>${person.email}</small></td><td>${p[`status_${person.status}`]}</td>
<td><form method="post" action="${base}">${hidden}
<label for="role-${person.id}">${p.role}</label>${roleSelect(p, `role-${person.id}`, person.role)}
<label for="ext-${person.id}">${p.extension}</label><input id="ext-${person.id}" name="extension" value="${person.extension ?? ''}" inputmode="numeric" pattern="[12][0-9]{3}" size="5">
<label><input type="checkbox" name="premiumBarred" value="1"${person.premiumBarred ? html` checked` : ''}> ${p.barred}</label>
<button type="submit">${p.save}</button></form></td>
<td>${self ? '' : html`${person.status === 'deactivated'
    ? html`<form method="post" action="${base}/reactivate">${hidden}<button type="submit">${p.reactivate}</button></form>`
    : html`<form method="post" action="${base}/deactivate">${hidden}<button type="submit">${p.deactivate}</button></form>
<form method="post" action="${base}/password-reset">${hidden}<button type="submit">${p.sendReset}</button></form>`}
<form method="post" action="${base}/remove">${hidden}<label><input type="checkbox" name="confirm" value="1" required> ${p.removeConfirm}</label><button type="submit">${p.remove}</button></form>`}</td></tr>`;
}

async function sendPeoplePage(reply: FastifyReply, deps: PeoplePagesDeps, web: WebContext, principal: Principal, companyId: string, flash: SafeHtml | null, status = 200): Promise<FastifyReply> {
  const p = peopleMessages[web.lang];
  if (principal.user.role !== 'admin') return sendPage(reply, web, peoplePath, p.people, fail(p.adminsOnly), 403);
  const csrf = principal.session.csrfToken;
  const people = await deps.people.list(companyId);
  return sendPage(reply, web, peoplePath, p.people, html`${flash ?? ''}<p>${p.peopleHelp}</p>
<table><thead><tr><th scope="col">${p.name}</th><th scope="col">${p.status}</th><th scope="col">${p.save}</th><th scope="col">${p.actions}</th></tr></thead>
<tbody>${people.map((person) => personRow(p, csrf, person, person.id === principal.user.id))}</tbody></table>
<h2>${p.addPerson}</h2>
<form method="post" action="${peoplePath}"><input type="hidden" name="_csrf" value="${csrf}">
<label for="new-name">${p.name}</label><input id="new-name" name="displayName" required maxlength="64">
<label for="new-email">${p.email}</label><input id="new-email" name="email" type="email" required maxlength="254">
<label for="new-role">${p.role}</label>${roleSelect(p, 'new-role', 'employee')}
<label for="new-ext">${p.extension}</label><input id="new-ext" name="extension" inputmode="numeric" pattern="[12][0-9]{3}" size="5" aria-describedby="new-ext-help"> <small id="new-ext-help">${p.extensionAuto}</small>
<label><input type="checkbox" name="premiumBarred" value="1" checked> ${p.barred}</label>
<label for="new-budget">${p.monthlyBudget}</label><input id="new-budget" name="budget" inputmode="decimal" size="8">
<div><button type="submit">${p.add}</button></div></form>`, status);
}

/** The session's person, CSRF-checked on a posted form; null once the reply is a redirect. */
async function companyAdminForm(request: FastifyRequest, reply: FastifyReply, deps: PeoplePagesDeps) {
  const who = await requireCompanyUser(request, reply, deps.ctx.auth);
  if (!who) return null;
  const form = formOf(request);
  checkCsrf(who.principal, form);
  return { ...who, form };
}

function personIdOf(request: FastifyRequest): string {
  const id = (request.params as Record<string, string>).id ?? '';
  if (!idPattern.test(id)) throw new ApiError(404, 'not_found', 'No such person');
  return id;
}

/** The page's amount field in the company's currency (a comma is a decimal point); null when empty; NaN when wrong. */
async function budgetOf(deps: PeoplePagesDeps, companyId: string, form: Form): Promise<number | null> {
  const text = String(form.budget ?? '').trim().replace(',', '.');
  if (text === '') return null;
  const company = await deps.ctx.repository.store.getCompany(companyId);
  if (!company || !/^\d{1,9}(\.\d{1,2})?$/.test(text)) return NaN;
  try {
    return parseDecimalToMinor(text, company.currency);
  } catch {
    return NaN;
  }
}

function registerPeopleAdmin(app: FastifyInstance, deps: PeoplePagesDeps): void {
  app.get(peoplePath, async (request, reply) => {
    const who = await requireCompanyUser(request, reply, deps.ctx.auth);
    if (!who) return reply;
    return sendPeoplePage(reply, deps, who.web, who.principal, who.companyId, null);
  });

  /** Runs one admin action from a form and shows the page again with its outcome. */
  const action = (url: string, run: (input: { who: NonNullable<Awaited<ReturnType<typeof companyAdminForm>>>; p: PeopleMessages; id: string }) => Promise<string>): void => {
    app.post(url, async (request, reply) => {
      const who = await companyAdminForm(request, reply, deps);
      if (!who) return reply;
      const p = peopleMessages[who.web.lang];
      if (who.principal.user.role !== 'admin') return sendPage(reply, who.web, peoplePath, p.people, fail(p.adminsOnly), 403);
      try {
        const message = await run({ who, p, id: url.includes(':id') ? personIdOf(request) : '' });
        return sendPeoplePage(reply, deps, who.web, who.principal, who.companyId, ok(message));
      } catch (error) {
        const { flash, status } = refusalFlash(who.web, error);
        return sendPeoplePage(reply, deps, who.web, who.principal, who.companyId, flash, status);
      }
    });
  };

  action(peoplePath, async ({ who, p }) => {
    const budget = await budgetOf(deps, who.companyId, who.form);
    const extension = String(who.form.extension ?? '').trim();
    const input = addPersonRequestSchema.safeParse({
      displayName: String(who.form.displayName ?? '').trim(), email: String(who.form.email ?? '').trim(), role: who.form.role,
      premiumBarred: who.form.premiumBarred === '1', monthlyBudgetMinor: budget, ...(extension === '' ? {} : { extension }),
    });
    if (!input.success || Number.isNaN(budget)) throw new ApiError(400, 'validation_failed', 'Invalid person');
    const { person } = await deps.people.add(who.companyId, who.principal.user, input.data);
    return fill(p.added, { email: person.email });
  });

  action(`${peoplePath}/:id`, async ({ who, p, id }) => {
    const extension = String(who.form.extension ?? '').trim();
    const changes = updatePersonRequestSchema.safeParse({ role: who.form.role, premiumBarred: who.form.premiumBarred === '1', ...(extension === '' ? {} : { extension }) });
    if (!changes.success) throw new ApiError(400, 'validation_failed', 'Invalid change');
    await deps.people.update(who.companyId, who.principal.user, id, changes.data);
    return p.saved;
  });
  action(`${peoplePath}/:id/deactivate`, async ({ who, p, id }) => {
    await deps.people.deactivate(who.companyId, who.principal.user, id);
    return p.deactivated;
  });
  action(`${peoplePath}/:id/reactivate`, async ({ who, p, id }) => {
    await deps.people.reactivate(who.companyId, who.principal.user, id);
    return p.reactivated;
  });
  action(`${peoplePath}/:id/remove`, async ({ who, p, id }) => {
    if (who.form.confirm !== '1') throw new ApiError(400, 'validation_failed', 'Not confirmed');
    await deps.people.remove(who.companyId, who.principal.user, id);
    return p.removed;
  });
  action(`${peoplePath}/:id/password-reset`, async ({ who, p, id }) => {
    const { sentTo } = await deps.people.sendReset(who.companyId, who.principal.user, id);
    return fill(p.resetSent, { email: sentTo });
  });
}

function passwordFields(p: PeopleMessages): SafeHtml {
  return html`<label for="new-password">${p.newPassword}</label><input id="new-password" name="password" type="password" autocomplete="new-password" minlength="10" maxlength="256" required>
<label for="repeat-password">${p.repeatPassword}</label><input id="repeat-password" name="repeat" type="password" autocomplete="new-password" minlength="10" maxlength="256" required>`;
}

/** The two new-password fields: the same, and long enough; null when fine. */
function passwordProblem(p: PeopleMessages, form: Form): string | null {
  if (String(form.password ?? '') !== String(form.repeat ?? '')) return p.passwordsDiffer;
  return newPasswordSchema.safeParse(String(form.password ?? '')).success ? null : p.passwordTooShort;
}

function registerPasswordPages(app: FastifyInstance, deps: PeoplePagesDeps): void {
  // The one-time link's page: no session needed, the token travels in the form. No Referer leaves it.
  const sendSetPassword = (reply: FastifyReply, web: WebContext, token: string, flash: SafeHtml | null, status = 200): FastifyReply => {
    const p = peopleMessages[web.lang];
    reply.header('referrer-policy', 'no-referrer');
    return sendPage(reply, { ...web, principal: null }, '/set-password', p.setPassword, html`${flash ?? ''}<p>${p.setPasswordHelp}</p>
<form method="post" action="/set-password"><input type="hidden" name="token" value="${token}">${passwordFields(p)}<div><button type="submit">${p.setPassword}</button></div></form>`, status);
  };
  app.get('/set-password', async (request, reply) => {
    const web = await webContextOf(request, deps.ctx.auth);
    const token = String((request.query as Record<string, unknown>).token ?? '');
    return sendSetPassword(reply, web, /^[A-Za-z0-9_-]{20,100}$/.test(token) ? token : '', null);
  });
  app.post('/set-password', async (request, reply) => {
    const web = await webContextOf(request, deps.ctx.auth);
    const p = peopleMessages[web.lang];
    const form = formOf(request);
    const token = String(form.token ?? '');
    const problem = passwordProblem(p, form);
    if (problem !== null) return sendSetPassword(reply, web, token, fail(problem), 400);
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return sendSetPassword(reply, web, '', fail(refusalText(web.lang, 'dead_link')), 400);
    try {
      await deps.people.setPasswordWithLink(token, String(form.password));
    } catch (error) {
      const { flash, status } = refusalFlash(web, error);
      return sendSetPassword(reply, web, token, flash, status);
    }
    reply.header('referrer-policy', 'no-referrer');
    return sendPage(reply, { ...web, principal: null }, '/set-password', p.setPassword, html`${ok(p.passwordSet)}<p><a href="/sign-in">${p.goSignIn}</a></p>`);
  });

  // Everyone's own password (company people and customer care alike).
  const sendChange = (reply: FastifyReply, web: WebContext, principal: Principal, flash: SafeHtml | null, status = 200): FastifyReply => {
    const p = peopleMessages[web.lang];
    return sendPage(reply, web, '/account/password', p.changePassword, html`${flash ?? ''}<form method="post" action="/account/password"><input type="hidden" name="_csrf" value="${principal.session.csrfToken}">
<label for="current-password">${p.currentPassword}</label><input id="current-password" name="current" type="password" autocomplete="current-password" required maxlength="256">
${passwordFields(p)}<div><button type="submit">${p.changePassword}</button></div></form>`, status);
  };
  app.get('/account/password', async (request, reply) => {
    const web = await webContextOf(request, deps.ctx.auth);
    if (!web.principal) return reply.redirect('/sign-in?next=/account/password', 303);
    return sendChange(reply, web, web.principal, null);
  });
  app.post('/account/password', async (request, reply) => {
    const web = await webContextOf(request, deps.ctx.auth);
    if (!web.principal) return reply.redirect('/sign-in?next=/account/password', 303);
    const form = formOf(request);
    checkCsrf(web.principal, form);
    const p = peopleMessages[web.lang];
    const problem = passwordProblem(p, form);
    if (problem !== null) return sendChange(reply, web, web.principal, fail(problem), 400);
    try {
      await deps.people.changeOwnPassword(web.principal.user, web.principal.session.tokenHash, String(form.current ?? ''), String(form.password), 5, 15 * 60 * 1000);
    } catch (error) {
      if (error instanceof ApiError && error.status === 429) return sendChange(reply, web, web.principal, fail(web.t.tooManyAttempts), 429);
      const { flash, status } = refusalFlash(web, error);
      return sendChange(reply, web, web.principal, flash, status);
    }
    return sendChange(reply, web, web.principal, ok(p.passwordChanged));
  });
}

function registerOnboardingPage(app: FastifyInstance, deps: PeoplePagesDeps): void {
  const path = '/care/companies/new';
  const sendForm = (reply: FastifyReply, web: WebContext, principal: Principal, flash: SafeHtml | null, status = 200): FastifyReply => {
    const p = peopleMessages[web.lang];
    return sendPage(reply, web, path, p.onboarding, html`${flash ?? ''}<p>${p.onboardingHelp}</p>
<form method="post" action="${path}"><input type="hidden" name="_csrf" value="${principal.session.csrfToken}">
<label for="company-name">${p.companyName}</label><input id="company-name" name="name" required maxlength="100">
<label for="company-country">${p.country}</label><input id="company-country" name="country" required pattern="[A-Za-z]{2}" size="3">
<label for="company-currency">${p.currency}</label><select id="company-currency" name="currency">${currencyCodes.map((code) => html`<option${code === 'EUR' ? html` selected` : ''}>${code}</option>`)}</select>
<label for="company-domain">${p.sipDomain}</label><input id="company-domain" name="sipDomain" required maxlength="253">
<fieldset><legend>${p.firstAdmin}</legend>
<label for="admin-name">${p.name}</label><input id="admin-name" name="adminName" required maxlength="64">
<label for="admin-email">${p.email}</label><input id="admin-email" name="adminEmail" type="email" required maxlength="254">
<label for="admin-ext">${p.extension}</label><input id="admin-ext" name="adminExtension" inputmode="numeric" pattern="[12][0-9]{3}" size="5"></fieldset>
<div><button type="submit">${p.create}</button></div></form>`, status);
  };
  const operator = async (request: FastifyRequest, reply: FastifyReply) => {
    const web = await webContextOf(request, deps.ctx.auth);
    if (!web.principal) {
      await reply.redirect(`/sign-in?next=${encodeURIComponent(path)}`, 303);
      return null;
    }
    if (web.principal.user.role !== 'operator') {
      await sendPage(reply, web, path, peopleMessages[web.lang].onboarding, fail(web.t.forbidden), 403);
      return null;
    }
    return { web, principal: web.principal };
  };
  app.get(path, async (request, reply) => {
    const who = await operator(request, reply);
    return who ? sendForm(reply, who.web, who.principal, null) : reply;
  });
  app.post(path, async (request, reply) => {
    const who = await operator(request, reply);
    if (!who) return reply;
    const form = formOf(request);
    checkCsrf(who.principal, form);
    const p = peopleMessages[who.web.lang];
    const extension = String(form.adminExtension ?? '').trim();
    const input = onboardCompanyRequestSchema.safeParse({
      name: String(form.name ?? '').trim(), country: String(form.country ?? '').trim().toUpperCase(), currency: form.currency, sipDomain: String(form.sipDomain ?? '').trim().toLowerCase(),
      admin: { displayName: String(form.adminName ?? '').trim(), email: String(form.adminEmail ?? '').trim(), ...(extension === '' ? {} : { extension }) },
    });
    if (!input.success) return sendForm(reply, who.web, who.principal, fail(p.invalidInput), 400);
    try {
      const { company, admin } = await onboardCompany(deps.onboarding, who.principal.user, input.data);
      return sendForm(reply, who.web, who.principal, ok(fill(p.companyCreated, { name: company.name, email: admin.email })), 201);
    } catch (error) {
      const { flash, status } = refusalFlash(who.web, error);
      return sendForm(reply, who.web, who.principal, flash, status);
    }
  });
}

function registerAuditPage(app: FastifyInstance, deps: PeoplePagesDeps): void {
  app.get('/audit', async (request, reply) => {
    const web = await webContextOf(request, deps.ctx.auth);
    if (!web.principal) return reply.redirect('/sign-in?next=/audit', 303);
    const p = peopleMessages[web.lang];
    const role = web.principal.user.role;
    if (role !== 'admin' && role !== 'operator') return sendPage(reply, web, '/audit', p.audit, fail(web.t.forbidden), 403);
    const rows = await deps.ctx.repository.store.listAudit(role === 'operator' ? null : web.principal.user.companyId, null, 200);
    const events = rows.map(auditEventView);
    return sendPage(reply, web, '/audit', p.audit, html`<p>${p.auditHelp}</p>${events.length === 0 ? html`<p>${p.noAudit}</p>` : html`
<table><thead><tr><th scope="col">${p.when}</th>${role === 'operator' ? html`<th scope="col">${p.company}</th>` : ''}<th scope="col">${p.who}</th><th scope="col">${p.what}</th><th scope="col">${p.target}</th><th scope="col">${p.details}</th></tr></thead>
<tbody>${events.map((event) => html`<tr data-action="${event.action}"><td>${new Date(event.at).toLocaleString(web.locale, { timeZone: 'UTC' })} UTC</td>${role === 'operator' ? html`<td>${event.companyId ?? ''}</td>` : ''}<td>${event.actor}</td><td><code>${event.action}</code></td><td>${event.target ?? ''}</td><td><code>${event.details ? JSON.stringify(event.details) : ''}</code></td></tr>`)}</tbody></table>`}`);
  });
}

function registerOutbox(app: FastifyInstance, deps: PeoplePagesDeps): void {
  const mailer = deps.mailer;
  if (!(mailer instanceof OutboxMailer)) return;
  app.get('/dev/outbox.json', async (_request, reply) => reply.header('cache-control', 'no-store').send({ messages: mailer.list() }));
  app.get('/dev/outbox', async (request, reply) => {
    const web = await webContextOf(request, deps.ctx.auth);
    const p = peopleMessages[web.lang];
    const messages = mailer.list();
    return sendPage(reply, web, '/dev/outbox', p.outbox, html`<p>${p.outboxHelp}</p>${messages.length === 0 ? html`<p>${p.noMail}</p>` : messages.map((message) => html`<article data-to="${message.to}">
<h2>${message.subject}</h2><p>${p.to}: ${message.to} · ${new Date(message.sentAt).toISOString()}</p>
<pre>${message.text}</pre><p>${message.text.match(/https?:\/\/\S+/g)?.map((url) => html`<a href="${url}">${url}</a> `) ?? ''}</p></article>`)}`);
  });
}

/**
 * The pages: People (/prepaid/people, admins), the one-time link's /set-password, everyone's
 * /account/password, customer care's /care/companies/new, the audit trail (/audit) and, with the outbox
 * mailer only, /dev/outbox (+ .json for tests). Every form is CSRF-checked but the link's (the token is
 * its proof); refusals come back in the visitor's language.
 */
export function registerPeoplePages(app: FastifyInstance, deps: PeoplePagesDeps): void {
  registerPeopleAdmin(app, deps);
  registerPasswordPages(app, deps);
  registerOnboardingPage(app, deps);
  registerAuditPage(app, deps);
  registerOutbox(app, deps);
}
