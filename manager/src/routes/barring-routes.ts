import type { FastifyInstance } from 'fastify';
import { endpoints } from '../../../shared/api/endpoints';
import { setUserOutsideCalls, userOutsideCalls } from '../company/company-settings';
import { apiRoute, companyIdOf } from '../http/api-route';
import type { ManagerContext } from '../http/manager-context';

/**
 * Each user's outside-call scope (plan only, chosen countries, everything): admins only, enforced here by
 * the endpoints' `auth: 'admin'` (an employee gets 403 and changes nothing); another company's user is 404.
 */
export function registerBarringRoutes(app: FastifyInstance, ctx: ManagerContext): void {
  apiRoute(app, ctx, endpoints.getOutsideCalls, ({ principal, params }) => userOutsideCalls(ctx.repository, companyIdOf(principal), params.id));

  apiRoute(app, ctx, endpoints.putOutsideCalls, async ({ principal, params, body, request }) => {
    const view = await setUserOutsideCalls(ctx.repository, companyIdOf(principal), params.id, body, principal.user, ctx.now());
    request.log.info({ adminId: principal.user.id, userId: view.userId, scope: view.scope, countries: view.countries }, 'outside-call scope changed');
    return view;
  });
}
