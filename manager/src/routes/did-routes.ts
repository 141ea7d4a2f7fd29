import type { FastifyInstance } from 'fastify';
import { endpoints } from '../../../shared/api/endpoints';
import { ApiError } from '../http/api-error';
import { apiRoute, companyIdOf } from '../http/api-route';
import type { ManagerContext } from '../http/manager-context';
import {
  addCompanyNumber, assignCompanyNumber, callerIdOf, inactive, inboundRoute, listCompanyNumbers, listRingGroups, numbersRinging, removeCompanyNumber,
  saveRingGroup, setMainNumber,
} from '../numbers/company-numbers';

/**
 * Company numbers (DIDs) and ring groups: customer care assigns numbers to companies, admins point them at
 * people or ring groups, everyone reads their own caller ID, and the SIP proxy asks where an inbound call
 * goes and what an outgoing call presents (shared secret). Roles come from each endpoint's `auth`.
 */
export function registerDidRoutes(app: FastifyInstance, ctx: ManagerContext): void {
  apiRoute(app, ctx, endpoints.careNumbers, async ({ params }) => {
    if (!(await ctx.repository.store.getCompany(params.companyId))) throw new ApiError(404, 'not_found', 'No such company');
    return { numbers: await listCompanyNumbers(ctx.repository, params.companyId) };
  });

  apiRoute(app, ctx, endpoints.careAddNumber, async ({ params, body, principal, request }) => {
    const view = await addCompanyNumber(ctx.repository, { companyId: params.companyId, e164: body.e164, label: body.label ?? null, actor: principal.user, now: ctx.now() });
    request.log.info({ operatorId: principal.user.id, companyId: params.companyId, e164: view.e164 }, 'company number added');
    return view;
  });

  apiRoute(app, ctx, endpoints.careRemoveNumber, async ({ params, principal, request }) => {
    await removeCompanyNumber(ctx.repository, params.id, principal.user, ctx.now());
    request.log.info({ operatorId: principal.user.id, numberId: params.id }, 'company number removed');
  });

  apiRoute(app, ctx, endpoints.listNumbers, async ({ principal }) => ({ numbers: await listCompanyNumbers(ctx.repository, companyIdOf(principal)) }));

  apiRoute(app, ctx, endpoints.assignNumber, async ({ principal, params, body, request }) => {
    const view = await assignCompanyNumber(ctx.repository, companyIdOf(principal), params.id, body, principal.user, ctx.now());
    request.log.info({ adminId: principal.user.id, numberId: view.id, assignedTo: view.assignedTo?.id ?? null }, 'company number assigned');
    return view;
  });

  apiRoute(app, ctx, endpoints.putMainNumber, async ({ principal, body }) => ({ numbers: await setMainNumber(ctx.repository, companyIdOf(principal), body.numberId, principal.user, ctx.now()) }));

  apiRoute(app, ctx, endpoints.listRingGroups, async ({ principal }) => ({ groups: await listRingGroups(ctx.repository, companyIdOf(principal)) }));

  apiRoute(app, ctx, endpoints.addRingGroup, ({ principal, body }) =>
    saveRingGroup(ctx.repository, { companyId: companyIdOf(principal), groupId: null, name: body.name, memberIds: body.memberIds, actor: principal.user, now: ctx.now() }));

  apiRoute(app, ctx, endpoints.putRingGroup, ({ principal, params, body }) =>
    saveRingGroup(ctx.repository, { companyId: companyIdOf(principal), groupId: params.id, name: body.name, memberIds: body.memberIds, actor: principal.user, now: ctx.now() }));

  apiRoute(app, ctx, endpoints.myNumber, async ({ principal }) => {
    const companyId = companyIdOf(principal);
    const store = ctx.repository.store;
    return { ...(await callerIdOf(store, companyId, principal.user.id)), numbers: await numbersRinging(store, companyId, principal.user.id) };
  });

  apiRoute(app, ctx, endpoints.proxyNumber, async ({ body }) => {
    const route = await inboundRoute(ctx.repository.store, body.number);
    return { found: route.found, e164: route.e164, sipDomain: route.sipDomain, extensions: route.extensions.join(',') };
  });

  apiRoute(app, ctx, endpoints.proxyCallerId, async ({ body }) => {
    const store = ctx.repository.store;
    const company = await store.getCompanyByDomain(body.sipDomain);
    const user = company ? await store.getUserByExtension(company.id, body.extension) : null;
    if (!company || !user || inactive(user)) return { callerId: '' };
    return { callerId: (await callerIdOf(store, company.id, user.id)).callerId ?? '' };
  });
}
