import type { FastifyInstance } from 'fastify';
import { endpoints } from '../../../shared/api/endpoints';
import { ApiError } from '../http/api-error';
import { apiRoute } from '../http/api-route';
import type { ManagerContext } from '../http/manager-context';
import { topUpView } from '../wallet/wallet-service';

/** Customer care: list and cancel top-ups, run the integrity check. */
export function registerCareRoutes(app: FastifyInstance, ctx: ManagerContext): void {
  apiRoute(app, ctx, endpoints.careTopUps, async ({ params }) => {
    const company = await ctx.repository.store.getCompany(params.companyId);
    if (!company) throw new ApiError(404, 'not_found', 'No such company');
    return { topUps: (await ctx.repository.store.listTopUps(company.id, 100)).map(topUpView) };
  });
  apiRoute(app, ctx, endpoints.careCancelTopUp, ({ params, body, principal }) => ctx.wallet.cancelTopUp(params.id, body.reason, principal.user));
  apiRoute(app, ctx, endpoints.careIntegrity, () => ctx.repository.store.checkIntegrity());
}
