import type { FastifyInstance } from 'fastify';
import { endpoints } from '../../../shared/api/endpoints';
import { companyBudgets, setUserBudget, userBudget } from '../budgets/monthly-budgets';
import { apiRoute, companyIdOf } from '../http/api-route';
import type { ManagerContext } from '../http/manager-context';

/**
 * Monthly budgets per user. Any signed-in user reads their own (`GET /budget`); only admins read or change
 * the others', enforced by the endpoints' `auth: 'admin'` (an employee gets 403 and changes nothing, their
 * own budget included); another company's user is 404.
 */
export function registerBudgetRoutes(app: FastifyInstance, ctx: ManagerContext): void {
  apiRoute(app, ctx, endpoints.myBudget, ({ principal }) => userBudget(ctx.repository, companyIdOf(principal), principal.user.id, ctx.now()));

  apiRoute(app, ctx, endpoints.listBudgets, async ({ principal }) => ({ budgets: await companyBudgets(ctx.repository, companyIdOf(principal), ctx.now()) }));

  apiRoute(app, ctx, endpoints.getBudget, ({ principal, params }) => userBudget(ctx.repository, companyIdOf(principal), params.id, ctx.now()));

  apiRoute(app, ctx, endpoints.putBudget, async ({ principal, params, body, request }) => {
    const view = await setUserBudget(ctx.repository, {
      companyId: companyIdOf(principal), userId: params.id, monthlyBudgetMinor: body.monthlyBudgetMinor, actor: principal.user, now: ctx.now(),
    });
    request.log.info({ adminId: principal.user.id, userId: view.userId, monthlyBudgetMinor: view.monthlyBudgetMinor }, 'monthly budget changed');
    return view;
  });
}
