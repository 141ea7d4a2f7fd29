import type { FastifyInstance, FastifyReply } from 'fastify';
import { addCompanyNumberRequestSchema, ringGroupRequestSchema, type AssignNumberRequest, type CompanyNumberView, type RingGroupView } from '../../../../shared/api/number-schemas';
import { ApiError } from '../../http/api-error';
import {
  addCompanyNumber, assignCompanyNumber, callerIdOf, listCompanyNumbers, listRingGroups, numbersRinging, removeCompanyNumber, saveRingGroup, setMainNumber,
} from '../../numbers/company-numbers';
import type { Repository, UserRow } from '../../store/repository';
import { formOf, type Form } from '../form';
import type { SafeHtml } from '../html';
import { html } from '../html';
import { numberMessages } from '../number-messages';
import { sendPage } from '../page-reply';
import type { CompanyVisitor } from '../session-guard';
import { checkCsrf, requireCompanyUser } from '../session-guard';
import type { SessionReader, WebContext } from '../web-context';
import { webContextOf } from '../web-context';

export interface NumbersPageDeps {
  readonly auth: SessionReader;
  readonly repository: Repository;
  readonly now: () => number;
}

const path = '/prepaid/numbers';
const carePath = '/care/numbers';
const idPattern = /^[A-Za-z0-9_-]{1,64}$/;

function idParam(params: unknown, name: string): string {
  const value = (params as Record<string, string>)[name] ?? '';
  if (!idPattern.test(value)) throw new ApiError(404, 'not_found', 'Not found');
  return value;
}

const flashOk = (web: WebContext): SafeHtml => html`<p class="ok" role="status">${numberMessages[web.lang].saved}</p>`;
const flashError = (text: string): SafeHtml => html`<p class="error" role="alert">${text}</p>`;

/** The assignment chosen in a number's select: "none", "user:<id>" or "group:<id>". */
function assignmentOf(form: Form): AssignNumberRequest {
  const value = String(form.target ?? '');
  if (value === 'none') return { kind: 'none' };
  const [kind, id = ''] = value.split(':');
  if (!idPattern.test(id)) throw new ApiError(400, 'bad_request', 'Choose a person or a ring group');
  if (kind === 'user') return { kind: 'user', userId: id };
  if (kind === 'group') return { kind: 'group', groupId: id };
  throw new ApiError(400, 'bad_request', 'Choose a person or a ring group');
}

function numberRows(web: WebContext, csrf: string, numbers: readonly CompanyNumberView[], people: readonly UserRow[], groups: readonly RingGroupView[]): SafeHtml {
  const m = numberMessages[web.lang];
  const current = (n: CompanyNumberView): string => (n.assignedTo === null ? 'none' : `${n.assignedTo.kind}:${n.assignedTo.id}`);
  const option = (value: string, text: string, n: CompanyNumberView): SafeHtml => html`<option value="${value}"${current(n) === value ? html` selected` : ''}>${text}</option>`;
  const rows = numbers.map((n) => html`<tr data-testid="number-row-${n.e164}"><td>${n.e164}</td><td>${n.label ?? ''}</td>
<td><form method="post" action="${path}/${n.id}/assign"><input type="hidden" name="_csrf" value="${csrf}">
<label for="target-${n.id}">${m.rings} · ${n.e164}</label>
<select id="target-${n.id}" name="target">${option('none', m.nobody, n)}
<optgroup label="${m.person}">${people.map((p) => option(`user:${p.id}`, `${p.displayName} (${p.extension ?? ''})`, n))}</optgroup>
${groups.length > 0 ? html`<optgroup label="${m.group}">${groups.map((g) => option(`group:${g.id}`, g.name, n))}</optgroup>` : ''}</select>
<button type="submit">${m.assign}</button></form></td></tr>`);
  const mainForm = html`<form method="post" action="${path}/main"><input type="hidden" name="_csrf" value="${csrf}">
<label for="main-number">${m.main}</label><select id="main-number" name="numberId"><option value="">${m.noMain}</option>
${numbers.map((n) => html`<option value="${n.id}"${n.main ? html` selected` : ''}>${n.e164}</option>`)}</select>
<button type="submit">${m.setMain}</button></form>`;
  return html`<table><thead><tr><th>${m.number}</th><th>${m.label}</th><th>${m.rings}</th></tr></thead><tbody>${rows}</tbody></table>${mainForm}`;
}

function groupForm(web: WebContext, csrf: string, people: readonly UserRow[], group: RingGroupView | null): SafeHtml {
  const m = numberMessages[web.lang];
  const key = group?.id ?? 'new';
  const members = new Set(group?.members.map((member) => member.userId) ?? []);
  return html`<form method="post" action="${group === null ? '/prepaid/ring-groups' : `/prepaid/ring-groups/${group.id}`}" data-testid="group-form-${key}">
<input type="hidden" name="_csrf" value="${csrf}"><fieldset><legend>${group === null ? m.newGroup : group.name}</legend>
<label for="group-name-${key}">${m.groupName}</label><input id="group-name-${key}" name="name" maxlength="64" required value="${group?.name ?? ''}">
<fieldset><legend>${m.members}</legend>${people.map((p) => html`<label><input type="checkbox" name="member_${p.id}" value="on"${members.has(p.id) ? html` checked` : ''}> ${p.displayName} (${p.extension ?? ''})</label>`)}</fieldset>
<button type="submit">${m.saveGroup}</button></fieldset></form>`;
}

async function ringablePeople(repository: Repository, companyId: string): Promise<UserRow[]> {
  const users = await repository.store.listUsers(companyId);
  return users.filter((user) => user.extension !== null && !(user as UserRow & { removedAt?: number | null }).removedAt);
}

async function sendNumbersPage(reply: FastifyReply, deps: NumbersPageDeps, who: CompanyVisitor, flash: SafeHtml | null, status = 200): Promise<FastifyReply> {
  const { web, principal, companyId } = who;
  const m = numberMessages[web.lang];
  const store = deps.repository.store;
  const callerId = await callerIdOf(store, companyId, principal.user.id);
  const ringing = await numbersRinging(store, companyId, principal.user.id);
  const own = html`<h2>${m.yourCallerId}</h2><p data-testid="caller-id">${callerId.callerId === null ? m.callerIdNone : html`${callerId.callerId} (${callerId.source === 'own' ? m.callerIdOwn : m.callerIdMain})`}</p>
${ringing.length > 0 ? html`<p>${m.ringsYou}: <span data-testid="rings-you">${ringing.join(', ')}</span></p>` : ''}`;
  if (principal.user.role !== 'admin') return sendPage(reply, web, path, m.numbersTitle, html`${flash ?? ''}${own}`, status);
  const csrf = principal.session.csrfToken;
  const [numbers, groups, people] = await Promise.all([
    listCompanyNumbers(deps.repository, companyId), listRingGroups(deps.repository, companyId), ringablePeople(deps.repository, companyId),
  ]);
  const body = html`${flash ?? ''}<p>${m.numbersHelp}</p>
${numbers.length === 0 ? html`<p>${m.noNumbers}</p>` : numberRows(web, csrf, numbers, people, groups)}
<h2>${m.ringGroups}</h2><p>${m.ringGroupsHelp}</p>${groups.map((group) => groupForm(web, csrf, people, group))}${groupForm(web, csrf, people, null)}
${own}`;
  return sendPage(reply, web, path, m.numbersTitle, body, status);
}

/** Posted checkboxes `member_<userId>`. */
function membersOf(form: Form): string[] {
  return Object.keys(form).filter((key) => key.startsWith('member_') && form[key] === 'on').map((key) => key.slice('member_'.length));
}

async function careBody(deps: NumbersPageDeps, web: WebContext, csrf: string, companyId: string | null): Promise<SafeHtml> {
  const m = numberMessages[web.lang];
  const companies = await deps.repository.store.listCompanies();
  const chooser = html`<form method="get" action="${carePath}"><label for="care-company">${m.careCompany}</label>
<select id="care-company" name="company">${companies.map((c) => html`<option value="${c.id}"${c.id === companyId ? html` selected` : ''}>${c.name} (${c.sipDomain})</option>`)}</select>
<button type="submit">${m.careChooseCompany}</button></form>`;
  if (companyId === null || !companies.some((c) => c.id === companyId)) return chooser;
  const numbers = await listCompanyNumbers(deps.repository, companyId);
  return html`${chooser}<table><thead><tr><th>${m.number}</th><th>${m.label}</th><th>${m.rings}</th><th></th></tr></thead><tbody>
${numbers.map((n) => html`<tr data-testid="care-number-${n.e164}"><td>${n.e164}</td><td>${n.label ?? ''}</td><td>${n.assignedTo === null ? m.nobody : n.assignedTo.kind === 'user' ? n.assignedTo.displayName : n.assignedTo.name}</td>
<td><form method="post" action="${carePath}/${n.id}/remove"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="company" value="${companyId}"><button type="submit">${m.careRemove}</button></form></td></tr>`)}</tbody></table>
<form method="post" action="${carePath}"><input type="hidden" name="_csrf" value="${csrf}"><input type="hidden" name="company" value="${companyId}">
<label for="care-e164">${m.number}</label><input id="care-e164" name="e164" inputmode="tel" autocomplete="off" required maxlength="32">
<label for="care-label">${m.label}</label><input id="care-label" name="label" maxlength="64">
<button type="submit">${m.careAdd}</button></form>`;
}

/**
 * Company numbers in the manager's pages. GET /prepaid/numbers: admins assign each number to a person or a
 * ring group, choose the main number and edit ring groups; every company user sees their caller ID. The
 * POSTs are admins' only (403 page otherwise, nothing changed), CSRF-checked; another company's ids are 404,
 * as in the API. GET/POST /care/numbers: customer care gives a company numbers and takes them back.
 */
export function registerNumbersPage(app: FastifyInstance, deps: NumbersPageDeps): void {
  const adminPost = (url: string, act: (who: CompanyVisitor, form: Form, params: unknown) => Promise<SafeHtml | null>) => {
    app.post(url, async (request, reply) => {
      const who = await requireCompanyUser(request, reply, deps.auth);
      if (!who) return reply;
      const form = formOf(request);
      checkCsrf(who.principal, form);
      if (who.principal.user.role !== 'admin') return sendNumbersPage(reply, deps, who, flashError(who.web.t.adminsOnly), 403);
      const problem = await act(who, form, request.params);
      return sendNumbersPage(reply, deps, who, problem ?? flashOk(who.web), problem === null ? 200 : 400);
    });
  };

  app.get(path, async (request, reply) => {
    const who = await requireCompanyUser(request, reply, deps.auth);
    if (!who) return reply;
    return sendNumbersPage(reply, deps, who, null);
  });

  adminPost(`${path}/:id/assign`, async (who, form, params) => {
    await assignCompanyNumber(deps.repository, who.companyId, idParam(params, 'id'), assignmentOf(form), who.principal.user, deps.now());
    return null;
  });

  adminPost(`${path}/main`, async (who, form) => {
    const numberId = String(form.numberId ?? '');
    if (numberId !== '' && !idPattern.test(numberId)) throw new ApiError(404, 'not_found', 'No such number');
    await setMainNumber(deps.repository, who.companyId, numberId === '' ? null : numberId, who.principal.user, deps.now());
    return null;
  });

  const saveGroup = async (who: CompanyVisitor, form: Form, groupId: string | null): Promise<SafeHtml | null> => {
    const parsed = ringGroupRequestSchema.safeParse({ name: String(form.name ?? ''), memberIds: membersOf(form) });
    if (!parsed.success) return flashError(numberMessages[who.web.lang].groupInvalid);
    await saveRingGroup(deps.repository, { companyId: who.companyId, groupId, name: parsed.data.name, memberIds: parsed.data.memberIds, actor: who.principal.user, now: deps.now() });
    return null;
  };
  adminPost('/prepaid/ring-groups', (who, form) => saveGroup(who, form, null));
  adminPost('/prepaid/ring-groups/:id', (who, form, params) => saveGroup(who, form, idParam(params, 'id')));

  const careVisitor = async (request: Parameters<typeof webContextOf>[0], reply: FastifyReply) => {
    const web = await webContextOf(request, deps.auth);
    if (!web.principal) {
      await reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`, 303);
      return null;
    }
    if (web.principal.user.role !== 'operator') {
      await sendPage(reply, web, carePath, numberMessages[web.lang].careNumbersTitle, flashError(web.t.forbidden), 403);
      return null;
    }
    return { web, principal: web.principal };
  };
  const sendCare = async (reply: FastifyReply, who: NonNullable<Awaited<ReturnType<typeof careVisitor>>>, companyId: string | null, flash: SafeHtml | null, status = 200) =>
    sendPage(reply, who.web, carePath, numberMessages[who.web.lang].careNumbersTitle, html`${flash ?? ''}${await careBody(deps, who.web, who.principal.session.csrfToken, companyId)}`, status);

  app.get(carePath, async (request, reply) => {
    const who = await careVisitor(request, reply);
    if (!who) return reply;
    const company = String((request.query as Record<string, unknown>).company ?? '');
    return sendCare(reply, who, idPattern.test(company) ? company : null, null);
  });

  app.post(carePath, async (request, reply) => {
    const who = await careVisitor(request, reply);
    if (!who) return reply;
    const form = formOf(request);
    checkCsrf(who.principal, form);
    const companyId = String(form.company ?? '');
    if (!idPattern.test(companyId)) throw new ApiError(404, 'not_found', 'No such company');
    const m = numberMessages[who.web.lang];
    const label = String(form.label ?? '').trim();
    const parsed = addCompanyNumberRequestSchema.safeParse({ e164: String(form.e164 ?? ''), ...(label === '' ? {} : { label }) });
    if (!parsed.success) return sendCare(reply, who, companyId, flashError(m.careNumberInvalid), 400);
    try {
      await addCompanyNumber(deps.repository, { companyId, e164: parsed.data.e164, label: parsed.data.label ?? null, actor: who.principal.user, now: deps.now() });
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) return sendCare(reply, who, companyId, flashError(m.careNumberTaken), 409);
      throw error;
    }
    return sendCare(reply, who, companyId, flashOk(who.web));
  });

  app.post(`${carePath}/:id/remove`, async (request, reply) => {
    const who = await careVisitor(request, reply);
    if (!who) return reply;
    const form = formOf(request);
    checkCsrf(who.principal, form);
    await removeCompanyNumber(deps.repository, idParam(request.params, 'id'), who.principal.user, deps.now());
    const companyId = String(form.company ?? '');
    return sendCare(reply, who, idPattern.test(companyId) ? companyId : null, flashOk(who.web));
  });
}
